// Amazon SNS Publish as an interface. The AWS client (src/aws) implements it; notify only needs
// this much, and tests use a fake.
#pragma once

#include <map>
#include <string>

#include "core/result.h"

namespace cloudward::notify {

struct SnsMessage {
  std::string topic_arn;
  std::string region;   // the topic's region
  std::string subject;  // <= 100 printable ASCII characters (email subscriptions)
  std::string message;  // the alert as JSON (AlertToJson)
  std::map<std::string, std::string> attributes;  // String message attributes
};

class SnsPublisher {
 public:
  virtual ~SnsPublisher() = default;
  // Returns the MessageId. Errors carry AWS's classification (kThrottled, kAccessDenied, ...).
  virtual Result<std::string> Publish(const SnsMessage& message) = 0;
};

}  // namespace cloudward::notify
