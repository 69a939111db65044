"""The ABC-SMC machinery of complysim_analysis.calibrate, without the model:
importance weights, weighted quantiles, the targets table, points files, and
a whole ABC-SMC on a toy simulator whose posterior is known. The real runs
(calibrate --quick, --recover) are ctest tests in tests/calibrate.cmake."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from complysim_analysis import calibrate as cal

ANALYSIS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_pmc_weights_match_the_formula():
    rng = np.random.default_rng(1)
    old = rng.normal(size=(30, 3))
    w_old = rng.random(30)
    new = rng.normal(size=(12, 3))
    cov = np.array([[1.0, 0.3, 0.0], [0.3, 2.0, 0.1], [0.0, 0.1, 0.5]])
    direct = np.array([1.0 / sum(w_old[j] / w_old.sum() * multivariate_normal.pdf(x, old[j], cov) for j in range(30))
                       for x in new])
    assert cal.pmc_weights(new, old, w_old, cov) == pytest.approx(direct / direct.sum(), rel=1e-9)


def test_weighted_quantile_and_cov():
    x = np.array([3.0, 1.0, 2.0, 10.0])
    assert cal.weighted_quantile(x, np.ones(4), [0.5])[0] == pytest.approx(2.5)
    # All the weight on one value: every quantile is that value.
    assert cal.weighted_quantile(x, np.array([0, 0, 0, 1.0]), [0.05, 0.95]) == pytest.approx([10, 10])
    u = np.random.default_rng(2).normal(size=(4000, 2)) @ np.array([[1, 0.5], [0, 1]])
    assert cal.weighted_cov(u, np.ones(4000)) == pytest.approx(np.cov(u.T), rel=1e-9)


def test_mixture_quantile_is_the_predictive_of_runs_plus_observation_error():
    # One run: the observation is N(m, sd^2), so its 5% and 95% points are m -+ 1.645 sd.
    assert cal.mixture_quantile(np.array([0.8]), np.ones(1), 0.075, [0.05, 0.5, 0.95]) == pytest.approx(
        [0.8 - 1.6449 * 0.075, 0.8, 0.8 + 1.6449 * 0.075], abs=1e-4)
    # Weighted runs (one without weight): the exact mixture agrees with a large sample of runs
    # plus drawn errors.
    rng = np.random.default_rng(3)
    m, w = np.array([0.3, 0.6, 0.9, 5.0]), np.array([0.2, 0.5, 0.3, 0.0])
    draws = rng.choice(m, size=400_000, p=w) + rng.normal(scale=0.1, size=400_000)
    assert cal.mixture_quantile(m, w, 0.1, [0.05, 0.5, 0.95]) == pytest.approx(
        np.quantile(draws, [0.05, 0.5, 0.95]), abs=3e-3)
    # No observation error: the weighted sample itself.
    assert cal.mixture_quantile(m, w, 0.0, [0.05, 0.95]) == pytest.approx(cal.weighted_quantile(m, w, [0.05, 0.95]))
    with pytest.raises(ValueError):
        cal.mixture_quantile(m, np.zeros(4), 0.1, [0.5])
    with pytest.raises(ValueError):
        cal.mixture_quantile(m, w, -0.1, [0.5])


def test_bootstrap_coverage_tells_a_firm_verdict_from_a_fragile_one():
    # Twenty particles with two runs each, equal weights, observation error 0.05.
    rng = np.random.default_rng(5)
    y = np.repeat(np.linspace(0.2, 0.6, 20), 2)
    point = np.repeat(np.arange(20), 2)
    w = np.ones(20)
    # Deep inside every resampled interval, and far outside every one.
    assert cal.bootstrap_coverage(y, point, w, 0.05, 0.4, True, rng, draws=50) == 1.0
    assert cal.bootstrap_coverage(y, point, w, 0.05, 0.95, True, rng, draws=50) == 0.0
    # On the full sample's 95th percentile: some resampled intervals reach it, some do not.
    q95 = cal.mixture_quantile(y, w[point], 0.05, [0.95])[0]
    assert 0.1 < cal.bootstrap_coverage(y, point, w, 0.05, q95, True, rng, draws=200) < 0.9
    # Drawn particles keep their weights: with all the weight on the lowest one, every
    # interval sits around 0.2.
    only = np.zeros(20)
    only[0] = 1.0
    assert cal.bootstrap_coverage(y, point, only, 0.05, 0.45, True, rng, draws=20) == 0.0
    # No draw with any weight: no verdict, rather than an error.
    assert np.isnan(cal.bootstrap_coverage(y, point, np.zeros(20), 0.05, 0.45, True, rng, draws=5))


def test_repository_targets_are_valid_and_end_in_2020():
    t = cal.read_targets()
    assert len(t) == 22
    assert pd.to_datetime(t["period_end"]).max() <= pd.Timestamp("2020-12-31")
    assert set(t["kind"]) == {"window_mean", "window_total", "window_total_honoured", "window_arrests", "window_status"}
    assert (t["obs_sd"] > 0).all()


def test_targets_after_2020_are_refused(tmp_path):
    t = pd.read_csv(cal.TARGETS, keep_default_na=False)
    t.loc[0, "period_end"] = "2021-03-31"
    p = tmp_path / "t.csv"
    t.to_csv(p, index=False)
    with pytest.raises(cal.CalibrationError, match="after 2020"):
        cal.read_targets(str(p))


def test_expected_outcomes_are_not_floored_at_the_sample_resolution():
    """The targets compare with expected_* outcomes (no coin flips): only LOG_FLOOR applies."""
    t = cal.read_targets()
    assert t.loc[t["kind"] != "window_status", "outcome"].str.startswith("expected_").all()
    assert (cal.floors(t, users=1000) == cal.LOG_FLOOR).all()


def test_log_targets_are_floored_at_the_sample_resolution():
    """A realised count (users_sanctioned_per_100k) is resolved only to half an event in the sample."""
    t = cal.read_targets()
    arrests = t["kind"] == "window_arrests"
    t.loc[arrests, "outcome"] = "users_sanctioned_per_100k"
    f = cal.floors(t, users=10000)
    assert f[arrests.to_numpy()] == pytest.approx(0.5 * 70e6 / 10000, rel=0.01)  # half a sanction, one year
    # A run with no sanction against an observation below the resolution: z = 0 for that target.
    values = np.zeros((1, len(t)))
    z = cal.z_scores(values, t, floor=f)
    assert z[0, arrests.to_numpy()] == pytest.approx(0.0)
    # ... one sanction in the sample is about log(2) / 0.46 = 1.5 sd above it, ten are 6.5 sd above.
    values[0, arrests.to_numpy()] = 70e6 / 10000
    assert cal.z_scores(values, t, floor=f)[0, arrests.to_numpy()] == pytest.approx(
        np.log(70e6 / 10000 / f[arrests.to_numpy()]) / 0.46)
    assert (f[arrests.to_numpy()] > 3400).all()
    values[0, arrests.to_numpy()] = 10 * 70e6 / 10000
    assert (cal.z_scores(values, t, floor=f)[0, arrests.to_numpy()] > 6).all()


def test_points_file_round_trip(tmp_path):
    theta = cal.to_natural(np.array([[p.u_lo for p in cal.PARAMETERS], [p.u_hi for p in cal.PARAMETERS]]))
    p = tmp_path / "pts.csv"
    cal.write_points(str(p), theta, np.array([0.25, 0.75]), comment="two lines\nof comment")
    text = p.read_text().splitlines()
    assert text[0] == "# two lines" and text[1] == "# of comment"
    back = pd.read_csv(p, comment="#")
    names = [c for prm in cal.PARAMETERS for c in prm.columns]
    assert list(back.columns) == names + ["weight"]
    assert back["platform.prior_credibility"].tolist() == [0.001, 0.9]  # 17 digits: exact
    assert (back["platforms.global_social.rationality"] == back["platforms.video_sharing.rationality"]).all()


def _toy_targets(d: int) -> pd.DataFrame:
    return pd.DataFrame(dict(target=[f"t{k}" for k in range(d)], kind="window_mean", outcome="x", platform="",
                             period_start="2019-01-01", period_end="2019-12-31", value=0.0, scale="linear",
                             obs_sd=0.05))


def test_abc_smc_recovers_a_toy_posterior():
    """A simulator that returns each parameter's position in its prior range (0..1) plus
    N(0, 0.05) noise and the observation error N(0, 0.1) (ABC under the error model, so that
    a low tolerance does not shrink the posterior below the observation's own spread), one
    target per parameter with observation error 0.1: ABC-SMC must move every marginal towards
    the observation, narrow it below the prior, keep the weights normalised, lower the
    tolerance each generation, and its 90% intervals cover the truth."""
    d = len(cal.PARAMETERS)
    lo, hi = cal.prior_lo_hi()
    targets = _toy_targets(d)
    targets["obs_sd"] = 0.1
    use = np.ones(d, bool)
    rng = np.random.default_rng(7)

    def simulate(u, g):
        x = (u - lo) / (hi - lo)
        return x + rng.normal(scale=0.05, size=x.shape) + rng.normal(scale=0.1, size=x.shape)

    truth = np.array([[0.2, 0.8, 0.5, 0.35, 0.6, 0.1, 0.9, 0.45, 0.3, 0.55, 0.4, 0.7, 0.25],
                      [0.7, 0.3, 0.15, 0.55, 0.4, 0.85, 0.25, 0.65, 0.75, 0.2, 0.6, 0.35, 0.8]])[:, :d]
    assert truth.shape == (2, d), "add a truth per parameter"
    observed = truth + rng.normal(scale=0.1, size=truth.shape)
    # With 12 parameters, a simulator without the observation error and the weights of the time
    # (each generation's own prior / proposal, on different scales), the 90% intervals covered
    # only half of the truths (12 of 24 on this seed); with the error in the simulator, 24 of 24.
    # With 13 parameters and the pooled weights (mixture_log_density): 26 of 26 with the error
    # (ESS 32 and 36 of 200; 9 and 15 with the old weights), 26 of 26 without (ESS 62 and 72;
    # 24 of 26 and ESS 4 and 6 with the old weights).
    s = cal.Settings(particles=200, proposals=400, generations=12, initial_proposals=400)
    pops, eps = cal.abc_smc(simulate, observed, targets, use, s, rng, log=lambda m: None)
    assert len(pops) == 2 and all(len(p.w) == 200 for p in pops)
    for k in range(2):
        assert all(eps[g + 1][k] < eps[g][k] for g in range(len(eps) - 1))  # the tolerance falls
    covered, widths = 0, []
    for k, pop in enumerate(pops):
        assert pop.w.sum() == pytest.approx(1.0)
        assert pop.d.max() == pytest.approx(eps[-1][k])
        x = (pop.u - lo) / (hi - lo)
        for j in range(d):
            q05, q50, q95 = cal.weighted_quantile(x[:, j], pop.w, [0.05, 0.5, 0.95])
            covered += q05 <= truth[k, j] <= q95
            widths.append(q95 - q05)
            assert abs(q50 - observed[k, j]) < 0.25
    assert max(widths) < 0.9  # every interval narrower than the prior's 90% interval (0.9)
    assert np.mean(widths) < 0.6  # and on average well below it (the exact posterior's is 0.37)
    assert covered >= 0.75 * 2 * d


def test_inside_share_is_the_proposal_mass_inside_the_prior_box():
    """propose() redraws until inside the box, so its density is q / Z: Z must be the share of the
    kernel mixture inside. A particle on the lower edge of one parameter's range (and in the middle
    of the others, with a narrow kernel) has half its kernel outside: Z = 1/2; one in the middle, 1."""
    lo, hi = cal.prior_lo_hi()
    d = len(lo)
    rng = np.random.default_rng(3)
    centre = (lo + hi) / 2 + np.zeros((20, d))
    centre[:, 1:] += rng.normal(scale=1e-3, size=(20, d - 1)) * (hi - lo)[1:]  # a kernel of 1e-3 of the range
    edge = centre.copy()
    edge[:, 0] = lo[0]
    w = np.full(20, 1 / 20)
    z_edge = cal.inside_share(cal.Population(edge, w, np.zeros(20), 1.0), rng)
    z_centre = cal.inside_share(cal.Population(centre, w, np.zeros(20), 1.0), rng)
    assert z_edge == pytest.approx(0.5, abs=0.01)
    assert z_centre == pytest.approx(1.0)
    # The proposals are all inside, whichever the share.
    u = cal.propose(cal.Population(edge, w, np.zeros(20), 1.0), 500, rng)
    assert np.all((u >= lo) & (u <= hi))


def test_abc_smc_on_uninformative_data_returns_the_prior_with_a_large_ess():
    """Distances that do not depend on the parameters: every generation's particles are a sample
    of the prior whatever their proposal, so the weighted population must be the prior (each
    marginal's 90% interval near the prior's 0.05 .. 0.95 of the range) and the weights of the
    generations must be on one scale (prior / the pooled proposal density): an ESS well above the
    few particles that weights on different scales (the proposal's mass outside the box left out,
    or the prior density counted twice) leave with nearly all the weight."""
    lo, hi = cal.prior_lo_hi()
    d = len(lo)
    targets = _toy_targets(d)
    use = np.ones(d, bool)
    rng = np.random.default_rng(11)

    def simulate(u, g):
        return rng.normal(size=u.shape)  # says nothing about u

    s = cal.Settings(particles=200, proposals=200, generations=5, initial_proposals=400)
    pops, _ = cal.abc_smc(simulate, np.zeros((1, d)), targets, use, s, rng, log=lambda m: None)
    pop = pops[0]
    ess = 1.0 / np.sum(pop.w ** 2)
    assert ess > 0.25 * s.particles, ess  # 62 of 200 on this seed; 30 with the weights on different scales
    x = (pop.u - lo) / (hi - lo)
    for j in range(d):
        q05, q50, q95 = cal.weighted_quantile(x[:, j], pop.w, [0.05, 0.5, 0.95])
        assert q05 < 0.2 and q95 > 0.8 and 0.3 < q50 < 0.7, (j, q05, q50, q95)


def test_summarise_reports_intervals_on_the_prior_scale():
    d = len(cal.PARAMETERS)
    lo, hi = cal.prior_lo_hi()
    u = np.tile((lo + hi) / 2, (5, 1))
    pop = cal.Population(u, np.full(5, 0.2), np.zeros(5), 0.0)
    tab = cal.summarise(pop)
    assert len(tab) == d
    assert (tab["width_share"] == 0).all()
    rep = tab.set_index("parameter").loc["reputation_weight[global_social]"]
    assert rep["median"] == pytest.approx(1e4)  # geometric centre of 0.1 .. 1e9


def test_binary_errors_are_one_line(tmp_path, monkeypatch):
    """A missing --binary, or neither default build location: one `error:` line, exit 2."""
    out = subprocess.run([sys.executable, os.path.join(ANALYSIS, "calibrate.py"), "--quick", "--binary",
                          str(tmp_path / "nope"), "-o", str(tmp_path / "o")], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.strip().splitlines() == [f"error: --binary {tmp_path / 'nope'}: no such executable"]
    monkeypatch.setattr(cal, "DEFAULT_BINARIES", [str(tmp_path / "build" / "release" / "sim" / "complysim"),
                                                  str(tmp_path / "build" / "sim" / "complysim")])
    with pytest.raises(cal.CalibrationError, match="no complysim binary"):
        cal.find_binary(None)
    second = tmp_path / "build" / "sim" / "complysim"
    second.parent.mkdir(parents=True)
    second.write_text("#!/bin/sh\n")
    second.chmod(0o755)
    assert cal.find_binary(None) == str(second)


def test_systematic_resampling_and_platform_draws(tmp_path):
    rng = np.random.default_rng(3)
    w = np.array([0.5, 0.25, 0.125, 0.125, 0.0])
    idx = cal.systematic_resample(w, 64, rng)
    counts = np.bincount(idx, minlength=5)
    assert counts.tolist() == [32, 16, 8, 8, 0]
    theta = cal.to_natural(np.tile(np.array([p.u_lo for p in cal.PARAMETERS]), (5, 1)))
    theta[:, 0] = [1, 2, 3, 4, 5]
    p = tmp_path / "d.csv"
    j = [q.label for q in cal.PARAMETERS].index("attention_growth[global_social]")
    theta[:, j] = [-1.0, 0.5, 0.0, 0.0, 0.0]
    cal.write_platform_draws(str(p), theta, w, rng, header="h", days=731)
    df = pd.read_csv(p, comment="#")
    assert len(df) == cal.PLATFORM_DRAW_COUNT
    assert all(c.startswith("platform") for c in df.columns)
    # the attention trend is given as the attention it reaches on the last day, not as a trend
    assert "platforms.global_social.attention_growth" not in df.columns
    # the 2018 crackdown's size is left out: it applies only while an event holds it active
    assert "platforms.global_social.attention_surge" not in df.columns
    att = df["platforms.global_social.regulator_attention"].to_numpy()
    rw = df["platforms.global_social.reputation_weight"].to_numpy()
    assert np.allclose(att[rw == 1], np.exp(-2.0)) and np.allclose(att[rw == 2], np.exp(1.0))
    assert np.allclose(att[rw >= 3], 1.0)
    assert "regulator.escalation_credibility" not in df.columns and "weight" not in df.columns
    assert np.bincount(df["platforms.global_social.reputation_weight"].astype(int), minlength=6)[1:].tolist() == [32, 16, 8, 8, 0]


def test_the_sanction_history_is_matched_exactly_and_weights_each_point():
    """Two points, four replicates each: point 0 throttles in one replicate, point 1 in all four.
    Point 0's share is 3/4 and its summaries are the mean of the three runs that reproduce the
    observed history (no throttling); point 1 reproduces it in none (share 0, summaries NaN).
    In ABC-SMC a point that never reproduces the history is never kept, however close its other
    targets, and a kept point's weight carries its share."""
    targets = pd.concat([_toy_targets(1), _toy_targets(1)], ignore_index=True)
    targets.loc[1, ["target", "kind", "outcome"]] = ["no_sanction", "window_status", "platform_status"]
    exact = cal.exact_targets(targets)
    assert exact.tolist() == [False, True]
    observed = np.array([0.5, 0.0])
    values = np.array([[0.1, 0.0], [0.2, 0.0], [0.3, 0.02], [0.3, 0.0],
                       [0.5, 0.1], [0.5, 0.1], [0.5, 0.2], [0.5, 0.1]])
    point = np.repeat([0, 1], 4)
    summ, share = cal.point_summaries(cal.Batch(values, point), 2, exact, observed)
    assert share.tolist() == [0.75, 0.0]
    assert summ[0, 0] == pytest.approx(0.2) and np.isnan(summ[1, 0])
    # A run throttled where the record says so (a synthetic data set) matches only throttled runs.
    assert cal.history_matches(values, exact, np.array([0.5, 0.05])).tolist() == [False] * 2 + [True] + [False] + [True] * 4

    # ABC-SMC: points whose first coordinate is above the prior's middle throttle in every run
    # but fit the other target exactly; the rest miss it by 8 sd. With the history's obs_sd made
    # huge, a distance would keep the throttling points; matched exactly, none of them is kept.
    targets.loc[1, "obs_sd"] = 1e6
    lo, hi = cal.prior_lo_hi()
    rng = np.random.default_rng(3)

    def simulate(u, g):
        throttles = (u[:, 0] - lo[0]) / (hi[0] - lo[0]) > 0.5
        return np.column_stack([np.where(throttles, 0.5, 0.9), throttles.astype(float)])

    s = cal.Settings(particles=20, proposals=40, generations=2, initial_proposals=80)
    pops, _ = cal.abc_smc(simulate, observed[None, :], targets, np.ones(2, bool), s, rng, log=lambda m: None)
    x0 = (pops[0].u[:, 0] - lo[0]) / (hi[0] - lo[0])
    assert np.all(x0[pops[0].w > 0] <= 0.5) and pops[0].w.sum() == pytest.approx(1.0)


def test_sanction_history_rules_all_and_likelihood_differ():
    """Points above the prior's middle (first coordinate) throttle in one of their two runs and
    fit the other target exactly; the rest never throttle and miss it by 8 sd. Rule "all" keeps
    none of the first (not every run reproduces the record); rule "likelihood" keeps only them
    (they fit best), each weighted by its share of runs that reproduce it."""
    targets = pd.concat([_toy_targets(1), _toy_targets(1)], ignore_index=True)
    targets.loc[1, ["target", "kind", "outcome"]] = ["no_sanction", "window_status", "platform_status"]
    observed = np.array([[0.5, 0.0]])
    lo, hi = cal.prior_lo_hi()

    def simulate(u, g):
        throttles = (u[:, 0] - lo[0]) / (hi[0] - lo[0]) > 0.5
        fit = np.where(throttles, 0.5, 0.9)
        values = np.column_stack([np.repeat(fit, 2), np.stack([throttles, np.zeros(len(u), bool)], 1).ravel()])
        return cal.Batch(values.astype(float), np.repeat(np.arange(len(u)), 2))

    kept = {}
    for rule in ("all", "likelihood"):
        s = cal.Settings(particles=20, proposals=40, generations=1, initial_proposals=80, sanction_history=rule)
        pop = cal.abc_smc(simulate, observed, targets, np.ones(2, bool), s, np.random.default_rng(5),
                          log=lambda m: None)[0][0]
        kept[rule] = (pop.u[:, 0] - lo[0]) / (hi[0] - lo[0]) > 0.5
        if rule == "likelihood":
            assert kept[rule].all() and np.allclose(pop.w, 1 / 20)  # all throttle half the time: equal weights
    assert not kept["all"].any()


def test_rule_all_gives_no_weight_to_points_it_rules_out():
    """When fewer than N points reproduce the record in every run, the population is filled with
    ruled-out points (infinite distance); they must carry no weight, and the tolerance is that of
    the kept ones."""
    targets = pd.concat([_toy_targets(1), _toy_targets(1)], ignore_index=True)
    targets.loc[1, ["target", "kind", "outcome"]] = ["no_sanction", "window_status", "platform_status"]
    lo, hi = cal.prior_lo_hi()

    def simulate(u, g):
        throttles = (u[:, 0] - lo[0]) / (hi[0] - lo[0]) > 0.1  # 90 % of the prior throttles in one run of two
        values = np.column_stack([np.full(2 * len(u), 0.5),
                                  np.stack([throttles, np.zeros(len(u), bool)], 1).ravel()])
        return cal.Batch(values.astype(float), np.repeat(np.arange(len(u)), 2))

    s = cal.Settings(particles=20, proposals=40, generations=1, initial_proposals=80)
    pop = cal.abc_smc(simulate, np.array([[0.5, 0.0]]), targets, np.ones(2, bool), s, np.random.default_rng(2),
                      log=lambda m: None)[0][0]
    ruled_out = ~np.isfinite(pop.d)
    assert ruled_out.any() and (~ruled_out).any()
    assert np.all(pop.w[ruled_out] == 0) and pop.w.sum() == pytest.approx(1.0)
    assert np.isfinite(pop.eps)


def test_attention_at_end_is_the_trend_reached_and_the_rate_it_gives():
    """Two equal-weight particles with attention growth -1 and -1 a year over a 366-day timeline:
    attention exp(-1) on day 365; the platform's rate is the monitoring rate's end value times it,
    at most 1."""
    names = [p.label for p in cal.PARAMETERS]
    theta = cal.to_natural(np.tile(np.array([(p.u_lo + p.u_hi) / 2 for p in cal.PARAMETERS]), (2, 1)))
    theta[:, names.index("attention_growth[global_social]")] = -1.0
    theta[:, names.index("monitoring_rate")] = 1e-6
    theta[:, names.index("monitoring_growth")] = 0.5
    e = cal.attention_at_end(theta, np.array([0.5, 0.5]), 366)["global_social"]
    assert e["day"] == 365
    assert np.isclose(e["median"], np.exp(-1.0)) and np.isclose(e["q05"], np.exp(-1.0))
    assert np.isclose(e["rate_median"], 1e-6 * np.exp(0.5) * np.exp(-1.0))
    theta[:, names.index("monitoring_rate")] = 0.09
    theta[:, names.index("attention_growth[global_social]")] = 3.0
    assert cal.attention_at_end(theta, np.array([0.5, 0.5]), 366)["global_social"]["rate_median"] == 1.0
