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


def _one_line_error(out, *needles):
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_output_is_an_existing_file(files, tmp_path):
    existing = tmp_path / "existing_file"
    existing.write_text("keep me")
    out = run("report", files["single"][0], "-o", str(existing), "--bootstrap", "10")
    _one_line_error(out, str(existing), "not a directory")
    assert existing.read_text() == "keep me"


def test_input_paths_are_clear(files, tmp_path):
    _one_line_error(run("summary", str(tmp_path)), "is a directory")
    _one_line_error(run("report", str(tmp_path), "-o", str(tmp_path / "r")), "is a directory")
    h5 = files["single"][0]
    _one_line_error(run("report", h5, "-o", str(tmp_path / "r"), "--data", str(tmp_path / "no.csv")),
                    "no.csv", "no such file")
    _one_line_error(run("report", h5, "-o", str(tmp_path / "r"), "--data", str(tmp_path)),
                    "is a directory")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\xff\xfe\x00garbage\n")
    _one_line_error(run("report", h5, "-o", str(tmp_path / "r"), "--data", str(bad)),
                    "bad.csv", "cannot be read as a CSV")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    _one_line_error(run("report", h5, "-o", str(tmp_path / "r"), "--data", str(empty)), "empty.csv")


def test_platform_map_naming_no_platform_of_the_file(files, observed_csv, tmp_path):
    out = run("report", files["single"][0], "-o", str(tmp_path / "r"), "--data", observed_csv,
              "--platform-map", "facebook=nosuch", "--bootstrap", "10")
    _one_line_error(out, "facebook=nosuch", "global_social", "video_sharing")
    assert not (tmp_path / "r").exists()
    out = run("report", files["single"][0], "-o", str(tmp_path / "r"), "--platform-map", "facebook")
    _one_line_error(out, "DATA=MODEL")
