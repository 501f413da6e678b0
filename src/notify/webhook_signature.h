// The signature of cloudward's generic webhook (see webhook_notifier.cc), exposed so receivers
// written in C++ (and tests of the serve API) can verify it.
#pragma once

#include <string>
#include <string_view>

namespace cloudward::notify {

// "sha256=" + lowercase hex HMAC-SHA256(secret, timestamp + "." + body).
std::string WebhookSignature(std::string_view secret, std::string_view timestamp, std::string_view body);

}  // namespace cloudward::notify
