// complysim — one sweep across the ranks of an MPI job (issue 18; docs/sweeps.md,
// "MPI"). Rank 0 coordinates: it does everything a single-process sweep does
// (journal, --resume, consolidation into the one HDF5 file) but, instead of
// computing the runs, hands them out a few at a time to the other ranks as they
// become free (dynamic load balancing) and journals the records they send back.
// Workers compute with oneTBB inside the rank. Nothing but MPI point-to-point
// messages passes between ranks; the file is bitwise the single-process one.
//
// Built only with COMPLYSIM_WITH_MPI (target complysim_mpi); nothing else in
// complysim includes mpi.h.
#pragma once

#include "complysim/simulation/sweep.hpp"

#include <atomic>
#include <cstdint>
#include <vector>

namespace complysim::mpi {

/// True when this process was started by an MPI launcher (mpirun/mpiexec of
/// Open MPI or MPICH, srun with PMI/PMIx): the environment names a rank.
bool launched_by_mpi();

/// MPI_Init_thread (funneled) on construction, MPI_Finalize on destruction.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ends the whole job at once (MPI_Abort) with exit status `code`.
  [[noreturn]] static void abort(int code);

 private:
  int rank_ = 0, size_ = 1;
};

/// Work one worker rank computed: runs, and users x days summed over them.
struct WorkerTally {
  std::int64_t runs = 0;
  std::int64_t user_days = 0;
};

/// Rank 0's side. Construct it before anything on rank 0 can fail: its
/// destructor answers every worker with "stop" (receiving, and dropping, any
/// result still on its way), so no worker waits forever whatever rank 0 did.
class Coordinator {
 public:
  /// @param size  ranks in the job (>= 2)
  /// @param batch most runs a worker holds at once (<= 0: as many as it has
  ///              threads); never more than its share of the runs left, so the ranks finish together
  Coordinator(int size, std::int64_t batch);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  /// SweepOptions::executor: hands `pending` out to the workers as they free
  /// up, feeds every record they return to `sink` (here, on rank 0's thread)
  /// and returns when all handed-out runs are back and every worker is
  /// stopped; stops handing out when `sink` returns false or `cancel` is raised.
  /// @throws SweepRefused when a worker planned another sweep (other scenario
  ///         files on its node); io::JournalError for a record that arrives damaged
  void execute(const SweepPlan& plan, const std::vector<std::int64_t>& pending, const SweepOptions::RunSink& sink,
               const std::atomic<bool>* cancel);

  /// [ranks] what each rank computed (rank 0: nothing).
  const std::vector<WorkerTally>& tally() const { return tally_; }
  /// Seconds rank 0 spent handling messages (receiving, decoding, journalling,
  /// replying), not waiting: the coordinator's overhead.
  double busy_seconds() const { return busy_seconds_; }
  /// Of busy_seconds(), the time spent in the sink (journalling, progress):
  /// what a single-process sweep spends on the same runs too.
  double journal_seconds() const { return journal_seconds_; }

 private:
  struct Worker {
    bool ready_due = true;       ///< its first ("ready") message is still to come
    bool stopped = false;        ///< sent "stop"
    bool answer_due = false;     ///< its last message is taken but not answered yet
    std::int64_t held = 0;       ///< runs it holds (each comes back in a message)
    std::int64_t capacity = 1;   ///< runs it asks to hold at once
  };
  /// Receives the next message (from `w` or MPI_ANY_SOURCE) and, with a
  /// header, checks and decodes its records into `records`; returns the
  /// sender. Without a header the records are dropped.
  int take(int w, const io::JournalHeader* header, std::vector<io::JournalRecord>& records);
  void stop_all() noexcept;
  int size_;
  std::int64_t batch_;
  std::vector<WorkerTally> tally_;
  std::vector<Worker> state_;
  std::uint64_t fingerprint_ = 0;
  double busy_seconds_ = 0, journal_seconds_ = 0;
};

/// A worker rank's side: tells rank 0 it is ready, then computes the runs it
/// receives, up to `batch` (default: `threads`) at once in a oneTBB arena of
/// `threads` threads (0: all cores), sending each record back as it finishes,
/// until rank 0 says stop. A run cancelled by Ctrl-C is not sent (rank 0 does
/// not journal it, so --resume computes it again). Sets its own thread limit.
void work(const SweepPlan& plan, std::int64_t batch, int threads, const std::atomic<bool>* cancel);

}  // namespace complysim::mpi
