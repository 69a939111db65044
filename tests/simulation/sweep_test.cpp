// Tests of sweep execution (sim/src/simulation/sweep*.cpp): plans, CRN keys,
// failure recording, interrupt + resume, consolidation and merge through the
// library (the CLI and SIGKILL tests are in tests/cli/sweep_cli_test.cpp).
#include "complysim/simulation/run.hpp"
#include "complysim/simulation/sweep.hpp"
#include "complysim/analysis/sensitivity.hpp"
#include "complysim/model/rng.hpp"
#include "complysim/scenario.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace complysim;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(COMPLYSIM_SOURCE_DIR) / "tests" / "data";

Scenario tiny(const std::vector<std::string>& sets = {}) { return load_scenario(kData / "sweep_tiny.toml", sets); }

SweepReport sweep_to(const SweepPlan& plan, const fs::path& out, bool resume = false,
                     const std::atomic<bool>* cancel = nullptr,
                     std::function<void(const io::JournalRecord&)> on_run = {}) {
  SweepOptions o;
  o.output = out;
  o.resume = resume;
  o.command_line = "test";
  o.cancel = cancel;
  o.on_run = std::move(on_run);
  return run_sweep(plan, o);
}

}  // namespace

TEST_CASE("sweep plan: runs and shards and per-run scenario and common random numbers", "[sweep]") {
  const SweepPlan plan = plan_sweep(tiny());
  CHECK(plan.designs.size() == 2);
  CHECK(plan.samples.samples() == 6);
  CHECK(plan.replicates == 2);
  CHECK(plan.n_runs_total == 24);
  CHECK(plan.runs.size() == 24);
  CHECK(plan.integer_param == std::vector<bool>{false, true});
  CHECK(plan.record_day == std::vector<std::int64_t>{4, 9, 14, 19});

  // run = (design * samples + sample) * replicates + replicate
  const RunIndex at = run_at(19, 2, 6, 2);
  CHECK(at.design == 1);
  CHECK(at.sample == 3);
  CHECK(at.replicate == 1);
  std::vector<double> values;
  const Scenario s = scenario_for_run(plan, at, &values);
  CHECK(s.law.transparency == 0.9);  // the design's set
  CHECK(s.law.appeals == 0.5);
  CHECK(s.law.vagueness == plan.samples.X(3, 0));  // the sample's values
  CHECK(s.regulator.review_days == std::llround(plan.samples.X(3, 1)));  // integers rounded
  CHECK(values == std::vector<double>{plan.samples.X(3, 0), static_cast<double>(std::llround(plan.samples.X(3, 1)))});
  const Scenario s0 = scenario_for_run(plan, run_at(7, 2, 6, 2));  // design 0, sample 3, replicate 1
  CHECK(s0.law.transparency == tiny().law.transparency);

  // The design is not part of the key: same (sample, replicate), same streams.
  CHECK(key_bits(run_key(plan, run_at(19, 2, 6, 2))) == key_bits(run_key(plan, run_at(7, 2, 6, 2))));
  CHECK(key_bits(run_key(plan, run_at(19, 2, 6, 2))) != key_bits(run_key(plan, run_at(18, 2, 6, 2))));

  const SweepPlan shard = plan_sweep(tiny(), ShardSpec::parse("1/5"));
  CHECK(shard.runs == std::vector<std::int64_t>{1, 6, 11, 16, 21});
  CHECK(shard.shard.text() == "1/5");
  CHECK_THROWS_WITH(ShardSpec::parse("5/5"), Contains("0..4"));
  CHECK_THROWS_WITH(ShardSpec::parse("x/2"), Contains("I/N"));
  CHECK_THROWS_WITH(ShardSpec::parse("1"), Contains("I/N"));
  CHECK_THROWS_WITH(ShardSpec::parse("0/0"), Contains("at least 1"));

  Scenario no_sweep = tiny();
  no_sweep.sweep.present = false;
  CHECK_THROWS_WITH(plan_sweep(no_sweep), Contains("no [sweep]"));
}

TEST_CASE("sweep: a run that throws is recorded as failed and the sweep goes on", "[sweep]") {
  test::TempDir dir;
  const SweepPlan plan = plan_sweep(load_scenario(kData / "sweep_failing.toml"));
  const io::JournalRecord bad = execute_run(plan, 5);  // market share 0.9 + 0.4
  CHECK(bad.status == RunStatus::Failed);
  CHECK_THAT(bad.message, Contains("market shares sum to 1.3, not 1"));
  CHECK(bad.params == std::vector<double>{0.9});
  const io::JournalRecord good = execute_run(plan, 2);
  CHECK(good.status == RunStatus::Ok);
  CHECK(good.message.empty());

  const fs::path out = dir.path() / "f.h5";
  const SweepReport rep = sweep_to(plan, out);
  CHECK(rep.state == SweepReport::State::Complete);
  CHECK(rep.failed == 4);
  CHECK_FALSE(fs::exists(out.string() + ".journal"));
  const io::ResultsReader r(out);
  REQUIRE(r.n_runs() == 6);
  CHECK(r.run() == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5});
  const auto status = r.status();
  const auto msg = r.message();
  for (std::int64_t i = 0; i < 6; ++i) {
    const bool ok = i == 2 || i == 3;
    CHECK(status[static_cast<std::size_t>(i)] == (ok ? RunStatus::Ok : RunStatus::Failed));
    CHECK(msg[static_cast<std::size_t>(i)].empty() == ok);
  }
  CHECK(std::isnan(r.read_outcome("self_censorship_rate")(0, 0)));
  CHECK(r.read_param("platforms.social.market_share") == std::vector<double>{0.5, 0.5, 0.6, 0.6, 0.9, 0.9});
  CHECK(r.provenance().n_runs_total == 6);
  CHECK(r.provenance().shard.empty());
  CHECK(r.design().kind == "grid");
}

TEST_CASE("sweep: interrupt then resume then consolidation give the uninterrupted file", "[sweep]") {
  test::TempDir dir;
  const SweepPlan plan = plan_sweep(tiny());
  const fs::path ref = dir.path() / "ref.h5", out = dir.path() / "out.h5";
  REQUIRE(sweep_to(plan, ref).state == SweepReport::State::Complete);

  const io::ResultsReader r(ref);
  CHECK(r.design().names == std::vector<std::string>{"as_written", "transparent"});
  CHECK(r.design().settings[1] == "{ \"law.appeals\" = 0.5, \"law.transparency\" = 0.9 }");
  CHECK(r.design().parameters == plan.samples.names);
  CHECK(r.schema().param_names == plan.samples.names);
  CHECK(r.design_index()[13] == 1);

  // Stop after a few runs (as Ctrl-C does), three times, then finish.
  std::int64_t saved = 0;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> cancel{false};
    std::atomic<int> seen{0};
    const SweepReport rep = sweep_to(plan, out, round > 0, &cancel, [&](const io::JournalRecord&) {
      if (++seen == 5) cancel = true;
    });
    CHECK(rep.state == SweepReport::State::Interrupted);
    CHECK(rep.resumed == saved);
    CHECK(rep.ran >= 5);  // runs in flight when the flag rose may finish too
    saved = rep.resumed + rep.ran;
    CHECK(fs::exists(out.string() + ".journal"));
    CHECK_FALSE(fs::exists(out));
    CHECK_THROWS_WITH(consolidate_journal(plan, out.string() + ".journal", out), Contains("not finished"));
  }
  const SweepReport done = sweep_to(plan, out, true);
  CHECK(done.state == SweepReport::State::Complete);
  CHECK(done.resumed + done.ran == 24);
  CHECK_FALSE(fs::exists(out.string() + ".journal"));
  CHECK_FALSE(io::first_difference(ref, out));

  // --resume on a finished file does nothing; without --resume it is refused.
  CHECK(sweep_to(plan, out, true).state == SweepReport::State::AlreadyComplete);
  CHECK_THROWS_AS(sweep_to(plan, out), SweepRefused);
}

TEST_CASE("sweep: resume refuses a journal from another scenario or seed or shard", "[sweep]") {
  test::TempDir dir;
  const fs::path out = dir.path() / "out.h5";
  std::atomic<bool> cancel{true};  // journal with a header and no record
  REQUIRE(sweep_to(plan_sweep(tiny()), out, false, &cancel).state == SweepReport::State::Interrupted);
  CHECK_THROWS_AS(sweep_to(plan_sweep(tiny()), out), SweepRefused);  // journal exists, no --resume
  try {
    sweep_to(plan_sweep(tiny({"law.publicity=0.9"})), out, true);
    FAIL("resume with another --set was accepted");
  } catch (const SweepRefused& e) {
    CHECK_THAT(e.what(), Contains("cannot resume") && Contains("[law]") && Contains("publicity = 0.9"));
  }
  CHECK_THROWS_WITH(sweep_to(plan_sweep(tiny({"simulation.seed=8"})), out, true), Contains("seed"));
  CHECK_THROWS_WITH(sweep_to(plan_sweep(tiny(), ShardSpec::parse("0/2")), out, true), Contains("shard"));
  CHECK(sweep_to(plan_sweep(tiny()), out, true).state == SweepReport::State::Complete);
}

TEST_CASE("sweep: shards 0/2 and 1/2 merged equal the unsharded sweep", "[sweep]") {
  test::TempDir dir;
  const fs::path all = dir.path() / "all.h5", p0 = dir.path() / "p0.h5", p1 = dir.path() / "p1.h5",
                 merged = dir.path() / "merged.h5";
  REQUIRE(sweep_to(plan_sweep(tiny()), all).state == SweepReport::State::Complete);
  REQUIRE(sweep_to(plan_sweep(tiny(), ShardSpec::parse("0/2")), p0).state == SweepReport::State::Complete);
  REQUIRE(sweep_to(plan_sweep(tiny(), ShardSpec::parse("1/2")), p1).state == SweepReport::State::Complete);
  {
    const io::ResultsReader r(p1);
    CHECK(r.n_runs() == 12);
    CHECK(r.provenance().shard == "1/2");
    CHECK(r.provenance().n_runs_total == 24);
    CHECK(r.run().front() == 1);
  }
  const MergeReport rep = merge_results({p1, p0}, merged, "merge", false);
  CHECK(rep.n_runs_total == 24);
  CHECK(rep.failed == 0);
  CHECK_FALSE(io::first_difference(all, merged));
  CHECK(io::ResultsReader(merged).provenance().shard.empty());

  CHECK_THROWS_WITH(merge_results({p0, p1}, merged, "merge", false), Contains("exists"));
  CHECK_THROWS_WITH(merge_results({p0}, dir.path() / "m2.h5", "merge", false),
                    Contains("12 of 24 runs are missing") && Contains("runs 1, 3, 5"));
  CHECK_THROWS_WITH(merge_results({p0, p1, p0}, dir.path() / "m2.h5", "merge", false),
                    Contains("more than once") && Contains("run 0 is in"));
  const fs::path other = dir.path() / "other.h5";
  REQUIRE(sweep_to(plan_sweep(tiny({"simulation.seed=9"}), ShardSpec::parse("1/2")), other).state ==
          SweepReport::State::Complete);
  CHECK_THROWS_WITH(merge_results({p0, other}, dir.path() / "m2.h5", "merge", false),
                    Contains("does not belong to the same sweep") && Contains("seed differs"));
  CHECK_FALSE(fs::exists(dir.path() / "m2.h5"));
}

namespace {

/// A sobol variant of sweep_tiny.toml, text only (no file): N = 8 base rows of 2 parameters.
Scenario tiny_sobol(bool shared) {
  std::string text = R"(
[simulation]
days = 20
seed = 7
[population]
users = 300
[[platforms]]
name = "social"
[sweep]
design = "sobol"
samples = 8
)";
  if (shared) text += "shared_random_numbers = true\n";
  text += "[sweep.parameters]\n\"law.vagueness\" = { min = 0.0, max = 0.5 }\n"
          "\"regulator.review_days\" = { min = 3, max = 10 }\n";
  return load_scenario_text(text, "tiny_sobol.toml");
}

}  // namespace

TEST_CASE("sweep: shared random numbers key every run of a Saltelli row alike", "[sweep][srn]") {
  const SweepPlan own = plan_sweep(tiny_sobol(false)), shared = plan_sweep(tiny_sobol(true));
  REQUIRE(shared.samples.sobol_base == 8);
  REQUIRE(shared.samples.samples() == 8 * 4);
  for (std::int64_t j = 0; j < 8; ++j) {
    const RunIndex a{0, 0, j, 1};
    for (std::int64_t b = 1; b < 4; ++b) {
      const RunIndex other{0, 0, b * 8 + j, 1};
      CHECK(key_bits(run_key(shared, other)) == key_bits(run_key(shared, a)));  // A_j, B_j, AB_i,j: one stream
      CHECK(key_bits(run_key(own, other)) != key_bits(run_key(own, a)));        // default: one per sample
    }
    CHECK(key_bits(run_key(shared, RunIndex{0, 0, j, 0})) != key_bits(run_key(shared, a)));  // replicates differ
  }
  // Same as the default for the A block, so only B and AB_i change.
  CHECK(key_bits(run_key(shared, RunIndex{0, 0, 3, 0})) == key_bits(run_key(own, RunIndex{0, 0, 3, 0})));
  // A resumed sweep cannot mix the two keyings.
  CHECK(journal_header(shared, "x").design_hash != journal_header(own, "x").design_hash);
  CHECK(to_toml(shared.base).find("shared_random_numbers = true") != std::string::npos);
  CHECK(key_point(13, true, 8) == 5);
  CHECK(key_point(13, false, 8) == 13);
  CHECK_THROWS_AS(key_point(13, true, 0), std::invalid_argument);
  // Only a sobol design has Saltelli rows.
  CHECK_THROWS_WITH(load_scenario_text("[[platforms]]\nname = \"p\"\n[sweep]\ndesign = \"lhs\"\nshared_random_numbers = true\n"
                                       "[sweep.parameters]\n\"law.vagueness\" = { min = 0.0, max = 0.5 }\n",
                                       "x.toml"),
                    Contains("x.toml:5:") && Contains("applies to a sobol design only"));
}

TEST_CASE("sobol: shared random numbers narrow the intervals of a noisy model", "[sweep][srn][sensitivity]") {
  // A noisy test model: f(x) = x1 + 2 x2 (unit-interval inputs) plus simulation noise
  // z (1 + x1) with z ~ N(0, 1) from the run's stream, keyed exactly as a sweep keys its
  // runs (key_point). Noise sd ~ 1.3 against a signal sd of ~0.65: intervals are noise.
  const std::int64_t N = 256, d = 2;
  const std::vector<SweepParameter> params = {
      [] { SweepParameter p; p.name = "x1"; p.min = 0; p.max = 1; return p; }(),
      [] { SweepParameter p; p.name = "x2"; p.min = 0; p.max = 1; return p; }()};
  const SampleMatrix m = make_saltelli(params, N, true, 5);
  auto widths = [&](bool shared) {
    Eigen::VectorXd y(m.samples());
    for (std::int64_t s = 0; s < m.samples(); ++s) {
      const RunKey key = RunKey::derive(42, static_cast<std::uint64_t>(key_point(s, shared, N)), 0);
      Stream rng(key, 0, 0, Purpose::Items);
      y[s] = m.X(s, 0) + 2 * m.X(s, 1) + rng.normal() * (1 + m.X(s, 0));
    }
    const SobolIndices x = sobol_indices(y, N, d, 300, 3);
    double w = 0;
    for (Eigen::Index i = 0; i < d; ++i) w += (x.first_hi[i] - x.first_lo[i]) + (x.total_hi[i] - x.total_lo[i]);
    return w / (2.0 * static_cast<double>(d));
  };
  const double independent = widths(false), common = widths(true);
  INFO("mean interval width: independent streams " << independent << ", shared " << common);
  CHECK(common < 0.5 * independent);
}

namespace {

/// sweep_tiny.toml with two jurisdictions (per-jurisdiction outcomes, model-spec.md section 7).
Scenario tiny_regional() {
  std::ifstream in(kData / "sweep_tiny.toml");
  std::stringstream text;
  text << in.rdbuf();
  text << "\n[[jurisdictions]]\nname = \"north\"\npopulation_share = 0.6\n"
          "[[jurisdictions]]\nname = \"south\"\npopulation_share = 0.4\n[jurisdictions.law]\nidentification = 0.9\n";
  return load_scenario_text(text.str(), "sweep_tiny_regional.toml");
}

}  // namespace

TEST_CASE("sweep: per-jurisdiction outcomes survive the journal, resume and a merge of shards", "[sweep][jurisdictions]") {
  test::TempDir dir;
  const SweepPlan plan = plan_sweep(tiny_regional());
  const fs::path ref = dir.path() / "ref.h5", out = dir.path() / "out.h5", p0 = dir.path() / "p0.h5", p1 = dir.path() / "p1.h5",
                 merged = dir.path() / "merged.h5";
  REQUIRE(sweep_to(plan, ref).state == SweepReport::State::Complete);
  {
    const io::ResultsReader r(ref);
    CHECK(r.schema().jurisdictions == std::vector<std::string>{"north", "south"});
    const io::RunRecord rec = r.read_row(3);
    REQUIRE(rec.result.jur_summary.size() == outcome_table().size());
    const auto k = static_cast<std::size_t>(OutcomeId::SelfCensorshipRate);
    REQUIRE(rec.result.jur_summary[k].size() == 2);
    CHECK(rec.result.jur_series[k].size() == 2 * r.schema().record_day.size());
    CHECK(rec.result.jur_summary[static_cast<std::size_t>(OutcomeId::PlatformStatus)].empty());
    // The takedown requests of the two jurisdictions add up to the national count.
    const auto tr = static_cast<std::size_t>(OutcomeId::TakedownRequests);
    CHECK(rec.result.jur_summary[tr][0] + rec.result.jur_summary[tr][1] == Approx(rec.result.summary[tr][0]).epsilon(1e-12));
  }
  // Interrupted, resumed, consolidated: the same file.
  {
    std::atomic<bool> cancel{false};
    std::atomic<int> seen{0};
    CHECK(sweep_to(plan, out, false, &cancel, [&](const io::JournalRecord&) {
            if (++seen == 5) cancel = true;
          }).state == SweepReport::State::Interrupted);
  }
  REQUIRE(sweep_to(plan, out, true).state == SweepReport::State::Complete);
  CHECK_FALSE(io::first_difference(ref, out));
  // Shards merged: the same file.
  REQUIRE(sweep_to(plan_sweep(tiny_regional(), ShardSpec::parse("0/2")), p0).state == SweepReport::State::Complete);
  REQUIRE(sweep_to(plan_sweep(tiny_regional(), ShardSpec::parse("1/2")), p1).state == SweepReport::State::Complete);
  merge_results({p1, p0}, merged, "merge", false);
  CHECK_FALSE(io::first_difference(ref, merged));
  // A journal of the single-jurisdiction sweep cannot be resumed as this one.
  const fs::path single = dir.path() / "single.h5";
  std::atomic<bool> stop{true};
  REQUIRE(sweep_to(plan_sweep(tiny()), single, false, &stop).state == SweepReport::State::Interrupted);
  CHECK_THROWS_AS(sweep_to(plan, single, true), SweepRefused);
}
