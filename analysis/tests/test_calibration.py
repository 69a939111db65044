"""The calibration scorer (complysim_analysis.calibration) on synthetic data
with a known answer."""
import numpy as np
import pandas as pd
import pytest

from complysim_analysis.calibration import period_table, read_targets, score


def _targets():
    return pd.DataFrame({
        "model_platform": ["a", "a", "b"],
        "period_start": pd.to_datetime(["2019-01-01", "2019-03-01", "2019-01-01"]),
        "period_end": pd.to_datetime(["2019-01-31", "2019-03-31", "2019-03-31"]),
        "value": [0.25, 0.70, 0.90],
        "platforms": ["x", "x", "y"],
    })


def _dates():
    # weekly records: last day of each 7-day interval from 2019-01-01
    return pd.date_range("2019-01-07", periods=14, freq="7D").to_numpy()


def test_exact_model_scores_zero():
    d = _dates()
    a = np.where(d < np.datetime64("2019-02-15"), 0.25, 0.70)
    series = {"a": np.vstack([a, a]), "b": np.full((2, len(d)), 0.90)}
    t = period_table(d, series, _targets())
    assert t["model"].tolist() == pytest.approx([0.25, 0.70, 0.90])
    assert score(t) == pytest.approx(0.0)


def test_known_squared_error_with_weights_and_nan():
    d = _dates()
    # run 0 is 0.1 above, run 1 is 0.3 above the targets: mean 0.2 above; one NaN week is skipped.
    a = np.where(d < np.datetime64("2019-02-15"), 0.25, 0.70)
    s = np.vstack([a + 0.1, a + 0.3])
    s[0, 1] = np.nan
    series = {"a": s, "b": np.full((2, len(d)), 0.5)}  # 0.4 below
    t = period_table(d, series, _targets(), weights={"a": 1.0, "b": 2.0})
    assert t["error"].tolist() == pytest.approx([0.2, 0.2, -0.4])
    assert score(t) == pytest.approx(0.04 + 0.04 + 2 * 0.16)
    # period 1 (January, records ending up to 6 days after 31 Jan) holds 5 weekly records
    assert t["n_records"].tolist()[0] == 5


def test_undefined_period_costs_the_penalty():
    d = _dates()
    series = {"a": np.full((1, len(d)), np.nan), "b": np.full((1, len(d)), 0.9)}
    t = period_table(d, series, _targets())
    assert np.isnan(t["model"].iloc[0])
    assert score(t, missing_penalty=1.0) == pytest.approx(2.0)


def test_read_targets_maps_and_merges(tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text(
        "period_start,period_end,platform,metric,value,unit,note,source\n"
        "2019-11-01,2019-11-30,facebook,takedown_compliance_rate,0.70,share,,s\n"
        "2020-01-01,2020-12-31,youtube,takedown_compliance_rate,0.90,share,,s\n"
        "2020-01-01,2020-10-31,google,takedown_compliance_rate,0.80,share,,s\n"
        "2020-02-15,2020-04-05,facebook,event_throttling,1,flag,,s\n"
        "2021-01-01,2021-12-31,facebook,takedown_compliance_rate,0.99,share,,s\n")
    t = read_targets(str(csv))
    assert t["model_platform"].tolist() == ["global_social", "video_sharing"]
    assert t["value"].tolist() == pytest.approx([0.70, 0.85])  # Google and YouTube 2020 averaged
    assert t["period_end"].iloc[1] == pd.Timestamp("2020-12-31")
