#include "ingest/scan.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "ingest/log_reader_impl.h"

namespace cloudward::ingest {

void IngestStats::AddError(std::string_view file, uint64_t offset, uint64_t line,
                           std::string reason) {
  if (errors.size() >= kMaxErrors) {
    ++errors_dropped;
    return;
  }
  errors.push_back(IngestError{std::string(file), offset, line, std::move(reason)});
}

void IngestStats::Merge(const IngestStats& other) {
  files += other.files;
  bytes += other.bytes;
  for (size_t i = 0; i < events.size(); ++i) events[i] += other.events[i];
  duplicates += other.duplicates;
  malformed += other.malformed;
  filtered += other.filtered;
  for (const auto& [what, n] : other.skipped) skipped[what] += n;
  errors_dropped += other.errors_dropped;
  for (const IngestError& e : other.errors) {
    if (errors.size() >= kMaxErrors) {
      ++errors_dropped;
    } else {
      errors.push_back(e);
    }
  }
}

uint64_t IngestStats::TotalEvents() const {
  uint64_t n = 0;
  for (uint64_t e : events) n += e;
  return n;
}

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input != "-" && fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(
               input, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_regular_file(type_ec)) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

namespace {

// A part of one big line-oriented file, shared by the workers that read its chunks.
struct Chunk {
  std::shared_ptr<ByteBuffer> holder;
  std::string name;
  std::string_view text;
  InputFormat format = InputFormat::kUnknown;
  size_t begin = 0, end = 0;
  uint64_t first_line = 1;
  std::string header;  // flow log header in force at `begin`
};

struct Shared {
  std::vector<std::string> files;
  std::atomic<size_t> next_file{0};
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Chunk> chunks;
  int producers = 0;  // workers reading a whole file (which may add chunks)

  std::atomic<uint64_t> files_done{0}, bytes{0}, events{0}, errors{0};
};

// Cuts [start, text.size()) into chunks of about `target` bytes at line boundaries, with line
// numbers and (for flow logs) the header in force at each chunk's start.
std::vector<Chunk> Split(std::string_view text, size_t start, InputFormat format, size_t target) {
  std::vector<Chunk> out;
  uint64_t line = 1 + static_cast<uint64_t>(std::count(
                          text.begin(), text.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
  std::string header;
  size_t pos = start;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + target);
    if (end < text.size()) {
      size_t nl = text.find('\n', end);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    Chunk c;
    c.text = text;
    c.format = format;
    c.begin = pos;
    c.end = end;
    c.first_line = line;
    c.header = header;
    out.push_back(std::move(c));
    // Advance line count (and the flow log header) over this chunk.
    if (format == InputFormat::kVpcFlow) {
      size_t p = pos;
      while (p < end) {
        const void* hit = std::memchr(text.data() + p, '\n', end - p);
        size_t nl = hit ? static_cast<size_t>(static_cast<const char*>(hit) - text.data()) : end;
        if (text[p] >= 'a' && text[p] <= 'z' &&
            VpcFlowReader::IsHeader(text.substr(p, nl - p))) {
          header.assign(text.substr(p, nl - p));
        }
        if (hit) ++line;
        p = nl + 1;
      }
    } else {
      line += static_cast<uint64_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(pos),
                                               text.begin() + static_cast<std::ptrdiff_t>(end),
                                               '\n'));
    }
    pos = end;
  }
  return out;
}

class Worker {
 public:
  Worker(int id, Shared& shared, const ScanOptions& options, std::shared_ptr<EventIdSet> seen,
         int threads)
      : id_(id), shared_(shared), options_(options), impl_(std::move(seen)), threads_(threads) {
    impl_.live_events = &shared_.events;
  }

  void Run(EventSink& sink) {
    while (true) {
      Chunk chunk;
      size_t file_index = 0;
      {
        std::unique_lock<std::mutex> lock(shared_.mu);
        while (true) {
          if (!shared_.chunks.empty()) {
            chunk = std::move(shared_.chunks.front());
            shared_.chunks.pop_front();
            break;
          }
          file_index = shared_.next_file.fetch_add(1);
          if (file_index < shared_.files.size()) {
            ++shared_.producers;
            break;
          }
          if (shared_.producers == 0) return;
          shared_.cv.wait(lock);
        }
      }
      uint64_t errors_before = stats_.errors.size() + stats_.errors_dropped;
      if (chunk.holder) {
        impl_.ReadChunk(chunk.name, chunk.text, chunk.format, chunk.begin, chunk.end,
                        chunk.first_line, chunk.header, sink, stats_, options_);
        chunk.holder.reset();
      } else {
        ReadOneFile(shared_.files[file_index], sink);
        shared_.files_done.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(shared_.mu);
        --shared_.producers;
        shared_.cv.notify_all();
      }
      shared_.errors.fetch_add(stats_.errors.size() + stats_.errors_dropped - errors_before,
                               std::memory_order_relaxed);
    }
  }

  IngestStats& stats() { return stats_; }
  int id() const { return id_; }

 private:
  void ReadOneFile(const std::string& path, EventSink& sink) {
    ++stats_.files;
    if (IsDigestPath(path)) {
      ++stats_.skipped["digest"];
      return;
    }
    std::string error = ReadWholeFile(path, raw_);
    if (!error.empty()) {
      ++stats_.skipped["unreadable"];
      stats_.AddError(path, 0, 0, error);
      return;
    }
    std::optional<std::string_view> decoded =
        impl_.Decode(path, raw_, decompressed_, stats_, options_);
    if (!decoded) return;
    std::string_view text = *decoded;
    stats_.bytes += text.size();
    shared_.bytes.fetch_add(text.size(), std::memory_order_relaxed);
    Detection d;
    bool split = false;
    if (threads_ > 1 && text.size() > options_.split_bytes) {
      d = DetectFormat(text);
      split = d.format == InputFormat::kVpcFlow || d.format == InputFormat::kS3Access ||
              (d.format == InputFormat::kJson && LogReader::Impl::LooksLikeJsonLines(text, d.start));
    }
    if (!split) {
      impl_.ReadText(path, text, sink, stats_, options_);
    } else {
      // Hand the buffer to the chunks; this worker allocates fresh buffers next time.
      ByteBuffer& owner = text.data() == raw_.data() ? raw_ : decompressed_;
      auto holder = std::make_shared<ByteBuffer>(std::move(owner));
      owner = ByteBuffer();
      // Chunks of a quarter of the split threshold (16 MiB by default), or smaller pieces
      // when that leaves fewer than four per worker.
      size_t target = std::max<size_t>(
          1, std::min<size_t>(options_.split_bytes / 4,
                              text.size() / (static_cast<size_t>(threads_) * 4)));
      std::vector<Chunk> chunks = Split(text, d.start, d.format, target);
      for (Chunk& c : chunks) {
        c.holder = holder;
        c.name = path;
      }
      {
        std::lock_guard<std::mutex> lock(shared_.mu);
        for (size_t i = 1; i < chunks.size(); ++i) shared_.chunks.push_back(std::move(chunks[i]));
        shared_.cv.notify_all();
      }
      Chunk& first = chunks[0];
      impl_.ReadChunk(path, first.text, first.format, first.begin, first.end, first.first_line,
                      first.header, sink, stats_, options_);
    }
    raw_.Shrink(size_t{256} << 20);
    decompressed_.Shrink(size_t{256} << 20);
  }

  int id_;
  Shared& shared_;
  const ScanOptions& options_;
  LogReader::Impl impl_;
  int threads_;
  IngestStats stats_;
  ByteBuffer raw_, decompressed_;
};

}  // namespace

IngestStats Scan(const std::vector<std::string>& inputs, const ScanOptions& options,
                 const SinkFactory& make_sink) {
  auto started = std::chrono::steady_clock::now();
  Shared shared;
  shared.files = ExpandInputs(inputs);
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min(threads, 256));
  auto seen = std::make_shared<EventIdSet>();

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<EventSink>> sinks;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(i, shared, options, seen, threads));
    sinks.push_back(make_sink(i));
  }
  std::atomic<int> running{threads};
  std::mutex done_mu;
  std::condition_variable done_cv;
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      Worker& worker = *workers[static_cast<size_t>(i)];
      try {
        if (sinks[static_cast<size_t>(i)]) {
          worker.Run(*sinks[static_cast<size_t>(i)]);
          sinks[static_cast<size_t>(i)]->OnFinish();
        }
      } catch (const std::exception& e) {
        worker.stats().AddError("", 0, 0, std::string("worker stopped: ") + e.what());
      } catch (...) {
        worker.stats().AddError("", 0, 0, "worker stopped by an unknown exception");
      }
      {
        std::lock_guard<std::mutex> lock(done_mu);
        --running;
      }
      done_cv.notify_all();
    });
  }
  auto progress = [&] {
    ScanProgress p;
    p.files_done = shared.files_done.load();
    p.files_total = shared.files.size();
    p.bytes = shared.bytes.load();
    p.events = shared.events.load();
    p.errors = shared.errors.load();
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return p;
  };
  {
    std::unique_lock<std::mutex> lock(done_mu);
    while (running.load() > 0) {
      done_cv.wait_for(lock, std::chrono::milliseconds(250));
      if (options.on_progress && running.load() > 0) {
        lock.unlock();
        options.on_progress(progress());
        lock.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  IngestStats total;
  for (auto& w : workers) total.Merge(w->stats());
  std::stable_sort(total.errors.begin(), total.errors.end(),
                   [](const IngestError& a, const IngestError& b) {
                     return a.file != b.file ? a.file < b.file : a.offset < b.offset;
                   });
  if (options.on_progress) options.on_progress(progress());
  return total;
}

}  // namespace cloudward::ingest
