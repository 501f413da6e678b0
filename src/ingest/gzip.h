// Whole-buffer gzip decompression (RFC 1952) with libdeflate, multi-member aware.
//
//   GzipDecompressor gunzip;
//   ByteBuffer out;
//   Status s = gunzip.Decompress(bytes, 1 << 30, out);  // out holds what could be decompressed
//
// Grammar: file = member+ [zero padding]; member = header deflate-data CRC32 ISIZE.
// The ISIZE of the last member sizes the first output guess; the buffer grows on demand.
// A truncated or corrupt member is reported as an error, and whatever decompressed before the
// damage (salvaged with zlib's streaming inflate) is kept in `out`, so records before it survive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/result.h"

struct libdeflate_decompressor;

namespace cloudward::ingest {

// A growable byte buffer that always keeps `kPadding` readable bytes past its size, so simdjson
// can parse in place. Contents past size() are unspecified.
class ByteBuffer {
 public:
  static constexpr size_t kPadding = 64;

  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }

  // Ensures capacity >= n (plus padding), keeping the first size() bytes.
  void Reserve(size_t n);
  void Resize(size_t n) {
    Reserve(n);
    size_ = n;
  }
  void Clear() { size_ = 0; }
  // Frees memory when the buffer grew beyond `keep` bytes (so one huge file does not pin memory).
  void Shrink(size_t keep);

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

inline bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// Owns one libdeflate decompressor; not thread-safe.
class GzipDecompressor {
 public:
  GzipDecompressor();
  ~GzipDecompressor();
  GzipDecompressor(const GzipDecompressor&) = delete;
  GzipDecompressor& operator=(const GzipDecompressor&) = delete;

  // Decompresses all members of `in` into `out` (replacing its contents). On error `out` holds
  // the bytes recovered before the damage and the message says which member and input offset.
  Status Decompress(std::string_view in, uint64_t max_size, ByteBuffer& out);

 private:
  libdeflate_decompressor* d_;
};

}  // namespace cloudward::ingest
