// Helpers for the ingest tests: a sink that keeps copies of events, gzip, file I/O.
#pragma once

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/scan.h"

namespace cloudward::ingest::testing {

struct SeenEvent {
  LogType type;
  std::string raw;
  std::string record;  // minified JSON
  int64_t time_ms;
  std::string file;
  uint64_t offset, line;
  EventContext context;

  // The string at a top-level key of the record ("" if absent or not a string).
  std::string Get(std::string_view key) const {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(record).get(e)) return {};
    std::string_view s;
    if (e[key].get_string().get(s)) return {};
    return std::string(s);
  }
  // The string at a JSON pointer ("/userIdentity/arn"; "" if absent or not a string).
  std::string At(std::string_view pointer) const {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(record).get(e)) return {};
    std::string_view s;
    if (e.at_pointer(pointer).get_string().get(s)) return {};
    return std::string(s);
  }
  // The integer at a top-level key (-1 if absent or not an integer).
  int64_t GetInt(std::string_view key) const {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(record).get(e)) return -1;
    int64_t v;
    if (e[key].get_int64().get(v)) return -1;
    return v;
  }
  bool Has(std::string_view key) const {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(record).get(e)) return false;
    return e[key].error() == simdjson::SUCCESS;
  }
};

class CollectingSink : public EventSink {
 public:
  void OnEvent(const Event& event) override {
    events.push_back(SeenEvent{event.type, std::string(event.raw),
                               simdjson::minify(event.Record()), event.time_ms,
                               std::string(event.source.file), event.source.offset,
                               event.source.line, Describe(event)});
  }
  void OnFinish() override { ++finished; }
  std::vector<SeenEvent> events;
  int finished = 0;
};

inline std::string Gzip(std::string_view data, int level = 6) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void WriteFileBytes(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string SharedData() { return CW_SHARED_DATA_DIR; }

inline bool HaveSharedData() { return std::filesystem::is_directory(SharedData()); }

// A small CloudTrail record with the given id, name and time.
inline std::string CloudTrailRecord(std::string_view id, std::string_view name = "GetObject",
                                    std::string_view time = "2024-01-02T03:04:05Z") {
  return std::string(R"({"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Admin","userName":"Admin"}}},"eventTime":")") +
         std::string(time) + R"(","eventSource":"s3.amazonaws.com","eventName":")" +
         std::string(name) +
         R"(","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.0","requestParameters":{"bucketName":"data-bucket"},"responseElements":null,"eventID":")" +
         std::string(id) +
         R"(","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::data-bucket/key"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"})";
}

inline std::string RecordsFile(const std::vector<std::string>& records) {
  std::string out = "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ",";
    out += records[i];
  }
  return out + "]}";
}

}  // namespace cloudward::ingest::testing
