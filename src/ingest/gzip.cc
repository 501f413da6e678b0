#include "ingest/gzip.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace cloudward::ingest {

void ByteBuffer::Reserve(size_t n) {
  if (n <= capacity_ && data_) return;
  size_t cap = std::max(n, capacity_ + capacity_ / 2);
  std::unique_ptr<char[]> fresh(new char[cap + kPadding]);
  if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
  std::memset(fresh.get() + cap, 0, kPadding);
  data_ = std::move(fresh);
  capacity_ = cap;
}

void ByteBuffer::Shrink(size_t keep) {
  if (capacity_ > keep) {
    data_.reset();
    capacity_ = 0;
    size_ = 0;
  }
}

GzipDecompressor::GzipDecompressor() : d_(libdeflate_alloc_decompressor()) {}
GzipDecompressor::~GzipDecompressor() { libdeflate_free_decompressor(d_); }

namespace {

uint32_t ReadLe32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Streams `in` through zlib to recover the bytes before a damaged spot. Appends to out.
void Salvage(std::string_view in, uint64_t max_size, ByteBuffer& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  while (out.size() < max_size) {
    out.Reserve(out.size() + (1 << 20));
    size_t room = std::min<size_t>(out.capacity() - out.size(), max_size - out.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + out.size());
    zs.avail_out = static_cast<uInt>(std::min<size_t>(room, UINT32_MAX));
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = room - zs.avail_out;
    out.Resize(out.size() + produced);
    if (rc != Z_OK || produced == 0) break;
  }
  inflateEnd(&zs);
}

}  // namespace

Status GzipDecompressor::Decompress(std::string_view in, uint64_t max_size, ByteBuffer& out) {
  out.Clear();
  const auto* bytes = reinterpret_cast<const unsigned char*>(in.data());
  size_t pos = 0;
  int member = 0;
  while (pos < in.size()) {
    size_t rest = in.size() - pos;
    if (member > 0) {
      // Zero padding after the last member is allowed (tape and block-device writers add it).
      if (std::all_of(in.begin() + static_cast<std::ptrdiff_t>(pos), in.end(),
                      [](char c) { return c == 0; })) {
        break;
      }
      if (!IsGzip(in.substr(pos))) {
        return Fail(ErrorCode::kMalformed, "trailing garbage after gzip member " +
                                               std::to_string(member) + " at byte " +
                                               std::to_string(pos));
      }
    }
    if (rest < 18) {
      return Fail(ErrorCode::kMalformed, "truncated gzip member " + std::to_string(member + 1) +
                                             " at byte " + std::to_string(pos));
    }
    // ISIZE of the whole input is exact for a single member and a fair guess otherwise. It is
    // the sender's word: deflate expands at most about 1032:1, so a larger claim is a lie that
    // must not make a 1 KB upload reserve gigabytes.
    constexpr uint64_t kMaxDeflateRatio = 1032;
    uint64_t guess = std::min<uint64_t>(ReadLe32(bytes + in.size() - 4), rest * kMaxDeflateRatio);
    guess = std::max<uint64_t>(guess, rest * 4);
    guess = std::min<uint64_t>(guess + 1024, max_size - std::min(max_size, out.size()));
    while (true) {
      out.Reserve(out.size() + guess);
      size_t in_used = 0, out_made = 0;
      libdeflate_result rc = libdeflate_gzip_decompress_ex(
          d_, bytes + pos, rest, out.data() + out.size(), out.capacity() - out.size(), &in_used,
          &out_made);
      if (rc == LIBDEFLATE_SUCCESS) {
        out.Resize(out.size() + out_made);
        pos += in_used;
        ++member;
        break;
      }
      if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
        if (out.size() + guess >= max_size) {
          Salvage(in.substr(pos), max_size, out);
          return Fail(ErrorCode::kMalformed, "gzip member " + std::to_string(member + 1) +
                                                 " decompresses to more than " +
                                                 std::to_string(max_size) + " bytes; cut there");
        }
        guess = std::min<uint64_t>(guess * 2, max_size - out.size());
        continue;
      }
      Salvage(in.substr(pos), max_size, out);
      return Fail(ErrorCode::kMalformed, "truncated or corrupt gzip member " +
                                             std::to_string(member + 1) + " at byte " +
                                             std::to_string(pos));
    }
  }
  return Ok();
}

}  // namespace cloudward::ingest
