// Structured logs of the daemon: one line per event on stderr, either text
// ("2026-11-20T09:00:00.123Z info sqs message committed queue=... findings=2") or JSON Lines
// ({"time":"...","level":"info","msg":"sqs message committed","queue":"...","findings":2}).
//
//   serve::InitLogging(serve::LogFormat::kJson);
//   serve::Log(serve::LogLevel::kInfo, "listening", {{"address", "127.0.0.1:8080"}});
//
// Thread-safe (spdlog's synchronised stderr sink).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace cloudward::serve {

enum class LogFormat : unsigned char { kText, kJson };
enum class LogLevel : unsigned char { kDebug, kInfo, kWarn, kError };

void InitLogging(LogFormat format, LogLevel min_level = LogLevel::kInfo);
// `fields` is a JSON object (or null).
void Log(LogLevel level, std::string_view message, const nlohmann::json& fields = nullptr);

}  // namespace cloudward::serve
