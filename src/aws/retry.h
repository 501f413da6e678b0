// AWS "standard" retry mode (AWS SDKs reference guide, "Retry behavior"): at most 3 attempts;
// before retry i (1-based) sleep rand[0,1) * min(base * 2^(i-1), 20 s) with base 1 s ("full
// jitter"). Retried: throttling codes, transient codes, HTTP 500/502/503/504, timeouts and
// connection failures. Clock-skew errors are retried once after the skew is corrected.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "core/clock.h"

namespace cloudward::aws {

// Sleeping as a dependency, so retry tests run instantly.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepMs(int64_t ms) = 0;
};

class RealSleeper final : public Sleeper {
 public:
  void SleepMs(int64_t ms) override;
};

// Records every sleep and, if given a FakeClock, advances it. Thread-safe.
class RecordingSleeper final : public Sleeper {
 public:
  explicit RecordingSleeper(FakeClock* clock = nullptr) : clock_(clock) {}
  void SleepMs(int64_t ms) override;
  std::vector<int64_t> sleeps() const;

 private:
  mutable std::mutex mu_;
  FakeClock* clock_;
  std::vector<int64_t> sleeps_;
};

struct RetryPolicy {
  int max_attempts = 3;
  int64_t base_delay_ms = 1000;
  int64_t max_backoff_ms = 20000;
  // Returns a number in [0, 1); default: a thread-local Mersenne twister.
  std::function<double()> jitter;

  // Delay before retry number `retry` (1 = the first retry).
  int64_t BackoffMs(int retry) const;
};

}  // namespace cloudward::aws
