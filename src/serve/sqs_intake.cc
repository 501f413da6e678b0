#include "serve/sqs_intake.h"

#include <chrono>

#include "aws/services.h"
#include "serve/log.h"

namespace cloudward::serve {

SqsIntake::SqsIntake(std::string queue_url, aws::ClientConfig aws, Intake& intake, Metrics& metrics,
                     SqsIntakeOptions options)
    : queue_url_(std::move(queue_url)),
      aws_(std::make_unique<aws::AwsClient>(std::move(aws))),
      intake_(intake),
      metrics_(metrics),
      options_(options) {
  const size_t slash = queue_url_.rfind('/');
  queue_name_ = slash == std::string::npos ? queue_url_ : queue_url_.substr(slash + 1);
}

SqsIntake::~SqsIntake() { Stop(); }

void SqsIntake::Start() { thread_ = std::thread([this] { Run(); }); }

void SqsIntake::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SqsIntake::Run() {
  try {
    Log(LogLevel::kInfo, "sqs intake started",
        {{"queue", queue_url_}, {"wait_seconds", options_.wait_seconds},
         {"visibility_timeout", options_.visibility_timeout}, {"max_messages", options_.max_messages}});
    int failures = 0;
    while (!stop_) {
      auto messages = aws::sqs::ReceiveMessage(*aws_, queue_url_, options_.max_messages, options_.wait_seconds,
                                               options_.visibility_timeout);
      if (!messages) {
        ++metrics_.sqs_errors;
        Log(LogLevel::kWarn, "sqs receive failed", {{"queue", queue_url_}, {"error", messages.error().message}});
        // Back off (1 s, 2 s, ... 30 s), in slices so that Stop is not held up.
        const int64_t wait_ms = std::min<int64_t>(30000, 1000LL << std::min(failures++, 5));
        for (int64_t waited = 0; waited < wait_ms && !stop_; waited += 100) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
      failures = 0;
      metrics_.intake_inflight += static_cast<int64_t>(messages->size());
      for (const aws::sqs::Message& m : *messages) {  // the messages in hand are finished even on Stop
        const bool done = Process(m.message_id, m.body);
        if (done) {
          if (auto deleted = aws::sqs::DeleteMessage(*aws_, queue_url_, m.receipt_handle); !deleted) {
            ++metrics_.sqs_errors;
            Log(LogLevel::kWarn, "sqs delete failed (the message will be redelivered; its findings are already stored)",
                {{"queue", queue_url_}, {"message_id", m.message_id}, {"error", deleted.error().message}});
          } else {
            ++metrics_.sqs_messages;
            if (auto sent = m.attributes.find("SentTimestamp"); sent != m.attributes.end()) {
              try {
                metrics_.intake_lag_ms = NowMs() - std::stoll(sent->second);
              } catch (...) {
              }
            }
          }
        }
        --metrics_.intake_inflight;
      }
    }
    Log(LogLevel::kInfo, "sqs intake stopped", {{"queue", queue_url_}});
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "sqs intake thread failed", {{"queue", queue_url_}, {"error", e.what()}});
  } catch (...) {
    Log(LogLevel::kError, "sqs intake thread failed", {{"queue", queue_url_}});
  }
}

bool SqsIntake::Process(const std::string& message_id, const std::string& body) {
  const IntakeMessage message = ParseIntakeMessage(body);
  for (const std::string& problem : message.problems) {
    Log(LogLevel::kWarn, "part of an sqs message skipped",
        {{"queue", queue_name_}, {"message_id", message_id}, {"error", problem}});
  }
  if (message.test_event) return true;
  auto ingest = [&](const std::string& name, std::string_view bytes) -> bool {
    auto batch = intake_.Ingest(name, bytes);
    if (!batch) {
      Log(LogLevel::kError, "commit failed; the message stays in the queue",
          {{"queue", queue_url_}, {"message_id", message_id}, {"source", name}, {"error", batch.error().message}});
      return false;
    }
    nlohmann::json fields = {{"queue", queue_name_},       {"message_id", message_id},
                             {"source", name},             {"events", batch->events},
                             {"findings", batch->findings}, {"findings_new", batch->recorded.findings_added},
                             {"incidents", batch->recorded.incident_ids}};
    if (batch->events == 0 && batch->duplicates == 0) {
      fields["error"] = batch->errors.empty() ? "no events" : batch->errors.front().reason;
      Log(LogLevel::kWarn, "message holds no readable events; deleted", fields);
    } else {
      Log(LogLevel::kInfo, "sqs message committed", fields);
    }
    return true;
  };
  if (!message.payload.empty() && !ingest("sqs:" + queue_name_ + "/" + message_id, message.payload)) return false;
  for (const S3ObjectRef& object : message.objects) {
    auto bytes = aws::s3::GetObject(*aws_, object.bucket, object.key);
    const std::string name = "s3://" + object.bucket + "/" + object.key;
    if (!bytes) {
      if (bytes.error().code == ErrorCode::kNotFound) {
        Log(LogLevel::kWarn, "s3 object named by a notification is gone; skipped",
            {{"queue", queue_name_}, {"object", name}, {"error", bytes.error().message}});
        continue;
      }
      ++metrics_.sqs_errors;
      Log(LogLevel::kWarn, "s3 fetch failed; the message stays in the queue",
          {{"queue", queue_name_}, {"object", name}, {"error", bytes.error().message}});
      return false;
    }
    if (!ingest(name, *bytes)) return false;
  }
  return true;
}

}  // namespace cloudward::serve
