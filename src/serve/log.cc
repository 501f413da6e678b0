#include "serve/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "core/time.h"

namespace cloudward::serve {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_min{LogLevel::kInfo};

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("cloudward-serve", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

std::string_view LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void InitLogging(LogFormat format, LogLevel min_level) {
  g_format = format;
  g_min = min_level;
  Logger();
}

void Log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (level < g_min.load()) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string line;
  if (g_format.load() == LogFormat::kJson) {
    nlohmann::json j = {{"time", FormatIsoTime(now)}, {"level", LevelName(level)}, {"msg", message}};
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) j[k] = v;
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = FormatIsoTime(now) + " " + std::string(LevelName(level)) + " " + std::string(message);
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) {
        line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  Logger()->info(line);
}

}  // namespace cloudward::serve
