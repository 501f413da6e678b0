// Deterministic pseudo-random numbers for the simulator: xoshiro256** seeded through splitmix64.
// The same seed always yields the same sequence on every platform (no std::distribution, whose
// output differs between standard libraries), so `cloudward simulate --seed N` is reproducible
// byte for byte.
//
//   Random rng(42);
//   uint64_t n = rng.Below(10);          // 0..9
//   if (rng.Chance(0.02)) { ... }        // 2 %
//   std::string_view ua = rng.Pick(kAgents);
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace cloudward::simulate {

__extension__ using Uint128 = unsigned __int128;

class Random {
 public:
  explicit Random(uint64_t seed) {
    for (auto& s : state_) s = SplitMix(seed);
  }

  // A new generator whose sequence is independent of this one's and fixed by (this seed, stream).
  Random Fork(uint64_t stream) const {
    return Random(state_[0] ^ (stream * 0x9E3779B97F4A7C15ULL) ^ state_[3]);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift (bias below 2^-32 for our n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64);
  }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

  template <class T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  template <class T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

  // Index drawn with probability proportional to weights[i].
  size_t Weighted(std::span<const uint32_t> weights) {
    uint64_t total = 0;
    for (uint32_t w : weights) total += w;
    uint64_t r = Below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }

  // Appends n characters drawn from `alphabet`.
  void AppendChars(std::string& out, std::string_view alphabet, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(alphabet[Below(alphabet.size())]);
  }
  std::string Chars(std::string_view alphabet, size_t n) {
    std::string s;
    AppendChars(s, alphabet, n);
    return s;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t state_[4];
};

inline constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // AWS key ids
inline constexpr std::string_view kLowerHex = "0123456789abcdef";
inline constexpr std::string_view kUpperHex = "0123456789ABCDEF";
inline constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace cloudward::simulate
