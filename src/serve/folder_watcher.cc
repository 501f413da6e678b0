#include "serve/folder_watcher.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "serve/log.h"

namespace cloudward::serve {

FolderWatcher::FolderWatcher(std::vector<std::string> folders, std::string state_file, Intake& intake,
                             Metrics& metrics, FolderWatcherOptions options)
    : folders_(std::move(folders)),
      state_file_(std::move(state_file)),
      intake_(intake),
      metrics_(metrics),
      options_(options) {
  LoadState();
}

FolderWatcher::~FolderWatcher() { Stop(); }

void FolderWatcher::LoadState() {
  std::ifstream in(state_file_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) done_.insert(line);
  }
}

void FolderWatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void FolderWatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FolderWatcher::Run() {
  try {
    Log(LogLevel::kInfo, "watching folders",
        {{"folders", folders_}, {"state", state_file_}, {"interval_ms", options_.interval_ms}});
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      PollOnce();
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stop_; });
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "folder watcher failed", {{"error", e.what()}});
  } catch (...) {
    Log(LogLevel::kError, "folder watcher failed");
  }
}

size_t FolderWatcher::PollOnce() {
  namespace fs = std::filesystem;
  size_t read = 0;
  std::map<std::string, std::string> seen;
  for (const std::string& folder : folders_) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) continue;
    std::vector<std::string> files;
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name.front() == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& path : files) {
      if (path == state_file_) continue;
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) continue;
      const std::string signature = path + "\t" + std::to_string(st.st_size) + "\t" + std::to_string(st.st_mtim.tv_sec) +
                                    "." + std::to_string(st.st_mtim.tv_nsec);
      if (done_.count(signature)) continue;
      seen[path] = signature;
      auto previous = pending_.find(path);
      if (previous == pending_.end() || previous->second != signature) continue;  // not settled yet
      std::ifstream in(path, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      if (!in.good() && !in.eof()) {
        Log(LogLevel::kWarn, "cannot read watched file", {{"file", path}});
        continue;
      }
      auto batch = intake_.Ingest(path, buffer.str());
      if (!batch) {
        Log(LogLevel::kError, "commit failed; the file will be read again", {{"file", path}, {"error", batch.error().message}});
        continue;
      }
      ++metrics_.files_watched;
      ++read;
      Log(LogLevel::kInfo, "watched file read",
          {{"file", path}, {"events", batch->events}, {"findings", batch->findings},
           {"incidents", batch->recorded.incident_ids}, {"malformed", batch->malformed}});
      done_.insert(signature);
      seen.erase(path);
      if (std::FILE* f = std::fopen(state_file_.c_str(), "ab")) {
        const std::string line = signature + "\n";
        std::fwrite(line.data(), 1, line.size(), f);
        std::fflush(f);
        ::fsync(fileno(f));
        std::fclose(f);
      } else {
        Log(LogLevel::kWarn, "cannot write the watch state file; files may be read again after a restart",
            {{"state", state_file_}});
      }
    }
  }
  pending_ = std::move(seen);
  return read;
}

}  // namespace cloudward::serve
