// complysim — one sweep across the ranks of an MPI job (sweep_mpi.hpp).
//
// Messages (MPI_BYTE, all on MPI_COMM_WORLD):
//   worker -> 0, kTagResult: u64 plan fingerprint | i64 user_days | i64 wanted batch | u32 n | n x (u32 length | journal record
//                            as io::encode_record writes it, CRC included); n = 0: "ready"
//   0 -> worker, kTagWork:   i64 runs[] (a batch of global run indices)
//   0 -> worker, kTagStop:   empty: leave the loop
// Every worker message is answered by exactly one kTagWork or kTagStop, so
// rank 0 always knows whether a worker owes it a message.
#include "sweep_mpi.hpp"

#include "complysim/simulation/run.hpp"

#include <mpi.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace complysim::mpi {

namespace {

constexpr int kTagResult = 1, kTagWork = 2, kTagStop = 3;
/// Sleep between polls while waiting for a message. MPI's blocking receive
/// spins a core; a rank that waits should leave it to the ranks that compute.
constexpr auto kPoll = std::chrono::microseconds(100);

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw std::runtime_error(std::string("MPI: ") + what + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
  }
}

/// Waits (polling, sleeping in between) for a message from `source` (or any) with tag `tag` (or any).
MPI_Status wait_for(int source, int tag) {
  MPI_Status st;
  for (;;) {
    int flag = 0;
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (flag) return st;
    std::this_thread::sleep_for(kPoll);
  }
}

std::vector<unsigned char> receive(const MPI_Status& st) {
  int n = 0;
  check(MPI_Get_count(&st, MPI_BYTE, &n), "MPI_Get_count");
  std::vector<unsigned char> buf(static_cast<std::size_t>(n));
  check(MPI_Recv(buf.data(), n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return buf;
}

template <class T>
void put(std::vector<unsigned char>& out, T v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

template <class T>
T get(const std::vector<unsigned char>& in, std::size_t& pos) {
  if (pos + sizeof(T) > in.size()) throw io::JournalError("MPI: a worker's message is truncated");
  T v;
  std::memcpy(&v, in.data() + pos, sizeof v);
  pos += sizeof v;
  return v;
}

void send(const void* data, std::size_t bytes, int dest, int tag) {
  check(MPI_Send(data, static_cast<int>(bytes), MPI_BYTE, dest, tag, MPI_COMM_WORLD), "MPI_Send");
}

/// What every rank must agree on: the resolved scenario and the design (a rank
/// whose node holds other scenario files would compute other runs).
std::uint64_t fingerprint(const SweepPlan& plan) {
  const io::JournalHeader h = journal_header(plan, "");
  const std::string_view text = io::scenario_text_for_comparison(h.scenario_toml);
  return io::fnv1a64(text.data(), text.size(), h.design_hash ^ static_cast<std::uint64_t>(h.n_runs_total));
}

}  // namespace

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

Session::Session() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() { MPI_Finalize(); }

void Session::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

Coordinator::Coordinator(int size, std::int64_t batch)
    : size_(size), batch_(batch), tally_(static_cast<std::size_t>(size)), awaiting_(static_cast<std::size_t>(size), 0),
      stopped_(static_cast<std::size_t>(size), 0) {
  awaiting_[0] = 1;
  stopped_[0] = 1;  // rank 0 is us
}

Coordinator::~Coordinator() { stop_all(); }

void Coordinator::stop_all() noexcept {
  try {
    for (int w = 1; w < size_; ++w) {
      const auto i = static_cast<std::size_t>(w);
      if (stopped_[i]) continue;
      if (!awaiting_[i]) (void)receive(wait_for(w, kTagResult));  // owed: a ready message or an abandoned batch
      send(nullptr, 0, w, kTagStop);
      stopped_[i] = 1;
    }
  } catch (...) {
    Session::abort(2);  // cannot talk to a worker: end the job rather than hang it
  }
}

void Coordinator::execute(const SweepPlan& plan, const std::vector<std::int64_t>& pending, const SweepOptions::RunSink& sink,
                          const std::atomic<bool>* cancel) {
  const io::JournalHeader header = journal_header(plan, "");
  const std::uint64_t mine = fingerprint(plan);
  const int workers = size_ - 1;
  std::size_t next = 0;
  int in_flight = 0;  // workers holding a batch (or owing their first message)
  for (int w = 1; w < size_; ++w) in_flight += !awaiting_[static_cast<std::size_t>(w)] && !stopped_[static_cast<std::size_t>(w)];
  bool stop = false;
  std::vector<std::int64_t> runs;
  // Answers worker w, which waits: with the next batch, or "stop" when there is none.
  const auto answer = [&](int w, std::int64_t wanted) {
    const auto i = static_cast<std::size_t>(w);
    if (stop || next >= pending.size() || (cancel && cancel->load(std::memory_order_relaxed))) {
      send(nullptr, 0, w, kTagStop);
      stopped_[i] = 1;
      awaiting_[i] = 1;
      return;
    }
    const auto remaining = static_cast<std::int64_t>(pending.size() - next);
    std::int64_t n = batch_ > 0 ? batch_ : std::clamp<std::int64_t>(remaining / (2 * workers), 1, std::max<std::int64_t>(1, wanted));
    n = std::min(n, remaining);
    runs.assign(pending.begin() + static_cast<std::ptrdiff_t>(next), pending.begin() + static_cast<std::ptrdiff_t>(next + n));
    next += static_cast<std::size_t>(n);
    send(runs.data(), runs.size() * sizeof(std::int64_t), w, kTagWork);
    awaiting_[i] = 0;
    ++in_flight;
  };
  // Workers already waiting (a previous execute) get work first.
  for (int w = 1; w < size_; ++w)
    if (awaiting_[static_cast<std::size_t>(w)] && !stopped_[static_cast<std::size_t>(w)]) answer(w, batch_);
  while (in_flight > 0) {
    const MPI_Status st = wait_for(MPI_ANY_SOURCE, kTagResult);
    const auto t0 = std::chrono::steady_clock::now();
    const int w = st.MPI_SOURCE;
    const std::vector<unsigned char> msg = receive(st);
    --in_flight;
    awaiting_[static_cast<std::size_t>(w)] = 1;
    std::size_t pos = 0;
    if (get<std::uint64_t>(msg, pos) != mine)
      throw SweepRefused("MPI rank " + std::to_string(w) + " loaded another scenario or design than rank 0 (do all nodes see "
                         "the same scenario files?); nothing was journalled from it");
    const auto user_days = get<std::int64_t>(msg, pos);
    const auto wanted = get<std::int64_t>(msg, pos);
    const auto n = get<std::uint32_t>(msg, pos);
    WorkerTally& t = tally_[static_cast<std::size_t>(w)];
    t.user_days += user_days;
    t.runs += n;
    for (std::uint32_t k = 0; k < n; ++k) {
      const auto len = get<std::uint32_t>(msg, pos);
      if (pos + len > msg.size()) throw io::JournalError("MPI: a record from rank " + std::to_string(w) + " is truncated");
      io::JournalRecord rec = io::decode_record(msg.data() + pos, len, header);
      pos += len;
      if (!stop && !sink(std::move(rec))) stop = true;
    }
    answer(w, wanted);
    busy_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
}

void work(const SweepPlan& plan, std::int64_t batch, const std::atomic<bool>* cancel) {
  const std::int64_t wanted = batch > 0 ? batch : std::max(1, tbb::this_task_arena::max_concurrency());
  const std::uint64_t mine = fingerprint(plan);
  std::vector<unsigned char> msg;
  put(msg, mine);
  put(msg, std::int64_t{0});
  put(msg, wanted);
  put(msg, std::uint32_t{0});
  send(msg.data(), msg.size(), 0, kTagResult);  // ready
  const auto designs = static_cast<std::int64_t>(plan.designs.size());
  for (;;) {
    const MPI_Status st = wait_for(0, MPI_ANY_TAG);
    const std::vector<unsigned char> in = receive(st);
    if (st.MPI_TAG == kTagStop) return;
    std::vector<std::int64_t> runs(in.size() / sizeof(std::int64_t));
    if (!runs.empty()) std::memcpy(runs.data(), in.data(), runs.size() * sizeof(std::int64_t));
    std::vector<std::optional<io::JournalRecord>> done(runs.size());
    std::vector<std::int64_t> units(runs.size(), 0);
    tbb::parallel_for(std::size_t{0}, runs.size(), [&](std::size_t i) {
      try {
        done[i] = execute_run(plan, runs[i], cancel);
      } catch (const Cancelled&) {
        return;  // not sent, so not journalled: --resume computes it again
      }
      try {  // work units, counted: users x days of the run (0 for a run whose scenario is rejected)
        const Scenario s = scenario_for_run(plan, run_at(runs[i], designs, plan.samples.samples(), plan.replicates));
        units[i] = s.population.users * s.simulation.days;
      } catch (const std::exception&) {
      }
    });
    msg.clear();
    std::int64_t user_days = 0;
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (done[i]) {
        user_days += units[i];
        ++n;
      }
    put(msg, mine);
    put(msg, user_days);
    put(msg, wanted);
    put(msg, n);
    for (const auto& rec : done)
      if (rec) {
        const std::vector<unsigned char> bytes = io::encode_record(*rec);
        put(msg, static_cast<std::uint32_t>(bytes.size()));
        msg.insert(msg.end(), bytes.begin(), bytes.end());
      }
    send(msg.data(), msg.size(), 0, kTagResult);
  }
}

}  // namespace complysim::mpi
