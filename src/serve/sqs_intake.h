// SqsIntake polls one SQS queue (long polling) and feeds every message to the Intake: EventBridge
// events (CloudTrail API calls, GuardDuty findings), raw records, SNS-wrapped bodies, and S3 event
// notifications, whose objects are fetched with s3:GetObject and scanned (.gz included).
//
//   serve::SqsIntake sqs(queue_url, aws_config, intake, metrics, {.wait_seconds = 10});
//   sqs.Start();  ...  sqs.Stop();   // finishes the messages in hand, then returns
//
// At-least-once: a message is deleted only after Intake::Ingest committed its findings and
// incidents. A message whose commit or object fetch fails is left in the queue and comes back
// after its visibility timeout (a redrive policy on the queue catches poison messages). Bodies
// that hold no readable events are logged and deleted (retrying cannot help).
//
// Owns one thread and one AWS client.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "aws/aws_client.h"
#include "serve/intake.h"
#include "serve/metrics.h"

namespace cloudward::serve {

struct SqsIntakeOptions {
  int wait_seconds = 10;         // long-poll wait (also bounds how long Stop may take)
  int visibility_timeout = 120;  // seconds a received message stays hidden; -1: the queue's
  int max_messages = 10;
};

class SqsIntake {
 public:
  SqsIntake(std::string queue_url, aws::ClientConfig aws, Intake& intake, Metrics& metrics,
            SqsIntakeOptions options);
  ~SqsIntake();

  void Start();
  void Stop();  // asks the thread to stop after the messages in hand, and joins it

 private:
  void Run();
  // True when the message may be deleted (committed, or nothing that a retry could read).
  bool Process(const std::string& message_id, const std::string& body);

  std::string queue_url_;
  std::string queue_name_;
  std::unique_ptr<aws::AwsClient> aws_;
  Intake& intake_;
  Metrics& metrics_;
  SqsIntakeOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cloudward::serve
