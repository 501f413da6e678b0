// OutputSink writes finished log files, gzip-compressing them with libdeflate on worker threads
// while the caller goes on generating. Owns its worker threads and the queued file contents.
// Write() may be called from one thread only; Finish() joins the workers and must be called
// before destruction to learn about I/O errors (the destructor finishes silently).
//
//   OutputSink sink({.gzip = true, .threads = 2});
//   sink.Write(dir / "a.json.gz", std::move(json));   // path already carries the .gz suffix
//   Status s = sink.Finish();
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace cloudward::simulate {

class OutputSink {
 public:
  struct Options {
    bool gzip = true;
    int compression_level = 1;  // libdeflate 1..12; 1 is fast and still ~8x on CloudTrail JSON
    int threads = 1;            // compression/write workers; 0 writes inline
    size_t max_queued_bytes = 256u << 20;
  };

  explicit OutputSink(Options options);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  // Queues `data` to be written (compressed when gzip) to `path`, creating parent folders.
  // Blocks while more than max_queued_bytes are waiting.
  void Write(std::filesystem::path path, std::string data);

  // Waits for every queued file; returns the first error met, if any.
  Status Finish();

  uint64_t files() const { return files_; }
  uint64_t raw_bytes() const { return raw_bytes_; }
  // Bytes on disk; valid after Finish().
  uint64_t written_bytes() const { return written_bytes_; }

 private:
  struct Job {
    std::filesystem::path path;
    std::string data;
  };
  void WorkerLoop();
  void Process(Job& job, void* compressor, std::string& scratch);

  Options options_;
  std::mutex mu_;
  std::condition_variable has_work_;
  std::condition_variable has_room_;
  std::deque<Job> queue_;
  size_t queued_bytes_ = 0;
  bool done_ = false;
  bool finished_ = false;
  std::vector<std::thread> workers_;
  uint64_t files_ = 0;
  uint64_t raw_bytes_ = 0;
  uint64_t written_bytes_ = 0;  // guarded by mu_
  std::string first_error_;     // guarded by mu_
  void* inline_compressor_ = nullptr;
  std::string inline_scratch_;
};

}  // namespace cloudward::simulate
