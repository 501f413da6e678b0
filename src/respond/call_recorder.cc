#include "respond/call_recorder.h"

#include "aws/aws_error.h"
#include "aws/url.h"

namespace cloudward::respond {
namespace {

std::string OperationOf(const aws::HttpRequest& request) {
  for (const auto& [name, value] : aws::DecodeQuery(request.body)) {
    if (name == "Action") return value;
  }
  if (auto target = aws::FindHeader(request.headers, "X-Amz-Target")) return std::string(*target);
  std::string path = request.url;
  if (size_t scheme = path.find("://"); scheme != std::string::npos) {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  return request.method + " " + path;
}

std::string ElementText(const std::string& body, const std::string& name) {
  std::string open = "<" + name + ">";
  size_t start = body.find(open);
  if (start == std::string::npos) return {};
  start += open.size();
  size_t end = body.find("</" + name + ">", start);
  if (end == std::string::npos || end - start > 200) return {};
  return body.substr(start, end - start);
}

}  // namespace

std::string ResponseRequestId(const aws::HttpResponse& response) {
  std::string id = aws::RequestIdFromHeaders(response.headers);
  if (id.empty()) id = ElementText(response.body, "RequestId");
  if (id.empty()) id = ElementText(response.body, "requestId");
  return id;
}

CallRecorder::CallRecorder(std::shared_ptr<aws::Transport> inner) : inner_(std::move(inner)) {}

Result<aws::HttpResponse> CallRecorder::Send(const aws::HttpRequest& request) {
  auto response = inner_->Send(request);
  RecordedCall call{OperationOf(request), response ? response->status : 0,
                    response ? ResponseRequestId(*response) : std::string()};
  std::lock_guard lock(mu_);
  calls_.push_back(std::move(call));
  return response;
}

size_t CallRecorder::Mark() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}

std::vector<RecordedCall> CallRecorder::Since(size_t mark) const {
  std::lock_guard lock(mu_);
  if (mark >= calls_.size()) return {};
  return {calls_.begin() + static_cast<std::ptrdiff_t>(mark), calls_.end()};
}

}  // namespace cloudward::respond
