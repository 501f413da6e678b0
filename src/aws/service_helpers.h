// Private to the typed helpers (services.cc, services_prepare.cc): reading query/XML responses and
// turning results into AwsStatus. Not part of the aws/ interface.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aws/aws_client.h"

namespace cloudward::aws::internal {

inline std::string Text(const pugi::xml_node& node, const char* name) { return node.child(name).text().as_string(); }

inline AwsError Malformed(std::string operation, std::string message, std::string request_id = {}) {
  return AwsError{.code = ErrorCode::kMalformed, .message = std::move(message),
                  .request_id = std::move(request_id), .operation = std::move(operation)};
}

// "Prefix.1", "Prefix.2", ... as the query protocols number list members.
inline void AddList(QueryParams& params, const std::string& prefix, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) params.emplace_back(prefix + "." + std::to_string(i + 1), values[i]);
}

// The status of a call whose result is not needed.
AwsStatus Done(const auto& result) {
  if (!result) return AwsFail(result.error());
  return {};
}

}  // namespace cloudward::aws::internal
