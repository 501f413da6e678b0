// EventIdSet: the CloudTrail eventIDs seen in one scan, as 64-bit hashes, shared by all workers.
// Thread-safe: 64 shards, each an open-addressing table under its own mutex. A collision of two
// different eventIDs (probability about n^2/2^65 for n ids, ~3% at a billion ids) would drop one
// record; acceptable for dropping re-delivered log files.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace cloudward::ingest {

class EventIdSet {
 public:
  // Returns true if `id` was not seen before (and remembers it).
  bool Insert(std::string_view id) { return InsertHash(Hash(id)); }
  // The same from Hash(id). A reader that hashes an id early can Prefetch its slot meanwhile:
  // with millions of ids the table outgrows the caches and the lookup is a memory access.
  bool InsertHash(uint64_t hash);
  void Prefetch(uint64_t hash) const;
  void Clear();
  size_t size() const;

  static uint64_t Hash(std::string_view id);

 private:
  struct Shard {
    mutable std::mutex mu;
    std::vector<uint64_t> slots;  // 0 = empty; power-of-two size
    size_t used = 0;
    // slots.data() and size - 1, published for Prefetch (which takes no lock: a stale pair only
    // prefetches a useless line, never faults).
    std::atomic<const uint64_t*> table{nullptr};
    std::atomic<size_t> mask{0};
  };
  std::array<Shard, 64> shards_;
};

}  // namespace cloudward::ingest
