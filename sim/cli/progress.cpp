#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace complysim::cli {

Progress::Progress(std::string label, std::int64_t total, std::string unit, bool quiet, std::int64_t already)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), already_(already), done_(already),
      start_(std::chrono::steady_clock::now()) {
  if (quiet) return;
  tty_ = isatty(fileno(stderr)) != 0;
  active_ = true;
  thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
  if (!active_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  active_ = false;
  if (tty_) std::cerr << "\r\033[K" << std::flush;
}

std::string Progress::line() const {
  using namespace std::chrono;
  const double elapsed = duration<double>(steady_clock::now() - start_).count();
  const auto d = done();
  const double rate = elapsed > 0 ? static_cast<double>(d - already_) / elapsed : 0.0;
  char buf[256];
  const double pct = total_ > 0 ? 100.0 * static_cast<double>(d) / static_cast<double>(total_) : 100.0;
  if (rate > 0 && d < total_) {
    const auto eta = static_cast<long long>(static_cast<double>(total_ - d) / rate);
    std::snprintf(buf, sizeof buf, "[%s] %lld/%lld %s (%.1f%%)  %.1f/s  ETA %lld:%02lld:%02lld", label_.c_str(),
                  static_cast<long long>(d), static_cast<long long>(total_), unit_.c_str(), pct, rate, eta / 3600,
                  (eta / 60) % 60, eta % 60);
  } else {
    std::snprintf(buf, sizeof buf, "[%s] %lld/%lld %s (%.1f%%)", label_.c_str(), static_cast<long long>(d),
                  static_cast<long long>(total_), unit_.c_str(), pct);
  }
  return buf;
}

void Progress::loop() {
  const auto period = tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    if (tty_) std::cerr << "\r\033[K" << line() << std::flush;
    else std::cerr << line() << "\n" << std::flush;
  }
}

}  // namespace complysim::cli
