"""The command line, run as `python3 -m complysim_analysis` from analysis/."""
from __future__ import annotations

import os
import subprocess
import sys

import h5py

ANALYSIS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "complysim_analysis", *args], cwd=ANALYSIS,
                          env=env, capture_output=True, text=True, timeout=300)


def test_summary(files):
    out = run("summary", files["single2"][0])
    assert out.returncode == 0, out.stderr
    assert "baseline" in out.stdout and "strict" in out.stdout
    assert "takedown_compliance_rate[global_social]" in out.stdout
    assert "8 runs, 7 ok" in out.stdout
    csv = run("summary", files["single2"][0], "--format", "csv")
    assert csv.stdout.splitlines()[1].startswith("outcome,unit,baseline,strict")


def test_report_command(files, observed_csv, tmp_path):
    out = run("report", files["single"][0], "-o", str(tmp_path / "r"), "--data", observed_csv,
              "--platform-map", "facebook=global_social", "--bootstrap", "20")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "r" / "report.html").exists()
    text = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-observed-takedown_compliance_rate"' in text
    assert "google, tiktok" in text  # unmapped with this --platform-map


def test_errors_are_clear(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    out = run("summary", str(other))
    assert out.returncode == 2
    assert "not a complysim results file" in out.stderr and "Traceback" not in out.stderr
    out = run("report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r"))
    assert out.returncode == 2 and "no such file" in out.stderr
