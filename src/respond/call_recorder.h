// CallRecorder is a Transport that forwards to another and remembers, for every HTTP exchange,
// the AWS operation, the HTTP status and the request id, so that the journal can name the request
// id of every call a response action made (the typed helpers in aws/services.h keep only the
// request ids of failures).
//
//   auto recorder = std::make_shared<CallRecorder>(std::make_shared<aws::CurlTransport>());
//   aws::AwsClient aws({.transport = recorder});
//   size_t mark = recorder->Mark();
//   aws::iam::UpdateAccessKey(aws, "alice", key, false);
//   for (const auto& call : recorder->Since(mark)) ... call.request_id ...
//
// Thread-safe. Retries show up as separate exchanges.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http.h"

namespace cloudward::respond {

struct RecordedCall {
  std::string operation;   // query "Action" ("UpdateAccessKey") or "METHOD /path?query" for REST
  int status = 0;          // 0 when no HTTP response arrived
  std::string request_id;  // "" when the response carried none
};

class CallRecorder final : public aws::Transport {
 public:
  explicit CallRecorder(std::shared_ptr<aws::Transport> inner);

  Result<aws::HttpResponse> Send(const aws::HttpRequest& request) override;

  size_t Mark() const;                                 // number of exchanges so far
  std::vector<RecordedCall> Since(size_t mark) const;  // exchanges after a Mark()

 private:
  std::shared_ptr<aws::Transport> inner_;
  mutable std::mutex mu_;
  std::vector<RecordedCall> calls_;
};

// The request id of a response: from the headers, else from a <RequestId>/<requestId> element.
std::string ResponseRequestId(const aws::HttpResponse& response);

}  // namespace cloudward::respond
