"""The loader: shapes, columns, dtypes, strings as bytes or str, errors."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

import synthetic
from complysim_analysis import ResultsFormatError, load


def test_runs_frame_full(files):
    path, info = files["full"]
    r = load(path)
    n = info["n_runs"]
    assert len(r.runs) == n
    assert r.runs["run"].tolist() == list(range(n))
    for col, dtype in [("run", np.int64), ("point", np.int64), ("replicate", np.int64),
                       ("seed", np.uint64), ("status", np.int8), ("design_index", np.int64)]:
        assert r.runs[col].dtype == dtype, col
    assert r.runs["design"].tolist() == [info["designs"][i] for i in info["design_idx"]]
    assert r.runs["status"].tolist() == info["status"].tolist()
    assert r.runs.loc[3, "status_name"] == "failed"
    assert "synthetic failure" in r.runs.loc[3, "message"]
    assert r.runs.loc[0, "message"] == ""
    # Parameters by dotted name, in /design/parameters order.
    assert r.params == ["law.vagueness", "regulator.monitoring_rate"]
    np.testing.assert_array_equal(r.runs["law.vagueness"], info["samples"][info["point"], 0])
    assert r.param_units["law.vagueness"] == "sensitivity"
    # Scalar and per-platform outcome columns.
    for name in synthetic.SCALAR_OUTCOMES:
        assert r.runs[name].dtype == np.float64
        np.testing.assert_array_equal(r.runs[name], info["scalar"][name])
    for name in synthetic.PLATFORM_OUTCOMES:
        assert r.outcomes[name].platforms == synthetic.PLATFORMS
        for j, p in enumerate(synthetic.PLATFORMS):
            np.testing.assert_array_equal(r.runs[f"{name}[{p}]"], info["per_platform"][name][:, j])
    assert len(r.outcome_columns()) == len(synthetic.SCALAR_OUTCOMES) + 3 * len(synthetic.PLATFORM_OUTCOMES)
    assert np.isnan(r.runs.loc[1, "over_removal_share"])  # undefined value stays NaN
    assert np.isnan(r.runs.loc[3, "self_censorship_rate"])  # failed run


def test_platform_outcomes_long(files):
    path, info = files["full"]
    r = load(path)
    po = r.platform_outcomes
    assert list(po.columns) == ["run", "design", "point", "replicate", "status", "platform",
                                "outcome", "value"]
    assert len(po) == info["n_runs"] * 3 * len(synthetic.PLATFORM_OUTCOMES)
    row = po[(po["run"] == 5) & (po["platform"] == "video_sharing") & (po["outcome"] == "platform_revenue")]
    assert row["value"].item() == info["per_platform"]["platform_revenue"][5, 1]


def test_provenance_and_design(files):
    path, info = files["sobol"]
    r = load(path)
    p = r.provenance
    assert p["format"] == "complysim-results" and p["format_version"] == 1
    assert p["overrides"] == ["law.vagueness=0.2"]
    assert p["seed"] == 7 and p["start_date"] == "2018-01-01"
    assert "[simulation]" in r.scenario_toml
    d = r.design
    assert d["kind"] == "sobol" and d["sobol_base_samples"] == 64 and d["replicates"] == 1
    assert d["names"] == ["baseline", "strict"]
    assert d["parameters"] == synthetic.ISHIGAMI_PARAMS
    assert d["samples"].shape == (64 * 5, 3)
    assert d["block"].tolist() == np.repeat(np.arange(5), 64).tolist()


def test_timeseries_long(files):
    path, info = files["single2"]
    r = load(path)
    ts = r.timeseries
    assert list(ts.columns) == ["run", "design", "point", "replicate", "status", "day", "date",
                                "platform", "outcome", "value"]
    n_series = 2 + 3  # two scalar outcomes + one per-platform outcome with 3 platforms
    assert len(ts) == info["n_runs"] * info["records"] * n_series
    assert ts["day"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(ts["date"])
    first = ts[(ts["outcome"] == "self_censorship_rate") & (ts["run"] == 0)]
    assert first["platform"].isna().all()
    assert first["date"].iloc[0] == pd.Timestamp("2018-01-01") + pd.Timedelta(days=int(info["days"][0]))
    plat = ts[(ts["outcome"] == "takedown_compliance_rate") & (ts["run"] == 2) & (ts["day"] == info["days"][3])]
    assert plat["platform"].tolist() == synthetic.PLATFORMS
    data, platforms = r.timeseries_array("takedown_compliance_rate")
    assert data.shape == (info["n_runs"], info["records"], 3) and platforms == synthetic.PLATFORMS
    np.testing.assert_array_equal(plat["value"], data[2, 3])


def test_no_start_date_gives_nat(files):
    r = load(files["nodate"][0])
    assert r.start_date == "" and r.dates is None
    assert r.timeseries["date"].isna().all()


def test_bytes_strings(tmp_path):
    """Fixed-length byte strings (as some writers produce) read like str."""
    path = tmp_path / "bytes.h5"
    synthetic.write_results(str(path), "grid", designs=("a", "b"), replicates=1,
                            scalar_outcomes=["self_censorship_rate"], platform_outcomes=["platform_revenue"])
    with h5py.File(path, "r+") as f:
        f.attrs["format"] = np.bytes_(b"complysim-results")
        f.attrs["start_date"] = np.bytes_(b"2018-01-01")
        del f["design/names"]
        f["design/names"] = np.array([b"a", b"b"], dtype="S1")
        ds = f["runs/outcomes/platform_revenue"]
        ds.attrs["platforms"] = np.array([p.encode() for p in synthetic.PLATFORMS], dtype="S13")
        del f["runs/message"]
        f["runs/message"] = np.array([b""] * f["runs/point"].shape[0], dtype="S1")
    r = load(path)
    assert set(r.runs["design"]) == {"a", "b"}
    assert "platform_revenue[global_social]" in r.runs.columns
    assert r.start_date == "2018-01-01"
    assert r.runs["message"].map(type).eq(str).all()


def test_rejects_other_files(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(ResultsFormatError, match="not a complysim results file"):
        load(other)
    text = tmp_path / "text.h5"
    text.write_text("hello")
    with pytest.raises(ResultsFormatError, match="not an HDF5 file"):
        load(text)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.h5")
    newer = tmp_path / "newer.h5"
    synthetic.write_results(str(newer), "single", replicates=1, scalar_outcomes=["self_censorship_rate"],
                            platform_outcomes=[])
    with h5py.File(newer, "r+") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(ResultsFormatError, match="format_version 99"):
        load(newer)


def test_reads_format_1_and_2(tmp_path):
    """Model v1 files (format_version 1, no model_spec_version) and model v2
    files (format_version 2, model_spec_version 2, six more outcomes) both load."""
    import h5py

    v1 = tmp_path / "v1.h5"
    synthetic.write_results(v1)
    r1 = load(v1)
    assert r1.provenance["format_version"] == 1 and r1.provenance["model_spec_version"] == 1
    v2 = tmp_path / "v2.h5"
    synthetic.write_results(v2)
    with h5py.File(v2, "r+") as f:
        f.attrs["format_version"] = np.int64(2)
        f.attrs["model_spec_version"] = np.int64(2)
        src = f["runs/outcomes/self_censorship_rate"]
        d = f["runs/outcomes"].create_dataset("legal_chilling_rate", data=src[()] * 0.5)
        for k, v in src.attrs.items():
            d.attrs[k] = v
        ts = f["timeseries/self_censorship_rate"]
        d = f["timeseries"].create_dataset("legal_chilling_rate", data=ts[()] * 0.5)
        for k, v in ts.attrs.items():
            d.attrs[k] = v
    r2 = load(v2)
    assert r2.provenance["format_version"] == 2 and r2.provenance["model_spec_version"] == 2
    assert np.allclose(r2.runs["legal_chilling_rate"], r2.runs["self_censorship_rate"] * 0.5, equal_nan=True)
    assert "legal_chilling_rate" in r2.outcomes
