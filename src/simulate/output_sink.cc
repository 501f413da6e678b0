#include "simulate/output_sink.h"

#include <libdeflate.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace cloudward::simulate {

OutputSink::OutputSink(Options options) : options_(options) {
  if (options_.threads <= 0) {
    if (options_.gzip) inline_compressor_ = libdeflate_alloc_compressor(options_.compression_level);
    return;
  }
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

OutputSink::~OutputSink() {
  (void)Finish();
  if (inline_compressor_ != nullptr) {
    libdeflate_free_compressor(static_cast<libdeflate_compressor*>(inline_compressor_));
  }
}

void OutputSink::Write(std::filesystem::path path, std::string data) {
  ++files_;
  raw_bytes_ += data.size();
  Job job{std::move(path), std::move(data)};
  if (workers_.empty()) {
    Process(job, inline_compressor_, inline_scratch_);
    return;
  }
  std::unique_lock lock(mu_);
  has_room_.wait(lock, [&] {
    return queued_bytes_ == 0 || queued_bytes_ + job.data.size() <= options_.max_queued_bytes;
  });
  queued_bytes_ += job.data.size();
  queue_.push_back(std::move(job));
  has_work_.notify_one();
}

Status OutputSink::Finish() {
  if (!finished_) {
    finished_ = true;
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    has_work_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }
  std::lock_guard lock(mu_);
  if (!first_error_.empty()) return Fail(ErrorCode::kIo, first_error_);
  return Ok();
}

void OutputSink::WorkerLoop() {
  libdeflate_compressor* compressor =
      options_.gzip ? libdeflate_alloc_compressor(options_.compression_level) : nullptr;
  std::string scratch;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      has_work_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty()) break;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    const size_t size = job.data.size();
    Process(job, compressor, scratch);
    {
      std::lock_guard lock(mu_);
      queued_bytes_ -= size;
    }
    has_room_.notify_one();
  }
  if (compressor != nullptr) libdeflate_free_compressor(compressor);
}

void OutputSink::Process(Job& job, void* compressor_ptr, std::string& scratch) {
  std::string_view bytes = job.data;
  if (options_.gzip) {
    auto* compressor = static_cast<libdeflate_compressor*>(compressor_ptr);
    scratch.resize(libdeflate_gzip_compress_bound(compressor, job.data.size()));
    const size_t n =
        libdeflate_gzip_compress(compressor, job.data.data(), job.data.size(), scratch.data(),
                                 scratch.size());
    bytes = std::string_view(scratch.data(), n);
  }
  std::string error;
  std::error_code ec;
  std::filesystem::create_directories(job.path.parent_path(), ec);
  if (ec) {
    error = job.path.parent_path().string() + ": " + ec.message();
  } else if (FILE* f = std::fopen(job.path.c_str(), "wb"); f == nullptr) {
    error = job.path.string() + ": " + std::strerror(errno);
  } else {
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) error = job.path.string() + ": write failed";
  }
  std::lock_guard lock(mu_);
  written_bytes_ += error.empty() ? bytes.size() : 0;
  if (!error.empty() && first_error_.empty()) first_error_ = std::move(error);
}

}  // namespace cloudward::simulate
