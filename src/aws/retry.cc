#include "aws/retry.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace cloudward::aws {

void RealSleeper::SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void RecordingSleeper::SleepMs(int64_t ms) {
  std::lock_guard lock(mu_);
  sleeps_.push_back(ms);
  if (clock_) clock_->Advance(ms);
}

std::vector<int64_t> RecordingSleeper::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

int64_t RetryPolicy::BackoffMs(int retry) const {
  double r;
  if (jitter) {
    r = jitter();
  } else {
    thread_local std::mt19937_64 rng(std::random_device{}());
    r = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  r = std::clamp(r, 0.0, 1.0);
  int shift = std::clamp(retry - 1, 0, 30);
  double cap = std::min<double>(static_cast<double>(base_delay_ms) * static_cast<double>(int64_t{1} << shift),
                                static_cast<double>(max_backoff_ms));
  return static_cast<int64_t>(r * cap);
}

}  // namespace cloudward::aws
