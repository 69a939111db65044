#!/usr/bin/python3
"""Reference implementation of complysim's model in vectorised NumPy / SciPy.

Independent of the C++ code: the same user, platform and regulator rules as
docs/model.md, written the way a Python modeller would write them -- every rule
vectorised over users (or over one "round" of items: the r-th item of every
user who has one), the network a scipy.sparse CSR matrix, the platforms'
quantal-response choice one broadcast over the (c, d, tau) grid. It has its own
random numbers (NumPy's Philox generator), so it agrees with complysim
statistically, not bitwise.

Serves twice (issue 7): as the baseline of the speed ratio in benchmarks/run,
and as an independent check of the model (tests/reference.cmake).

Scope: one jurisdiction, no [[events]], networks small_world and random (the
rules of docs/model.md; the generators of docs/model.md / network.hpp). Fields
missing from the scenario file take their defaults from docs/parameters.md, the
table generated from complysim's one parameter table. `extends` is followed.

Usage: complysim_ref.py SCENARIO [--users N] [--days N] [--replicates N]
       [--seed N] [--set name=value ...] [--json]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import time
import tomllib

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, ndtr

ROOT = pathlib.Path(__file__).resolve().parents[2]
NEVER = -(2**30)
SHORTFALL_WIDTH = 0.02          # docs/model.md: width of the "falls short" logistic
LOCALIZATION_HORIZON = 365.0    # docs/model.md: one-year horizon of the localisation gain
BINS = 20                       # sensitivity bins a platform tallies

SCALAR_OUTCOMES = [
    "self_censorship_rate", "lawful_self_censorship_rate", "silenced_user_share", "posted_per_user_day",
    "takedown_requests", "over_removal_share", "unlawful_visible_share", "users_sanctioned_per_100k",
    "mean_perceived_risk",
]
PLATFORM_OUTCOMES = [
    "takedown_compliance_rate", "data_request_compliance_rate", "platform_status", "platform_localized",
    "escalation_level", "platform_revenue",
]


# --------------------------------------------------------------------------- scenario
def load_defaults() -> tuple[dict, dict]:
    """Defaults from docs/parameters.md: ({section: {key: value}}, {platform key: value})."""
    sections: dict[str, dict] = {}
    platform: dict = {}
    row = re.compile(r"^\| `([a-z_.<>]+)` \| [^|]* \| `([^`]*)` \|")
    for line in (ROOT / "docs" / "parameters.md").read_text().splitlines():
        m = row.match(line)
        if not m:
            continue
        name, raw = m.groups()
        value = tomllib.loads(f"v = {raw}")["v"]
        parts = name.split(".")
        if parts[0] == "platforms":
            platform[parts[2]] = value
        elif parts[0] != "jurisdictions":
            sections.setdefault(parts[0], {})[parts[1]] = value
    return sections, platform


def read_toml(path: pathlib.Path) -> dict:
    doc = tomllib.loads(path.read_text())
    if "extends" in doc:
        base = read_toml(path.parent / doc.pop("extends"))
        for k, v in doc.items():
            if isinstance(v, dict) and isinstance(base.get(k), dict):
                base[k] = {**base[k], **v}
            else:
                base[k] = v
        doc = base
    return doc


def load_scenario(path: str, sets: list[str]) -> dict:
    defaults, platform_defaults = load_defaults()
    doc = read_toml(pathlib.Path(path))
    if len(doc.get("jurisdictions", [])) > 1:
        raise SystemExit("complysim_ref: only one jurisdiction is supported")
    if doc.get("events"):
        raise SystemExit("complysim_ref: [[events]] are not supported")
    sc = {sec: {**vals, **doc.get(sec, {})} for sec, vals in defaults.items()}
    for j in doc.get("jurisdictions", []):  # a single jurisdiction: its tables override the top level
        for sec in ("law", "regulator"):
            sc[sec].update(j.get(sec, {}))
    sc["platforms"] = [{**platform_defaults, **p} for p in doc.get("platforms", [])]
    if not sc["platforms"]:
        raise SystemExit("complysim_ref: the scenario has no [[platforms]]")
    for s in sets:
        name, raw = s.split("=", 1)
        parts = name.split(".")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        if parts[0] == "platforms":
            next(p for p in sc["platforms"] if p["name"] == parts[1])[parts[2]] = value
        else:
            sc[parts[0]][parts[1]] = value
    return sc


# --------------------------------------------------------------------------- set-up
def beta_mean(rng: np.random.Generator, mean, conc, size=None):
    """Beta with the given mean and concentration alpha + beta; mean 0 or 1 gives exactly 0 or 1."""
    mean = np.asarray(mean, dtype=float)
    if mean.ndim == 0:
        if mean <= 0:
            return np.zeros(size)
        if mean >= 1:
            return np.ones(size)
    return rng.beta(mean * conc, (1.0 - mean) * conc, size=size)


def make_network(rng: np.random.Generator, kind: str, n: int, mean_degree: float, p: float) -> sp.csr_matrix:
    """Symmetric 0/1 CSR adjacency (docs/model.md; network.hpp): duplicates collapse, no self-loops."""
    if kind == "small_world":  # Watts & Strogatz 1998
        k = int(round(mean_degree))
        h = k // 2
        rows = [np.repeat(np.arange(n), h)]
        cols = [(rows[0] + np.tile(np.arange(1, h + 1), n)) % n]
        if k % 2 == 1:
            half = n // 2
            rows.append(np.arange(half))
            cols.append(np.arange(half) + half)
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        rewire = rng.random(rows.size) < p
        j = rng.integers(0, n - 1, size=int(rewire.sum()))
        cols[rewire] = j + (j >= rows[rewire])  # uniform over the other n - 1 nodes
    elif kind == "random":  # Erdos-Renyi in the sparse limit: Poisson(d / 2) proposals per node
        rows = np.repeat(np.arange(n), rng.poisson(mean_degree / 2.0, size=n))
        j = rng.integers(0, n - 1, size=rows.size)
        cols = j + (j >= rows)
    else:
        raise SystemExit(f"complysim_ref: network '{kind}' is not supported (small_world, random)")
    a = sp.coo_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(n, n))
    a = (a + a.T).tocsr()
    a.data[:] = 1.0
    return a


def judged(s, theta, sigma):
    """P(judged violating): Phi((s - theta) / sigma), or the step s > theta when sigma = 0."""
    if sigma <= 0:
        return (s > theta).astype(float)
    return ndtr((s - theta) / sigma)


# --------------------------------------------------------------------------- one run
class Run:
    def __init__(self, sc: dict, rng: np.random.Generator):
        self.sc, self.rng = sc, rng
        pop, plats = sc["population"], sc["platforms"]
        n = self.n = int(pop["users"])
        self.P = len(plats)
        self.g = beta_mean(rng, pop["grievance_mean"], pop["grievance_concentration"], n)
        self.rho = beta_mean(rng, pop["risk_aversion_mean"], pop["risk_aversion_concentration"], n)
        self.phi = beta_mean(rng, pop["isolation_fear_mean"], pop["isolation_fear_concentration"], n)
        self.activity = pop["posts_per_day"] * np.exp(pop["activity_dispersion"] * rng.standard_normal(n))
        self.amb = np.where(rng.random(n) < pop["ambiguity_averse_share"], 1.0, -1.0)
        share = np.array([p["market_share"] for p in plats], float)
        self.home = np.minimum(np.searchsorted(np.cumsum(share), rng.random(n) * share.sum(), side="right"), self.P - 1)
        self.A = make_network(rng, pop["network"], n, pop["mean_degree"], pop["rewire_probability"])
        self.deg = np.diff(self.A.indptr)
        self.pi = np.full(n, sc["beliefs"]["prior_risk"])
        self.unc = np.ones(n)
        self.q = np.ones(n)
        T = pop["speak_threshold"]
        self.speaker = self.g > T
        self.n_speakers = int(self.speaker.sum())
        self.last_visible = np.where(self.speaker & (self.activity > 0), -1, NEVER)
        self.last_sanction = np.full(n, NEVER)
        self.last_post = np.full(n, NEVER)
        self.silent_until = np.zeros(n, int)
        self.op_users = np.bincount(self.home, minlength=self.P).astype(float)
        # Operation state (one jurisdiction: one operation per platform).
        self.c = np.array([p["initial_compliance"] for p in plats], float)
        self.d = np.array([p["initial_data_compliance"] for p in plats], float)
        self.tau = np.array([p["initial_removal_threshold"] for p in plats], float)
        self.localized = np.array([p["initially_localized"] for p in plats], bool)
        self.status = np.zeros(self.P, int)   # 0 active, 1 throttled, 2 suspended, 3 exited
        self.status_until = np.zeros(self.P, int)
        self.level = np.zeros(self.P, int)
        self.cred = np.full(self.P, sc["platform"]["prior_credibility"])
        self.negative_days = np.zeros(self.P, int)
        self.fines = np.zeros(self.P)  # fines not yet counted in the exit rule's utility
        self.reg = np.zeros((5, self.P))      # requests, honoured, data requests, answered, pre-empted since review
        self.seen = np.zeros((self.P, BINS))
        self.seen_days = 0
        self.sanctions_yesterday = 0
        self.rows: list[dict] = []            # per day: outcome -> (num, den)

    # ---------------------------------------------------------------- a day
    def activity_factor(self):
        sev = self.sc["regulator"]["throttle_severity"]
        return np.select([self.status == 0, self.status == 1], [1.0, 1.0 - sev], 0.0)

    def step(self, t: int):
        sc, rng, n = self.sc, self.rng, self.n
        pop, bel, law, reg = sc["population"], sc["beliefs"], sc["law"], sc["regulator"]
        T = pop["speak_threshold"]
        ended = ((self.status == 1) | (self.status == 2)) & (t >= self.status_until)
        self.status[ended] = 0

        # Belief pass: decay, sanctioned neighbours, publicity, opinion climate.
        pi = self.pi + bel["decay"] * (bel["prior_risk"] - self.pi)
        speaking = self.A @ (self.last_visible >= t - pop["climate_window_days"]).astype(np.float32)
        sanctioned = self.A @ (self.last_sanction == t - 1).astype(np.float32)
        pi = np.where(sanctioned > 0, 1.0 - (1.0 - pi) * (1.0 - bel["neighbor_weight"]) ** sanctioned, pi)
        if self.sanctions_yesterday > 0 and law["publicity"] > 0:
            heard = rng.random(n) < law["publicity"]
            pi[heard] += bel["publicity_weight"] * (1.0 - pi[heard])
        self.q = np.where(self.deg > 0, speaking / np.maximum(self.deg, 1), 1.0)
        self.pi = pi
        risk_sum = pi.sum()

        # Item pass: intended items, then the items in rounds (the r-th item of every user who has one).
        lam = self.activity * self.activity_factor()[self.home]
        can = self.speaker & (t >= self.silent_until) & (lam > 0)
        users = np.flatnonzero(can)
        k = rng.poisson(lam[users])
        users, k = users[k > 0], k[k > 0]
        cnt = dict.fromkeys(["intended", "self_censored", "intended_lawful", "lawful_self_censored", "posted",
                             "removed", "removed_lawful", "unlawful_posted", "unlawful_visible", "sanctions"], 0)
        per_op = np.zeros((8, self.P))  # requests, honoured, data req, answered, pre-empted, wrongful, handovers, proactive
        bins = np.zeros((self.P, BINS))
        theta = law["legal_threshold"]
        theta_enf = theta - law["enforcement_breadth"]
        sigma = law["vagueness"]
        mon = reg["monitoring_rate"]
        before_day_end = law["takedown_deadline_hours"] < 24.0
        g, op = self.g[users], self.home[users]
        rho_J = self.rho[users] * law["user_sanction"]
        isolation = self.phi[users] * (1.0 - self.q[users])
        amb = self.amb[users]
        upi, uunc = self.pi[users], self.unc[users]
        alive = np.ones(users.size, bool)
        visible_today = np.zeros(users.size, bool)
        posted_today = np.zeros(users.size, bool)
        sanctioned_today = np.zeros(users.size, bool)
        c, d, tau, loc = self.c[op], self.d[op], self.tau[op], self.localized[op]
        kappa = pop["sensitivity_concentration"]
        for r in range(int(k.max()) if k.size else 0):
            x = np.flatnonzero(alive & (k > r))
            m = x.size
            sm = 0.2 + 0.6 * g[x]
            s = rng.beta(sm * kappa, (1.0 - sm) * kappa)
            lawful = s < theta
            cnt["intended"] += m
            cnt["intended_lawful"] += int(lawful.sum())
            theta_hat = theta_enf - amb[x] * pop["ambiguity_shift"] * sigma * uunc[x]
            risk = upi[x] * judged(s, theta_hat, sigma)
            post = g[x] - rho_J[x] * risk - isolation[x] > T
            cnt["self_censored"] += int((~post).sum())
            cnt["lawful_self_censored"] += int((~post & lawful).sum())
            x, s, lawful = x[post], s[post], lawful[post]
            o = op[x]
            cnt["posted"] += x.size
            posted_today[x] = True
            cnt["unlawful_posted"] += int((~lawful).sum())
            np.add.at(bins, (o, np.minimum(BINS - 1, (s * BINS).astype(int))), 1)
            u = rng.random((9, x.size))  # this round's uniforms, one row per decision
            v_enf = judged(s, theta_enf, sigma)
            proactive = s > tau[x]
            flagged = (u[0] < mon) & (u[1] < v_enf)
            np.add.at(per_op[7], o[proactive], 1)
            np.add.at(per_op[4], o[proactive & flagged], 1)
            req = ~proactive & flagged
            honoured = req & (u[2] < c[x])
            np.add.at(per_op[0], o[req], 1)
            np.add.at(per_op[1], o[honoured], 1)
            np.add.at(per_op[5], o[honoured & lawful], 1)
            notice = honoured & (u[3] < law["transparency"])
            uunc[x[notice]] = np.maximum(0.0, uunc[x[notice]] - bel["notice_learning"])
            reversed_ = honoured & lawful & (u[4] < law["appeals"])
            jump = honoured & ~reversed_
            upi[x[jump]] += bel["takedown_jump"] * (1.0 - upi[x[jump]])
            removed = proactive | jump
            visible = ~proactive & ~(jump & before_day_end)
            np.add.at(per_op[2], o[req], 1)
            answered = req & loc[x] & (u[5] < d[x])
            np.add.at(per_op[3], o[answered], 1)
            np.add.at(per_op[6], o[answered], 1)
            identified = answered | (req & (u[6] < law["identification"]))
            sanction = identified & (u[7] < reg["prosecution_rate"])
            cnt["removed"] += int(removed.sum())
            cnt["removed_lawful"] += int((removed & lawful).sum())
            cnt["unlawful_visible"] += int((visible & ~lawful).sum())
            visible_today[x[visible]] = True
            xs = x[sanction]
            upi[xs] = 1.0
            sanctioned_today[xs] = True
            alive[xs] = False
            cnt["sanctions"] += xs.size
        self.pi[users], self.unc[users] = upi, uunc
        self.last_post[users[posted_today]] = t
        self.last_visible[users[visible_today]] = t
        su = users[sanctioned_today]
        self.last_sanction[su] = t
        self.silent_until[su] = t + 1 + int(bel["silence_days"])
        window = min(30, t + 1)
        silenced = int((self.speaker & (self.last_post <= t - window)).sum())

        # Record the day.
        self.sanctions_yesterday = cnt["sanctions"]
        self.reg += per_op[[0, 1, 2, 3, 4]]
        self.seen += bins
        self.seen_days += 1
        act = self.activity_factor()
        unit = np.array([p["revenue_per_user_day"] for p in sc["platforms"]])
        row = {
            "self_censorship_rate": (cnt["self_censored"], cnt["intended"]),
            "lawful_self_censorship_rate": (cnt["lawful_self_censored"], cnt["intended_lawful"]),
            "silenced_user_share": (silenced, self.n_speakers),
            "posted_per_user_day": (cnt["posted"], n),
            "takedown_requests": (per_op[0].sum(), 1),
            "over_removal_share": (cnt["removed_lawful"], cnt["removed"]),
            "unlawful_visible_share": (cnt["unlawful_visible"], cnt["unlawful_posted"]),
            "users_sanctioned_per_100k": (1e5 * cnt["sanctions"], n),
            "mean_perceived_risk": (risk_sum, n),
            "takedown_compliance_rate": (per_op[1], per_op[0]),
            "data_request_compliance_rate": (per_op[3], per_op[2]),
            "platform_status": (self.status.astype(float), np.ones(self.P)),
            "platform_localized": (self.localized.astype(float), np.ones(self.P)),
            "escalation_level": (self.level.astype(float), np.ones(self.P)),
            "platform_revenue": (unit * self.op_users * act, np.ones(self.P)),
        }
        self.rows.append(row)
        # Exit rule: realised utility; a fine levied at a review counts in the next day's utility.
        mc = np.array([p["moderation_cost"] for p in sc["platforms"]])
        rw = np.array([p["reputation_weight"] for p in sc["platforms"]])
        utility = (unit * self.op_users * act - mc * unit * (per_op[1] + per_op[7]) - rw * unit * (per_op[5] + per_op[6])
                   - self.fines)
        self.fines[:] = 0.0
        live = self.status != 3
        self.negative_days = np.where(live & (utility < 0), self.negative_days + 1, np.where(live, 0, self.negative_days))
        can_exit = np.array([p["can_exit"] for p in sc["platforms"]], bool)
        self.status[live & can_exit & (self.negative_days >= sc["platform"]["exit_patience_days"])] = 3

        if (t + 1) % reg["review_days"] == 0:
            self.regulator_review(t)
        if (t + 1) % sc["platform"]["review_days"] == 0:
            self.platform_review(t)

    # ---------------------------------------------------------------- regulator
    def regulator_review(self, t: int):
        sc, reg, law = self.sc, self.sc["regulator"], self.sc["law"]
        for o in range(self.P):
            if self.status[o] == 3:
                continue
            requests, honoured, dreq, dans, pre = self.reg[:, o]
            score = (honoured + pre) / (requests + pre) if requests + pre > 0 else 1.0
            if law["data_localization"]:
                score = min(score, 0.0 if not self.localized[o] else (dans / dreq if dreq > 0 else 1.0))
            self.reg[:, o] = 0
            if score >= reg["compliance_target"]:
                self.level[o] = max(0, self.level[o] - 1)
                continue
            carried = self.rng.random() < reg["escalation_credibility"]
            self.cred[o] += sc["platform"]["credibility_learning"] * (float(carried) - self.cred[o])
            if carried:
                self.level[o] = min(4, self.level[o] + 1)
                if self.level[o] == 2:
                    self.fines[o] += reg["fine_revenue_days"] * sc["platforms"][o]["revenue_per_user_day"] * self.op_users[o]
                elif self.level[o] == 3:
                    self.status[o], self.status_until[o] = 1, t + 1 + reg["throttle_days"]
                elif self.level[o] == 4:
                    self.status[o], self.status_until[o] = 2, t + 1 + reg["suspension_days"]

    # ---------------------------------------------------------------- platforms
    def platform_review(self, t: int):
        sc, law, reg = self.sc, self.sc["law"], self.sc["regulator"]
        G = int(sc["platform"]["choice_grid_steps"])
        grid = np.linspace(0.0, 1.0, G)
        taus = 0.5 + 0.5 * grid
        s_mid = (np.arange(BINS) + 0.5) / BINS
        theta = law["legal_threshold"]
        flag = reg["monitoring_rate"] * judged(s_mid, theta - law["enforcement_breadth"], law["vagueness"])
        for o in range(self.P):
            if self.status[o] == 3 or self.seen_days == 0:
                continue
            pp = sc["platforms"][o]
            unit = pp["revenue_per_user_day"]
            R0 = unit * self.op_users[o]
            if R0 <= 0:
                continue
            per_day = self.seen[o] / self.seen_days
            self.seen[o] = 0
            if not (per_day > 0).any():
                continue
            # Expected loss of the ladder ahead, discounted by believed credibility.
            loss = {2: reg["fine_revenue_days"] * R0, 3: reg["throttle_severity"] * reg["throttle_days"] * R0,
                    4: reg["suspension_days"] * R0}
            loss_ahead, w = 0.0, 1.0
            for kk in range(min(self.level[o] + 1, 4), 5):
                w *= self.cred[o]
                loss_ahead += w * loss.get(kk, 0.0)
                if self.level[o] >= 4:
                    break
            penalty = loss_ahead / reg["review_days"]
            above = s_mid[None, :] > taus[:, None]               # [tau, bin]
            lawful = s_mid < theta
            nf = per_day * flag
            vis = (~above * nf).sum(1)                            # [tau]
            vis_lawful = (~above * nf * lawful).sum(1)
            proactive = (above * per_day).sum(1)
            proactive_lawful = (above * per_day * lawful).sum(1)
            pre = (above * nf).sum(1)
            C, D = grid[:, None, None], grid[None, :, None]      # [c, d, tau]

            def utility(localized: bool):
                tot = vis + pre
                score = np.where(tot > 0, (C * vis + pre) / np.where(tot > 0, tot, 1.0), 1.0)
                if law["data_localization"]:
                    score = np.minimum(score, D if localized else 0.0)
                handovers = D * vis if localized else 0.0
                p_short = expit(-(score - reg["compliance_target"]) / SHORTFALL_WIDTH)
                return (R0 - pp["moderation_cost"] * unit * (C * vis + proactive)
                        - pp["reputation_weight"] * unit * (C * vis_lawful + proactive_lawful + handovers)
                        - p_short * penalty) * np.ones((G, G, G))

            if law["data_localization"] and not self.localized[o]:
                gain = utility(True).max() - utility(False).max()
                if gain * LOCALIZATION_HORIZON > pp["localization_cost"] * R0:
                    self.localized[o] = True
            u = utility(bool(self.localized[o])).ravel()
            w_ = np.exp(pp["rationality"] * (u - u.max()) / R0)
            cum = np.cumsum(w_)
            pick = min(int(np.searchsorted(cum, self.rng.random() * cum[-1])), u.size - 1)
            a, b, tt = np.unravel_index(pick, (G, G, G))
            lr = pp["learning_rate"]
            self.c[o] += lr * (grid[a] - self.c[o])
            self.d[o] += lr * (grid[b] - self.d[o])
            self.tau[o] += lr * (taus[tt] - self.tau[o])
        self.seen_days = 0

    # ---------------------------------------------------------------- summary
    def summary(self) -> dict:
        w = int(self.sc["simulation"]["summary_window_days"])
        rows = self.rows[-w:]
        out = {}
        for name in SCALAR_OUTCOMES + PLATFORM_OUTCOMES:
            num = sum(np.asarray(r[name][0], float) for r in rows)
            den = sum(np.asarray(r[name][1], float) for r in rows)
            with np.errstate(invalid="ignore", divide="ignore"):
                v = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            out[name] = v.tolist() if v.ndim else float(v)
        return out


def run_replicates(sc: dict, replicates: int, seed: int, timing: dict | None = None,
                   warmup: int = 0) -> tuple[list[dict], float]:
    """Runs replicates 0..n-1 one after another; returns (summaries, seconds of set-up and stepping).
    If `timing` is given, adds to it "setup_s", "warmup_s" (the first `warmup` days of each
    replicate) and "step_s" (the remaining days)."""
    out, t0 = [], time.perf_counter()
    setup = warm = step = 0.0
    for rep in range(replicates):
        t1 = time.perf_counter()
        rng = np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, rep])))
        run = Run(sc, rng)
        t2 = time.perf_counter()
        days = int(sc["simulation"]["days"])
        for t in range(min(warmup, days)):
            run.step(t)
        t3 = time.perf_counter()
        for t in range(min(warmup, days), days):
            run.step(t)
        t4 = time.perf_counter()
        setup, warm, step = setup + t2 - t1, warm + t3 - t2, step + t4 - t3
        out.append(run.summary())
    if timing is not None:
        timing.update(setup_s=setup, warmup_s=warm, step_s=step)
    return out, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--users", type=int)
    ap.add_argument("--days", type=int)
    ap.add_argument("--replicates", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--set", action="append", default=[], dest="sets", metavar="NAME=VALUE")
    ap.add_argument("--warmup", type=int, default=0,
                    help="days of each replicate stepped before step_s starts counting (timing only)")
    ap.add_argument("--json", action="store_true", help="print the summaries and timing as JSON")
    a = ap.parse_args(argv)
    sets = list(a.sets)
    if a.users is not None:
        sets.append(f"population.users={a.users}")
    if a.days is not None:
        sets.append(f"simulation.days={a.days}")
    sc = load_scenario(a.scenario, sets)
    reps = a.replicates or int(sc["simulation"]["replicates"])
    seed = a.seed if a.seed is not None else int(sc["simulation"]["seed"])
    timing: dict = {}
    summaries, secs = run_replicates(sc, reps, seed, timing, warmup=a.warmup)
    user_days = reps * int(sc["simulation"]["days"]) * int(sc["population"]["users"])
    if a.json:
        json.dump({"replicates": reps, "seconds": secs, **timing, "user_days": user_days, "summaries": summaries},
                  sys.stdout)
        print()
    else:
        names = [p["name"] for p in sc["platforms"]]
        for name in SCALAR_OUTCOMES + PLATFORM_OUTCOMES:
            vals = np.array([s[name] for s in summaries], float)
            m = np.nanmean(vals, axis=0)
            if np.ndim(m):
                for p, v in zip(names, m):
                    print(f"{name:34s} {p:16s} {v:12.4g}")
            else:
                print(f"{name:34s} {'':16s} {m:12.4g}")
        print(f"{reps} replicates, {secs:.2f} s, {user_days / secs:.3g} user-days/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
