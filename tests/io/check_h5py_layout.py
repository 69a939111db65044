"""Checks the results-file layout of docs/output-format.md with h5py.

usage: check_h5py_layout.py WRITE_SAMPLE_EXE OUTPUT_FORMAT_MD

Runs WRITE_SAMPLE_EXE (tests/io/write_sample_results.cpp) to write a sample file
into a fresh temporary directory, checks every attribute, dataset, dtype, shape
and storage property, then runs the h5py example of OUTPUT_FORMAT_MD on it.
Exit status 77 (ctest: skipped) when h5py is not installed.
"""
import contextlib
import io
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
except ImportError:
    print("h5py not installed: skipped")
    sys.exit(77)

OUTCOMES = [
    ("self_censorship_rate", False), ("lawful_self_censorship_rate", False),
    ("silenced_user_share", False), ("posted_per_user_day", False),
    ("takedown_requests", False), ("takedown_compliance_rate", True),
    ("data_request_compliance_rate", True), ("over_removal_share", False),
    ("unlawful_visible_share", False), ("users_sanctioned_per_100k", False),
    ("mean_perceived_risk", False), ("platform_status", True),
    ("platform_localized", True), ("escalation_level", True), ("platform_revenue", True),
    ("takedown_requests_per_100k", False), ("takedown_requests_received", True),
    ("legal_chilling_rate", False), ("lawful_legal_chilling_rate", False),
    ("wrongful_removals_per_100k", False), ("unlawful_exposure_days", False),
    ("expected_takedown_requests_received", True), ("expected_takedown_compliance_rate", True),
    ("expected_users_sanctioned_per_100k", False),
]
PLATFORMS = ["global_social", "local_video"]
RUNS, RECORDS = 3, 5


def check_runs_storage(ds):
    """Chunked, shuffled, deflate 4, unlimited along runs."""
    assert ds.chunks is not None, ds.name
    assert ds.maxshape[0] is None, (ds.name, ds.maxshape)
    assert tuple(ds.maxshape[1:]) == ds.shape[1:], (ds.name, ds.maxshape)
    assert ds.compression == "gzip" and ds.compression_opts == 4, ds.name
    assert ds.shuffle, ds.name


def check(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        assert a["format"] == "complysim-results"
        assert a["format_version"].dtype == np.int64 and a["format_version"] == 2
        assert a["model_spec_version"].dtype == np.int64 and a["model_spec_version"] == 2
        for name in ("complysim_version", "git_commit", "scenario_toml", "command_line",
                     "start_date", "created_utc", "compiler", "library_versions"):
            assert isinstance(a[name], str), name
        assert a["seed"].dtype == np.uint64 and a["seed"] == 12345
        assert list(a["overrides"]) == ["law.vagueness=0.3"]
        assert list(a["platforms"]) == PLATFORMS
        assert a["start_date"] == "2024-02-27"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created_utc"]), a["created_utc"]
        assert a["library_versions"].startswith("HDF5 1."), a["library_versions"]
        assert a["scenario_toml"].startswith("[simulation]")

        r = f["runs"]
        for name, dtype in (("point", np.int64), ("replicate", np.int64), ("design", np.int64),
                            ("seed", np.uint64), ("status", np.int8)):
            assert r[name].dtype == dtype, (name, r[name].dtype)
            assert r[name].shape == (RUNS,), name
            check_runs_storage(r[name])
        assert list(r["point"][:]) == [0, 1, 2]
        assert list(r["design"][:]) == [0, 0, 1]
        assert list(r["status"][:]) == [0, 1, 0]
        assert int(r["seed"][2]) == 0xFFFFFFFFFFFFFF02
        assert h5py.check_string_dtype(r["message"].dtype) is not None
        assert list(r["message"].asstr()[:]) == ["", "model error: test failure", ""]
        check_runs_storage(r["message"])

        assert list(r["params"].attrs["names"]) == ["law.vagueness"]
        pv = r["params"]["law.vagueness"]
        assert pv.dtype == np.float64 and pv.shape == (RUNS,)
        check_runs_storage(pv)
        assert np.allclose(pv[:], [0.1, 0.2, 0.3])

        assert sorted(r["outcomes"].keys()) == sorted(n for n, _ in OUTCOMES)
        t = f["timeseries"]
        assert sorted(t.keys()) == sorted([n for n, _ in OUTCOMES] + ["day", "date"])
        assert t["day"].dtype == np.int64 and list(t["day"][:]) == [0, 1, 2, 3, 4]
        assert list(t["date"].asstr()[:]) == ["2024-02-27", "2024-02-28", "2024-02-29",
                                            "2024-03-01", "2024-03-02"]
        for k, (name, per_platform) in enumerate(OUTCOMES):
            o, s = r["outcomes"][name], t[name]
            for ds in (o, s):
                assert ds.dtype == np.float64, name
                check_runs_storage(ds)
                assert list(ds.attrs["platforms"]) == (PLATFORMS if per_platform else []), name
                assert isinstance(ds.attrs["unit"], str) and ds.attrs["unit"], name
                assert isinstance(ds.attrs["description"], str) and ds.attrs["description"], name
                assert isinstance(ds.attrs["label"], str) and ds.attrs["label"], name
            w = len(PLATFORMS) if per_platform else 1
            assert o.shape == ((RUNS, w) if per_platform else (RUNS,)), (name, o.shape)
            assert s.shape == ((RUNS, RECORDS, w) if per_platform else (RUNS, RECORDS)), (name, s.shape)
            ov = o[:].reshape(RUNS, w)
            sv = s[:].reshape(RUNS, RECORDS * w)
            for i in (0, 2):
                assert list(ov[i]) == [i * 1000 + k * 10 + j + 0.25 for j in range(w)], name
                assert list(sv[i]) == [i * 1e5 + k * 100 + j + 0.5 for j in range(RECORDS * w)], name
            assert np.isnan(ov[1]).all() and np.isnan(sv[1]).all(), name

        d = f["design"]
        assert d.attrs["kind"] == "sobol"
        assert d.attrs["sobol_base_samples"].dtype == np.int64 and d.attrs["sobol_base_samples"] == 1
        assert d.attrs["replicates"].dtype == np.int64 and d.attrs["replicates"] == 1
        assert list(d["names"].asstr()[:]) == ["baseline", "strict"]
        assert list(d["settings"].asstr()[:]) == ["", '{ "law.vagueness" = 0.8 }']
        assert list(d["parameters"].asstr()[:]) == ["law.vagueness"]
        assert d["samples"].dtype == np.float64 and d["samples"].shape == (3, 1)
        assert np.allclose(d["samples"][:, 0], [0.1, 0.2, 0.15])
        assert d["block"].dtype == np.int8 and list(d["block"][:]) == [0, 1, 2]


def run_doc_example(md_path, h5_path):
    """Runs the first ```python block of the docs with out.h5 replaced by the sample file."""
    text = open(md_path, encoding="utf-8").read()
    m = re.search(r"```python\n(.*?)```", text, re.S)
    assert m, "no python example in " + md_path
    code = m.group(1)
    assert len(code.strip().splitlines()) <= 5, "the docs promise a five-line example"
    code = code.replace('"out.h5"', repr(h5_path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, md_path, "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0].split()[1:] == ["12345", "sobol"], lines
    # mean over ok runs (0 and 2) of self_censorship_rate (k = 0): (0.25 + 2000.25) / 2
    assert math.isclose(float(lines[1]), 1000.25), lines


def check_reader_errors(exe, tmp, sample):
    """The C++ reader accepts the sample and names what is wrong with other files."""
    def read(path):
        r = subprocess.run([exe, "--read", path], capture_output=True, text=True)
        return r.returncode, r.stdout.strip()

    assert read(sample) == (0, "ok 3"), read(sample)
    plain = os.path.join(tmp, "plain.h5")
    with h5py.File(plain, "w") as f:
        f["x"] = np.arange(3)
    rc, out = read(plain)
    assert rc == 1 and out.startswith("FormatError:") and "plain.h5" in out, out
    newer = os.path.join(tmp, "newer.h5")
    with open(sample, "rb") as src, open(newer, "wb") as dst:
        dst.write(src.read())
    with h5py.File(newer, "r+") as f:
        f.attrs["format_version"] = np.int64(3)
    rc, out = read(newer)
    assert rc == 1 and out.startswith("FormatError:") and "format_version 3" in out, out
    older = os.path.join(tmp, "older.h5")
    with open(sample, "rb") as src, open(older, "wb") as dst:
        dst.write(src.read())
    with h5py.File(older, "r+") as f:
        f.attrs["format_version"] = np.int64(1)
    rc, out = read(older)
    assert rc == 1 and "format_version 1" in out and "model v1" in out, out
    broken = os.path.join(tmp, "broken.h5")
    with open(sample, "rb") as src, open(broken, "wb") as dst:
        dst.write(src.read())
    with h5py.File(broken, "r+") as f:
        del f["runs/outcomes/platform_revenue"]
    rc, out = read(broken)
    assert rc == 1 and out.startswith("FormatError:") and "/runs/outcomes/platform_revenue" in out, out
    text = os.path.join(tmp, "text.h5")
    with open(text, "w") as t:
        t.write("not hdf5\n")
    rc, out = read(text)
    assert rc == 1 and out.startswith("H5Error: H5Fopen failed on") and "text.h5" in out, out


def main():
    exe, md = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="complysim-h5py-") as tmp:
        path = os.path.join(tmp, "sample.h5")
        subprocess.run([exe, path], check=True)
        assert not os.path.exists(path + ".partial")
        check(path)
        run_doc_example(md, path)
        check_reader_errors(exe, tmp, path)
    print("results file layout OK")


if __name__ == "__main__":
    main()
