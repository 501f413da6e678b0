// FolderWatcher polls local folders for new log files and feeds each to the Intake once.
//
//   serve::FolderWatcher watcher({"/var/log/cloudtrail"}, "/var/lib/cloudward/watch.state", intake, metrics, {});
//   watcher.Start();  ...  watcher.Stop();
//
// A file is read when it has kept the same size and modification time for one poll (so files
// still being written are left for later), then remembered as "path<TAB>size<TAB>mtime" in the
// state file (appended and flushed after its findings are committed), so a restart reads only what
// is new or changed. Hidden files (".name") are skipped.
//
// Owns one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "serve/intake.h"
#include "serve/metrics.h"

namespace cloudward::serve {

struct FolderWatcherOptions {
  int64_t interval_ms = 2000;
};

class FolderWatcher {
 public:
  FolderWatcher(std::vector<std::string> folders, std::string state_file, Intake& intake, Metrics& metrics,
                FolderWatcherOptions options);
  ~FolderWatcher();

  void Start();
  void Stop();
  // One poll (what the thread does every interval); returns the number of files read.
  size_t PollOnce();

 private:
  void Run();
  void LoadState();

  std::vector<std::string> folders_;
  std::string state_file_;
  Intake& intake_;
  Metrics& metrics_;
  FolderWatcherOptions options_;
  std::set<std::string> done_;                 // "path\tsize\tmtime"
  std::map<std::string, std::string> pending_;  // path -> signature seen at the last poll
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cloudward::serve
