// complysim — one sweep across the ranks of an MPI job (sweep_mpi.hpp).
//
// Messages (MPI_BYTE, all on MPI_COMM_WORLD):
//   worker -> 0, kTagResult: u64 plan fingerprint | i64 user_days | i64 capacity | u32 done | u32 dropped |
//                            done x (u32 length | journal record as io::encode_record writes it, CRC included)
//                            (the first message, done = dropped = 0, says "ready")
//   0 -> worker, kTagWork:   i64 runs[] (0 or more global run indices to add to what it holds)
//   0 -> worker, kTagStop:   empty: the worker holds no run and gets none: leave the loop
// Every worker message is answered by exactly one kTagWork or kTagStop, and a
// worker holds at most `capacity` runs, computing them concurrently and
// reporting each as it finishes, so its threads never wait for a batch's slowest
// run. Rank 0 counts the runs each worker holds, so it always knows how many
// messages a worker still owes it.
#include "sweep_mpi.hpp"

#include "complysim/simulation/run.hpp"

#include <mpi.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
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
  // (MPI_ANY_SOURCE as `source`: the first worker with a message.)
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
    : size_(size), batch_(batch), tally_(static_cast<std::size_t>(size)), state_(static_cast<std::size_t>(size)) {
  state_[0].stopped = true;  // rank 0 is us
}

Coordinator::~Coordinator() { stop_all(); }

int Coordinator::take(int w, const io::JournalHeader* header, std::vector<io::JournalRecord>& records) {
  const MPI_Status st = wait_for(w, kTagResult);
  const auto t0 = std::chrono::steady_clock::now();
  const int from = st.MPI_SOURCE;
  Worker& k = state_[static_cast<std::size_t>(from)];
  const std::vector<unsigned char> msg = receive(st);
  k.answer_due = true;
  std::size_t pos = 0;
  const auto print = get<std::uint64_t>(msg, pos);
  const auto user_days = get<std::int64_t>(msg, pos);
  k.capacity = std::max<std::int64_t>(1, get<std::int64_t>(msg, pos));
  const auto done = get<std::uint32_t>(msg, pos), dropped = get<std::uint32_t>(msg, pos);
  k.ready_due = false;
  k.held -= done + dropped;
  records.clear();
  if (header) {
    if (print != fingerprint_)
      throw SweepRefused("MPI rank " + std::to_string(from) + " loaded another scenario or design than rank 0 (do all nodes see "
                         "the same scenario files?); nothing was journalled from it");
    WorkerTally& t = tally_[static_cast<std::size_t>(from)];
    t.user_days += user_days;
    t.runs += done;
    for (std::uint32_t i = 0; i < done; ++i) {
      const auto len = get<std::uint32_t>(msg, pos);
      if (pos + len > msg.size()) throw io::JournalError("MPI: a record from rank " + std::to_string(from) + " is truncated");
      records.push_back(io::decode_record(msg.data() + pos, len, *header));
      pos += len;
    }
  }
  busy_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return from;
}

void Coordinator::stop_all() noexcept {
  try {
    std::vector<io::JournalRecord> dropped;
    for (int w = 1; w < size_; ++w) {
      Worker& k = state_[static_cast<std::size_t>(w)];
      while (!k.stopped) {
        // Every worker not stopped owes a message or waits for our answer.
        if (!k.answer_due) (void)take(w, nullptr, dropped);  // its records are dropped: --resume computes them
        k.answer_due = false;
        if (k.held > 0) {
          send(nullptr, 0, w, kTagWork);  // nothing more; its other runs are still to come
        } else {
          send(nullptr, 0, w, kTagStop);
          k.stopped = true;
        }
      }
    }
  } catch (...) {
    Session::abort(2);  // cannot talk to a worker: end the job rather than hang it
  }
}

void Coordinator::execute(const SweepPlan& plan, const std::vector<std::int64_t>& pending, const SweepOptions::RunSink& sink,
                          const std::atomic<bool>* cancel) {
  const io::JournalHeader header = journal_header(plan, "");
  fingerprint_ = fingerprint(plan);
  const auto workers = static_cast<std::int64_t>(size_ - 1);
  std::size_t next = 0;
  bool stop = false;
  std::vector<std::int64_t> runs;
  // Answers worker w (whose message was just taken): as many runs as it has
  // free slots (--mpi-batch caps them), or "stop" once it holds none and none are left.
  const auto answer = [&](int w) {
    Worker& k = state_[static_cast<std::size_t>(w)];
    const bool halted = stop || (cancel && cancel->load(std::memory_order_relaxed));
    runs.clear();
    if (!halted && next < pending.size()) {
      const auto left = static_cast<std::int64_t>(pending.size() - next);
      const std::int64_t cap = batch_ > 0 ? batch_ : k.capacity;
      // No more than the worker's share of what is left, so the ranks finish together.
      const std::int64_t n = std::min({cap - k.held, left, std::max<std::int64_t>(1, (left + workers - 1) / workers)});
      for (std::int64_t i = 0; i < n; ++i) runs.push_back(pending[next++]);
    }
    k.answer_due = false;
    if (runs.empty() && k.held == 0) {
      send(nullptr, 0, w, kTagStop);
      k.stopped = true;
      return;
    }
    send(runs.data(), runs.size() * sizeof(std::int64_t), w, kTagWork);
    k.held += static_cast<std::int64_t>(runs.size());
  };
  const auto owes = [&](const Worker& k) { return !k.stopped && (k.ready_due || k.held > 0); };
  // Workers waiting for an answer (none, unless an earlier execute left one) get it first.
  for (int w = 1; w < size_; ++w)
    if (state_[static_cast<std::size_t>(w)].answer_due && !state_[static_cast<std::size_t>(w)].stopped) answer(w);
  for (;;) {
    bool any = false;
    for (int w = 1; w < size_; ++w) any = any || owes(state_[static_cast<std::size_t>(w)]);
    if (!any) break;
    std::vector<io::JournalRecord> records;
    const int w = take(MPI_ANY_SOURCE, &header, records);
    // Answer first, journal after: the worker computes on while rank 0 writes.
    const auto t0 = std::chrono::steady_clock::now();
    answer(w);
    for (io::JournalRecord& rec : records) {
      const auto j0 = std::chrono::steady_clock::now();
      if (!stop && !sink(std::move(rec))) stop = true;
      journal_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - j0).count();
    }
    busy_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
}

void work(const SweepPlan& plan, std::int64_t batch, int threads, const std::atomic<bool>* cancel) {
  // `threads` compute in an arena of their own; this (MPI) thread only polls and sends.
  const int t = threads > 0 ? threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t) + 1);
  tbb::task_arena arena(t, /*reserved_for_masters=*/0);
  const std::int64_t capacity = batch > 0 ? batch : t;
  const std::uint64_t mine = fingerprint(plan);
  const auto designs = static_cast<std::int64_t>(plan.designs.size());

  std::mutex mutex;
  struct Finished {
    std::optional<io::JournalRecord> record;  // empty: cancelled, not sent
    std::int64_t user_days = 0;
  };
  std::vector<Finished> finished;
  std::int64_t held = 0;
  const auto report = [&](std::vector<Finished>& batch_done) {
    std::vector<unsigned char> msg;
    std::int64_t user_days = 0;
    std::uint32_t done = 0, dropped = 0;
    for (const Finished& f : batch_done) {
      user_days += f.user_days;
      f.record ? ++done : ++dropped;
    }
    put(msg, mine);
    put(msg, user_days);
    put(msg, capacity);
    put(msg, done);
    put(msg, dropped);
    for (const Finished& f : batch_done)
      if (f.record) {
        const std::vector<unsigned char> bytes = io::encode_record(*f.record);
        put(msg, static_cast<std::uint32_t>(bytes.size()));
        msg.insert(msg.end(), bytes.begin(), bytes.end());
      }
    send(msg.data(), msg.size(), 0, kTagResult);
  };
  std::vector<Finished> none;
  report(none);  // ready
  bool answered = false;  // rank 0 answered our last message
  for (;;) {
    bool idle = true;
    int flag = 0;
    MPI_Status st;
    check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (flag) {
      idle = false;
      const std::vector<unsigned char> in = receive(st);
      if (st.MPI_TAG == kTagStop) break;  // sent only when we hold no run
      answered = true;
      std::vector<std::int64_t> runs(in.size() / sizeof(std::int64_t));
      if (!runs.empty()) std::memcpy(runs.data(), in.data(), runs.size() * sizeof(std::int64_t));
      held += static_cast<std::int64_t>(runs.size());
      for (const std::int64_t run : runs)
        arena.enqueue([&, run] {
          Finished f;
          try {
            f.record = execute_run(plan, run, cancel);
            try {  // work units, counted: users x days of the run (0 when its scenario is rejected)
              const Scenario s = scenario_for_run(plan, run_at(run, designs, plan.samples.samples(), plan.replicates));
              f.user_days = s.population.users * s.simulation.days;
            } catch (const std::exception&) {
            }
          } catch (const Cancelled&) {
            // not sent, so not journalled: --resume computes it again
          }
          const std::lock_guard lock(mutex);
          finished.push_back(std::move(f));
        });
    }
    // One message per answer: report what finished once rank 0 answered the last one.
    if (answered) {
      std::vector<Finished> out;
      {
        const std::lock_guard lock(mutex);
        out.swap(finished);
      }
      if (!out.empty()) {
        idle = false;
        held -= static_cast<std::int64_t>(out.size());
        report(out);
        answered = false;
      }
    }
    if (idle) std::this_thread::sleep_for(kPoll);
  }
  (void)held;
}

}  // namespace complysim::mpi
