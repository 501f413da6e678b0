#include "ingest/dedup.h"

#include <cstring>

namespace cloudward::ingest {

uint64_t EventIdSet::Hash(std::string_view id) {
  // FNV-1a over 8-byte words, then a murmur3 finaliser.
  uint64_t h = 0xcbf29ce484222325ULL ^ id.size();
  size_t i = 0;
  for (; i + 8 <= id.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, id.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  for (; i < id.size(); ++i) h = (h ^ static_cast<unsigned char>(id[i])) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

void EventIdSet::Prefetch(uint64_t h) const {
  const Shard& shard = shards_[h >> 58];
  const uint64_t* table = shard.table.load(std::memory_order_relaxed);
  if (table != nullptr) __builtin_prefetch(table + (h & shard.mask.load(std::memory_order_relaxed)));
}

bool EventIdSet::InsertHash(uint64_t h) {
  Shard& shard = shards_[h >> 58];
  std::lock_guard<std::mutex> lock(shard.mu);
  if ((shard.used + 1) * 4 > shard.slots.size() * 3) {
    std::vector<uint64_t> old;
    old.swap(shard.slots);
    shard.slots.assign(old.empty() ? 1024 : old.size() * 2, 0);
    size_t mask = shard.slots.size() - 1;
    for (uint64_t v : old) {
      if (v == 0) continue;
      size_t j = v & mask;
      while (shard.slots[j] != 0) j = (j + 1) & mask;
      shard.slots[j] = v;
    }
    shard.table.store(shard.slots.data(), std::memory_order_relaxed);
    shard.mask.store(mask, std::memory_order_relaxed);
  }
  size_t mask = shard.slots.size() - 1;
  size_t j = h & mask;
  while (shard.slots[j] != 0) {
    if (shard.slots[j] == h) return false;
    j = (j + 1) & mask;
  }
  shard.slots[j] = h;
  ++shard.used;
  return true;
}

void EventIdSet::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    s.slots.clear();
    s.used = 0;
    s.table.store(nullptr, std::memory_order_relaxed);
    s.mask.store(0, std::memory_order_relaxed);
  }
}

size_t EventIdSet::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.used;
  }
  return n;
}

}  // namespace cloudward::ingest
