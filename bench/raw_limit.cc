// raw_limit: the fastest this machine can read CloudTrail, as the yardstick for `cloudward hunt`.
// Gunzips with libdeflate, parses with simdjson On-Demand and extracts the fields hunt reads for
// its output (eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
// userIdentity.type/arn/accessKeyId, recipientAccountId, eventID, errorCode) from every record;
// no rules, no output. Files are shared out to N threads through an atomic index.
//
//   raw_limit [--threads N] PATH...     (folders are walked for *.json and *.json.gz)
// prints one line: records=... bytes=... seconds=... events_per_s=... gb_per_s=... stoplogging=...
#include <libdeflate.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace simdjson;

struct Totals {
  uint64_t records = 0;
  uint64_t bytes = 0;      // decompressed JSON bytes
  uint64_t checksum = 0;   // keeps the extraction from being optimized away
  uint64_t stop_logging = 0;
  uint64_t errors = 0;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ReadFile(const fs::path& path, std::string& out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  out.resize(static_cast<size_t>(size < 0 ? 0 : size));
  const size_t n = std::fread(out.data(), 1, out.size(), f);
  std::fclose(f);
  return n == out.size();
}

// Gunzips `in` into `out` (with SIMDJSON_PADDING spare bytes); handles concatenated members.
bool Gunzip(libdeflate_decompressor* d, const std::string& in, std::string& out, size_t& size) {
  size_t guess = in.size() >= 4 ? (static_cast<unsigned char>(in[in.size() - 4]) |
                                   static_cast<unsigned char>(in[in.size() - 3]) << 8 |
                                   static_cast<unsigned char>(in[in.size() - 2]) << 16 |
                                   static_cast<size_t>(static_cast<unsigned char>(in[in.size() - 1])) << 24)
                                : 0;
  guess = std::max(guess, in.size() * 4);
  size = 0;
  size_t offset = 0;
  while (offset < in.size()) {
    for (;;) {
      if (out.size() < size + guess + SIMDJSON_PADDING) out.resize(size + guess + SIMDJSON_PADDING);
      size_t in_used = 0, out_used = 0;
      const auto r = libdeflate_gzip_decompress_ex(d, in.data() + offset, in.size() - offset, out.data() + size,
                                                   out.size() - size - SIMDJSON_PADDING, &in_used, &out_used);
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
        guess *= 2;
        continue;
      }
      if (r != LIBDEFLATE_SUCCESS) return false;
      offset += in_used;
      size += out_used;
      break;
    }
  }
  return true;
}

void Extract(ondemand::parser& parser, const char* data, size_t size, size_t capacity, Totals& t) {
  ondemand::document doc;
  if (parser.iterate(data, size, capacity).get(doc) != SUCCESS) {
    ++t.errors;
    return;
  }
  ondemand::array records;
  if (doc.find_field("Records").get_array().get(records) != SUCCESS) {
    ++t.errors;
    return;
  }
  for (auto element : records) {
    ondemand::object record;
    if (element.get_object().get(record) != SUCCESS) {
      ++t.errors;
      break;
    }
    uint64_t sum = 0;
    for (auto field : record) {
      std::string_view key;
      if (field.unescaped_key().get(key) != SUCCESS) break;
      ondemand::value value = field.value();
      std::string_view s;
      if (key == "userIdentity") {
        ondemand::object identity;
        if (value.get_object().get(identity) != SUCCESS) continue;
        for (auto inner : identity) {
          std::string_view k;
          if (inner.unescaped_key().get(k) != SUCCESS) break;
          if (k == "type" || k == "arn" || k == "accessKeyId") {
            if (inner.value().get_string().get(s) == SUCCESS) sum += s.size();
          }
        }
      } else if (key == "eventTime" || key == "eventSource" || key == "awsRegion" || key == "sourceIPAddress" ||
                 key == "userAgent" || key == "recipientAccountId" || key == "eventID" || key == "errorCode") {
        if (value.get_string().get(s) == SUCCESS) sum += s.size();
      } else if (key == "eventName") {
        if (value.get_string().get(s) == SUCCESS) {
          sum += s.size();
          t.stop_logging += s == "StopLogging";
        }
      }
    }
    t.checksum += sum;
    ++t.records;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--threads" || arg == "-j") && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(arg, ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && (EndsWith(name, ".json") || EndsWith(name, ".json.gz"))) files.push_back(e.path());
      }
    } else {
      files.emplace_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: raw_limit [--threads N] PATH...\n");
    return 2;
  }
  std::atomic<size_t> next{0};
  std::vector<Totals> totals(static_cast<size_t>(threads));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      Totals& t = totals[static_cast<size_t>(w)];
      libdeflate_decompressor* d = libdeflate_alloc_decompressor();
      ondemand::parser parser;
      std::string raw, plain;
      for (size_t i; (i = next.fetch_add(1)) < files.size();) {
        if (!ReadFile(files[i], raw)) {
          ++t.errors;
          continue;
        }
        if (EndsWith(files[i].string(), ".gz")) {
          size_t size = 0;
          if (!Gunzip(d, raw, plain, size)) {
            ++t.errors;
            continue;
          }
          t.bytes += size;
          Extract(parser, plain.data(), size, plain.size(), t);
        } else {
          t.bytes += raw.size();
          const size_t size = raw.size();
          raw.resize(size + SIMDJSON_PADDING);
          Extract(parser, raw.data(), size, raw.size(), t);
        }
      }
      libdeflate_free_decompressor(d);
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Totals all;
  for (const Totals& t : totals) {
    all.records += t.records;
    all.bytes += t.bytes;
    all.checksum += t.checksum;
    all.stop_logging += t.stop_logging;
    all.errors += t.errors;
  }
  std::printf("records=%llu bytes=%llu seconds=%.3f events_per_s=%.0f gb_per_s=%.3f stoplogging=%llu errors=%llu "
              "checksum=%llu threads=%d files=%zu\n",
              static_cast<unsigned long long>(all.records), static_cast<unsigned long long>(all.bytes), seconds,
              static_cast<double>(all.records) / seconds, static_cast<double>(all.bytes) / seconds / 1e9,
              static_cast<unsigned long long>(all.stop_logging), static_cast<unsigned long long>(all.errors),
              static_cast<unsigned long long>(all.checksum), threads, files.size());
  return all.errors == 0 ? 0 : 3;
}
