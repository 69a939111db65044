// complysim CLI — progress display: counts, rate and ETA, redrawn in place on
// a terminal, or one line every few seconds when stderr is not a terminal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace complysim::cli {

/// Reports progress of `total` units on stderr from a background thread.
/// tick() is thread-safe and cheap (one atomic add).
class Progress {
 public:
  /// @param label  shown first ("run", "sweep")
  /// @param total  units expected
  /// @param unit   what a unit is ("simulated days", "runs")
  /// @param quiet  show nothing
  /// @param already units done before this process started (a resumed sweep): counted
  ///        in done() and the percentage, not in the rate and ETA
  Progress(std::string label, std::int64_t total, std::string unit, bool quiet, std::int64_t already = 0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void tick(std::int64_t n = 1) { done_.fetch_add(n, std::memory_order_relaxed); }
  /// Units done so far.
  std::int64_t done() const { return done_.load(std::memory_order_relaxed); }
  /// Stops the display (clears the terminal line). Idempotent.
  void finish();

 private:
  void loop();
  std::string line() const;
  std::string label_, unit_;
  std::int64_t total_, already_ = 0;
  std::atomic<std::int64_t> done_{0};
  bool tty_ = false, active_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace complysim::cli
