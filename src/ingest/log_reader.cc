#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "core/text.h"
#include "core/time.h"
#include "ingest/json_structure.h"
#include "ingest/log_reader_impl.h"
#include "ingest/s3_access_reader.h"

namespace cloudward::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr int kNoHint = 0, kHintCloudTrail = 1, kHintGuardDuty = 2;
constexpr int kMaxDepth = 5;
static_assert(ByteBuffer::kPadding >= simdjson::SIMDJSON_PADDING);

enum class Kind {
  kCloudTrail, kGuardDuty, kDigest, kContainer, kEnvelope, kLookupEvent, kMessage, kLowercaseCloudTrail, kUnknown
};

// Top-level keys whose array holds records.
constexpr std::string_view kContainerKeys[] = {"Records", "Events", "Findings", "findings"};

int HintForContainer(std::string_view key) {
  return key == "Findings" || key == "findings" ? kHintGuardDuty : kHintCloudTrail;
}

bool IsContainerKey(std::string_view key) {
  return std::find(std::begin(kContainerKeys), std::end(kContainerKeys), key) !=
         std::end(kContainerKeys);
}

bool Has(object obj, std::string_view key) { return obj.at_key(key).error() == simdjson::SUCCESS; }

std::string_view StringAt(object obj, std::string_view key) {
  std::string_view s;
  if (obj.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

bool IsArrayAt(object obj, std::string_view key) {
  return obj.at_key(key).is_array();
}

bool IsCloudTrailRecord(object obj) {
  return Has(obj, "eventVersion") || Has(obj, "eventTime") ||
         (Has(obj, "eventName") &&
          (Has(obj, "eventSource") || Has(obj, "@timestamp") || Has(obj, "awsRegion") ||
           Has(obj, "userIdentity") || Has(obj, "eventID")));
}

// CloudTrail as Athena (and other Glue/Hive tables over the CloudTrail bucket) returns it: every
// column name in lower case ("eventname", "useridentity"), times as "2023-01-10 23:10:06", and
// requestparameters / responseelements / additionaleventdata as JSON text.
bool IsLowercaseCloudTrailRecord(object obj) {
  return !Has(obj, "eventName") && Has(obj, "eventname") && (Has(obj, "eventsource") || Has(obj, "eventtime"));
}

// The CloudTrail field names, by their lower-case form, in the objects whose keys AWS defines
// (the record, userIdentity and the objects inside it, resources, tlsDetails).
std::string_view CanonicalCloudTrailKey(std::string_view lower) {
  static constexpr std::string_view kNames[] = {
      "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
      "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData",
      "requestID", "eventID", "readOnly", "resources", "eventType", "apiVersion", "managementEvent",
      "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
      "eventCategory", "tlsDetails", "sessionCredentialFromConsole", "edgeDeviceDetails", "insightDetails",
      // userIdentity and below
      "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
      "identityProvider", "credentialId", "onBehalfOf", "attributes", "sessionIssuer", "webIdFederationData",
      "sourceIdentity", "ec2RoleDelivery", "assumedRoot", "creationDate", "mfaAuthenticated", "federatedProvider",
      // resources[] and tlsDetails
      "ARN", "tlsVersion", "cipherSuite", "clientProvidedHostHeader"};
  for (std::string_view name : kNames) {
    if (name.size() != lower.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i]))) ==
             static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i])));
    }
    if (same) return name;
  }
  return lower;
}

bool HoldsAwsDefinedKeys(std::string_view key) {
  return key == "userIdentity" || key == "sessionContext" || key == "attributes" || key == "sessionIssuer" ||
         key == "resources" || key == "tlsDetails" || key == "webIdFederationData";
}

// Writes `value` with the CloudTrail key names restored (`rename`: this object's keys are AWS's).
void WriteCanonical(element value, bool rename, std::string& out) {
  if (value.is_object()) {
    out += '{';
    bool first = true;
    object members = value.get_object().value_unsafe();
    for (auto [key, child] : members) {
      std::string_view name = rename ? CanonicalCloudTrailKey(key) : key;
      // A record with both spellings (re-shipped and amended): the AWS spelling wins.
      if (name != key && members.at_key(name).error() == simdjson::SUCCESS) continue;
      if (!first) out += ',';
      first = false;
      AppendJsonString(out, name);
      out += ':';
      // Athena keeps these as JSON text; the rules want the objects.
      std::string_view text;
      if (rename && (name == "requestParameters" || name == "responseElements" || name == "additionalEventData" ||
                     name == "serviceEventDetails") &&
          child.get_string().get(text) == simdjson::SUCCESS) {
        static thread_local simdjson::dom::parser inner;
        element parsed;
        size_t start = json::SkipSpace(text, 0);
        if (start < text.size() && (text[start] == '{' || text[start] == '[') &&
            inner.parse(text.data(), text.size()).get(parsed) == simdjson::SUCCESS) {
          out += simdjson::minify(parsed);
          continue;
        }
      }
      WriteCanonical(child, rename && HoldsAwsDefinedKeys(name), out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    simdjson::dom::array items = value.get_array().value_unsafe();
    for (element item : items) {
      if (!first) out += ',';
      first = false;
      WriteCanonical(item, rename, out);  // resources[] items keep AWS's names
    }
    out += ']';
  } else {
    out += simdjson::minify(value);
  }
}

bool IsGuardDutyFinding(object obj) {
  if (!Has(obj, "type")) return false;
  return (Has(obj, "schemaVersion") && (Has(obj, "service") || Has(obj, "resource"))) ||
         (Has(obj, "severity") && Has(obj, "accountId") && Has(obj, "id"));
}

Kind Classify(object obj, int hint, std::string_view* container) {
  if (Has(obj, "digestStartTime") || Has(obj, "digestS3Bucket")) return Kind::kDigest;
  for (std::string_view key : kContainerKeys) {
    if (IsArrayAt(obj, key)) {
      *container = key;
      return Kind::kContainer;
    }
  }
  if (Has(obj, "detail-type") && obj.at_key("detail").is_object()) return Kind::kEnvelope;
  if (!StringAt(obj, "CloudTrailEvent").empty()) return Kind::kLookupEvent;
  if (IsCloudTrailRecord(obj)) return Kind::kCloudTrail;
  if (IsLowercaseCloudTrailRecord(obj)) return Kind::kLowercaseCloudTrail;
  if (IsGuardDutyFinding(obj)) return Kind::kGuardDuty;
  if (obj.size() <= 3 && !StringAt(obj, "message").empty()) return Kind::kMessage;
  if (hint == kHintCloudTrail) return Kind::kCloudTrail;
  if (hint == kHintGuardDuty) return Kind::kGuardDuty;
  return Kind::kUnknown;
}

// The top-level members of a record StreamRecords tells apart, without unpacking any other.
enum class TopLevelKey {
  kEventTime, kEventId, kEventName, kEventSource, kTimestamp, kEventVersion,
  kCloudTrailOther,  // awsRegion, userIdentity: mark a CloudTrail record (IsCloudTrailRecord)
  kSpecial,          // a digest, an envelope, a lookup-events item, a nested container
  kOther
};

// key == literal, for a key already known to have the literal's length: two overlapping word
// compares (a memcmp call per key was a twentieth of a no-rules hunt).
template <size_t N>
bool Is(std::string_view key, const char (&literal)[N]) {
  constexpr size_t n = N - 1;
  static_assert(n >= 4 && n <= 16);
  using Word = std::conditional_t<(n >= 8), uint64_t, uint32_t>;
  constexpr size_t w = sizeof(Word);
  Word a0, a1, b0, b1;
  std::memcpy(&a0, key.data(), w);
  std::memcpy(&a1, key.data() + n - w, w);
  std::memcpy(&b0, literal, w);
  std::memcpy(&b1, literal + n - w, w);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// The length of the string text at `p` up to the first '"': 8 bytes at a time to the first '"'
// or '\\' (a word test that is exact for the lowest byte it marks), then byte by byte after a
// '\\' (*escaped is then true). `p` lies in a padded buffer, so reading a word past the quote is safe.
size_t QuoteOrEscape(const char* p, bool* escaped) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  size_t at = 0;
  for (;; at += 8) {
    uint64_t word;
    std::memcpy(&word, p + at, 8);
    const uint64_t quote = word ^ (kOnes * '"'), backslash = word ^ (kOnes * '\\');
    const uint64_t marks = (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHigh;
    if (marks != 0) {
      at += static_cast<size_t>(std::countr_zero(marks)) / 8;  // little-endian: lowest address first
      break;
    }
  }
  if (p[at] == '"') return at;
  *escaped = true;
  while (p[at] != '"') ++at;
  return at;
}

TopLevelKey ClassifyTopLevelKey(std::string_view key) {
  switch (key.size()) {
    case 6: return Is(key, "Events") ? TopLevelKey::kSpecial : TopLevelKey::kOther;
    case 7:
      return Is(key, "eventID") ? TopLevelKey::kEventId : Is(key, "Records") ? TopLevelKey::kSpecial : TopLevelKey::kOther;
    case 8: return Is(key, "Findings") || Is(key, "findings") ? TopLevelKey::kSpecial : TopLevelKey::kOther;
    case 9:
      return Is(key, "eventTime") ? TopLevelKey::kEventTime
             : Is(key, "eventName") ? TopLevelKey::kEventName
             : Is(key, "awsRegion") ? TopLevelKey::kCloudTrailOther
                                    : TopLevelKey::kOther;
    case 10: return Is(key, "@timestamp") ? TopLevelKey::kTimestamp : TopLevelKey::kOther;
    case 11:
      return Is(key, "eventSource") ? TopLevelKey::kEventSource
             : Is(key, "detail-type") ? TopLevelKey::kSpecial
                                      : TopLevelKey::kOther;
    case 12:
      return Is(key, "eventVersion") ? TopLevelKey::kEventVersion
             : Is(key, "userIdentity") ? TopLevelKey::kCloudTrailOther
                                       : TopLevelKey::kOther;
    case 14: return Is(key, "digestS3Bucket") ? TopLevelKey::kSpecial : TopLevelKey::kOther;
    case 15:
      return Is(key, "digestStartTime") || Is(key, "CloudTrailEvent") ? TopLevelKey::kSpecial : TopLevelKey::kOther;
    default: return TopLevelKey::kOther;
  }
}

// An ISO time in milliseconds, or kUnknownTime for an empty or unreadable one.
int64_t IsoTimeOrUnknown(std::string_view s) {
  if (s.empty()) return kUnknownTime;
  auto t = ParseIsoTime(s);
  return t ? *t : kUnknownTime;
}

int64_t TimeAt(object obj, std::string_view key) { return IsoTimeOrUnknown(StringAt(obj, key)); }

int64_t CloudTrailTime(object obj) {
  int64_t t = TimeAt(obj, "eventTime");
  return t != kUnknownTime ? t : TimeAt(obj, "@timestamp");
}

int64_t GuardDutyTime(object obj) {
  int64_t t = TimeAt(obj, "updatedAt");
  if (t == kUnknownTime) t = TimeAt(obj, "createdAt");
  if (t == kUnknownTime) {
    object service;
    if (obj.at_key("service").get_object().get(service) == simdjson::SUCCESS) {
      t = TimeAt(service, "eventLastSeen");
    }
  }
  return t;
}

// Finds each line of [begin, end): calls fn(line_without_newline, offset, line_number).
template <class Fn>
void ForEachLine(std::string_view text, size_t begin, size_t end, uint64_t first_line, Fn&& fn) {
  uint64_t line_no = first_line;
  size_t pos = begin;
  while (pos < end) {
    const void* hit = std::memchr(text.data() + pos, '\n', end - pos);
    size_t nl = hit ? static_cast<size_t>(static_cast<const char*>(hit) - text.data()) : end;
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line, pos, line_no)) return;
    pos = nl + 1;
    ++line_no;
  }
}

}  // namespace

LogReader::Impl::Impl(std::shared_ptr<EventIdSet> set) : seen(std::move(set)) {
  if (!seen) seen = std::make_shared<EventIdSet>();
  json.reserve(4096);
  deferred.impl = this;
  if (empty_parser.parse(std::string_view("{}")).get(empty_object) != simdjson::SUCCESS) std::abort();
}

element LogReader::Impl::DeferredRecord::Parse() {
  if (!parsed) {
    parsed = true;
    error = impl->Parse(text, &value);
    if (error == simdjson::SUCCESS && !value.is_object()) error = simdjson::INCORRECT_TYPE;
    if (error != simdjson::SUCCESS) value = impl->empty_object;
  }
  return value;
}

void LogReader::Impl::Begin(std::string_view name, std::string_view file_text, EventSink& sink,
                            IngestStats& stats, const ScanOptions& options) {
  name_ = name;
  file_text_ = file_text;
  sink_ = &sink;
  stats_ = &stats;
  options_ = &options;
  stop_ = false;
  flow.ResetHeader();
}

void LogReader::Impl::FlushLive() {
  if (live_events != nullptr && pending_events > 0) {
    live_events->fetch_add(pending_events, std::memory_order_relaxed);
  }
  pending_events = 0;
}

simdjson::error_code LogReader::Impl::Parse(std::string_view text, element* out) {
  // Texts handed to Parse live in padded buffers (ByteBuffer) or in `json` (reserved below),
  // so simdjson may read its padding in place.
  return parser.parse(text.data(), text.size(), false).get(*out);
}

void LogReader::Impl::Deliver(LogType type, element record, std::string_view raw,
                              uint64_t offset, uint64_t line, int64_t time_ms) {
  if (FilteredOut(time_ms)) return;
  if (type == LogType::kCloudTrail && options_->dedup) {
    std::string_view id;
    if (record["eventID"].get_string().get(id) == simdjson::SUCCESS && !id.empty() &&
        !seen->Insert(id)) {
      ++stats_->duplicates;
      return;
    }
  }
  Event event;
  event.type = type;
  event.record = record;
  event.raw = raw;
  event.time_ms = time_ms;
  event.source = SourceLocation{name_, offset, line};
  sink_->OnEvent(event);
  Delivered(type);
}

bool LogReader::Impl::FilteredOut(int64_t time_ms) {
  if (time_ms == kUnknownTime ||
      ((options_->since_ms == kUnknownTime || time_ms >= options_->since_ms) &&
       (options_->until_ms == kUnknownTime || time_ms < options_->until_ms))) {
    return false;
  }
  ++stats_->filtered;
  return true;
}

void LogReader::Impl::Delivered(LogType type) {
  ++stats_->events[static_cast<size_t>(type)];
  if (live_events != nullptr && ++pending_events == 1024) FlushLive();
}

void LogReader::Impl::DeliverDeferred(std::string_view raw, uint64_t offset, const Seen& seen_members) {
  Event event;
  event.type = LogType::kCloudTrail;
  event.raw = raw;
  event.time_ms = seen_members.time_ms;
  event.source = SourceLocation{name_, offset, 0};
  event.event_name = seen_members.event_name;
  event.event_source = seen_members.event_source;
  deferred.text = raw;
  deferred.parsed = false;
  deferred.error = simdjson::SUCCESS;
  event.deferred = &deferred;
  auto broken = [&] {
    Malformed(offset, 0, std::string("invalid JSON record: ") + simdjson::error_message(deferred.error));
  };
  // A record some consumer reads is parsed (and checked) before anything else, as Deliver's are.
  if (sink_->NeedsRecord(event)) {
    event.record = event.Record();
    if (deferred.error != simdjson::SUCCESS) return broken();
    event.deferred = nullptr;
  }
  if (FilteredOut(seen_members.time_ms)) return;
  if (options_->dedup && seen_members.id_hash != 0 && !seen->InsertHash(seen_members.id_hash)) {
    ++stats_->duplicates;
    return;
  }
  sink_->OnEvent(event);
  // Read after all (NeedsRecord said no) and broken: the consumer saw an empty object.
  if (deferred.parsed && deferred.error != simdjson::SUCCESS) return broken();
  Delivered(LogType::kCloudTrail);
}

void LogReader::Impl::Malformed(uint64_t offset, uint64_t line, std::string reason) {
  ++stats_->malformed;
  if (line == 0 && stats_->errors.size() < 100 && offset <= file_text_.size()) {
    line = 1 + static_cast<uint64_t>(
                   std::count(file_text_.begin(),
                              file_text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }
  stats_->AddError(name_, offset, line, std::move(reason));
}

void LogReader::Impl::Skip(const char* what, uint64_t offset, uint64_t line, std::string reason) {
  ++stats_->skipped[what];
  stats_->AddError(name_, offset, line, std::move(reason));
}

void LogReader::Impl::ProcessJson(std::string_view text, uint64_t offset, uint64_t line,
                                  int depth, int hint) {
  size_t i = json::SkipSpace(text, 0);
  if (i >= text.size()) return;
  if (depth > kMaxDepth) {
    Malformed(offset + i, line, "JSON records nested too deeply");
    return;
  }
  if (text[i] == '[') {
    WalkArray(text, i, offset, line, depth + 1, hint);
    return;
  }
  if (text[i] != '{') {
    Malformed(offset + i, line, "expected a JSON object");
    return;
  }
  // Containers whose first member is the record array are walked without parsing them whole.
  size_t value_pos = 0;
  std::string_view first_key = json::FirstKey(text, i, &value_pos);
  if (IsContainerKey(first_key) && value_pos < text.size() && text[value_pos] == '[') {
    WalkArray(text, value_pos, offset, line, depth + 1, HintForContainer(first_key));
    return;
  }
  element root;
  auto error = Parse(text.substr(i), &root);
  if (error) {
    for (std::string_view key : kContainerKeys) {
      size_t p = json::FindMember(text, i, key);
      if (p != json::kNpos && text[p] == '[') {
        WalkArray(text, p, offset, line, depth + 1, HintForContainer(key));
        return;
      }
    }
    Malformed(offset + i, line, std::string("invalid JSON record: ") + simdjson::error_message(error));
    return;
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    Malformed(offset + i, line, "expected a JSON object");
    return;
  }
  std::string_view raw = text.substr(i);
  while (!raw.empty() && json::IsSpace(raw.back())) raw.remove_suffix(1);
  std::string_view container;
  switch (Classify(obj, hint, &container)) {
    case Kind::kCloudTrail:
      Deliver(LogType::kCloudTrail, root, raw, offset + i, line, CloudTrailTime(obj));
      return;
    case Kind::kGuardDuty:
      Deliver(LogType::kGuardDuty, root, raw, offset + i, line, GuardDutyTime(obj));
      return;
    case Kind::kDigest:
      ++stats_->skipped["digest"];
      stop_ = true;
      return;
    case Kind::kContainer: {
      size_t p = json::FindMember(text, i, container);
      if (p != json::kNpos) WalkArray(text, p, offset, line, depth + 1, HintForContainer(container));
      return;
    }
    case Kind::kEnvelope: {
      std::string_view type = StringAt(obj, "detail-type");
      int inner_hint = type.find("GuardDuty") != std::string_view::npos    ? kHintGuardDuty
                       : type.find("CloudTrail") != std::string_view::npos ? kHintCloudTrail
                                                                           : kNoHint;
      size_t p = json::FindMember(text, i, "detail");
      size_t e = p == json::kNpos ? json::kNpos : json::SkipValue(text, p);
      if (e == json::kNpos) {
        Malformed(offset + i, line, "EventBridge envelope without a readable detail");
        return;
      }
      if (inner_hint == kNoHint) {
        // Only CloudTrail and GuardDuty payloads are events here; others are counted.
        element detail;
        object detail_obj;
        if (Parse(text.substr(p, e - p), &detail) == simdjson::SUCCESS &&
            detail.get_object().get(detail_obj) == simdjson::SUCCESS) {
          std::string_view ignored;
          Kind k = Classify(detail_obj, kNoHint, &ignored);
          if (k == Kind::kCloudTrail) inner_hint = kHintCloudTrail;
          if (k == Kind::kGuardDuty) inner_hint = kHintGuardDuty;
        }
        if (inner_hint == kNoHint) {
          Skip("unsupported_record", offset + i, line,
               "unsupported EventBridge detail-type \"" + std::string(type) + "\"");
          return;
        }
      }
      ProcessJson(text.substr(p, e - p), offset + p, line, depth + 1, inner_hint);
      return;
    }
    case Kind::kLookupEvent: {
      std::string_view inner = StringAt(obj, "CloudTrailEvent");
      ByteBuffer& buf = scratch[std::min(depth, 5)];
      buf.Resize(inner.size());
      std::memcpy(buf.data(), inner.data(), inner.size());
      std::string_view copy = buf.view();
      size_t s = json::SkipSpace(copy, 0);
      if (s >= copy.size() || copy[s] != '{') {
        Malformed(offset + i, line, "CloudTrailEvent is not a JSON object");
        return;
      }
      // The event's offset is that of its lookup-events element.
      ProcessJson(copy.substr(s), offset + i, line, depth + 1, kHintCloudTrail);
      return;
    }
    case Kind::kMessage: {
      std::string_view inner = StringAt(obj, "message");
      ByteBuffer& buf = scratch[std::min(depth, 5)];
      buf.Resize(inner.size());
      std::memcpy(buf.data(), inner.data(), inner.size());
      ProcessMessage(buf.view(), offset + i, line);
      return;
    }
    case Kind::kLowercaseCloudTrail: {
      std::string canonical;
      canonical.reserve(raw.size() + 64);
      WriteCanonical(root, /*rename=*/true, canonical);
      ByteBuffer& buf = scratch[std::min(depth, 5)];
      buf.Resize(canonical.size());
      std::memcpy(buf.data(), canonical.data(), canonical.size());
      ProcessJson(buf.view(), offset + i, line, depth + 1, kHintCloudTrail);
      return;
    }
    case Kind::kUnknown:
      Skip("unsupported_record", offset + i, line,
           "JSON record is neither CloudTrail nor GuardDuty");
      return;
  }
}

bool LogReader::Impl::StreamRecords(std::string_view text, size_t pos, size_t* end) {
  namespace od = simdjson::ondemand;
  // On-Demand indexes the whole document up front (about 6 bytes of index per byte of JSON):
  // larger documents take the byte walker, whose memory does not grow with the file.
  constexpr size_t kMaxStreamBytes = size_t{16} << 20;
  if (text.size() - pos > kMaxStreamBytes) return false;
  size_t value_pos = 0;
  const std::string_view first_key = json::FirstKey(text, pos, &value_pos);
  if (!IsContainerKey(first_key) || value_pos >= text.size() || text[value_pos] != '[') return false;
  const int hint = HintForContainer(first_key);
  // Texts handed to ReadJson lie in padded buffers (ByteBuffer): simdjson may read past the end.
  const size_t length = text.size() - pos;
  od::document doc;
  od::object root;
  if (stream_parser.iterate(text.data() + pos, length, length + simdjson::SIMDJSON_PADDING).get(doc) !=
          simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    return false;
  }
  size_t done = value_pos;  // the records before this position are read
  struct Pending {
    std::string_view raw;
    size_t begin = 0;
    Seen seen;
  } pending;
  auto flush = [&] {
    if (pending.raw.empty()) return;
    DeliverDeferred(pending.raw, pending.begin, pending.seen);
    pending.raw = {};
  };
  bool broken = false;
  bool first = true;
  for (auto member : root) {
    od::field field;
    if (std::move(member).get(field) != simdjson::SUCCESS) {
      broken = true;
      break;
    }
    if (!first) continue;  // members after the record array are skipped
    first = false;
    od::array records;
    if (field.value().get_array().get(records) != simdjson::SUCCESS) {
      broken = true;
      break;
    }
    for (auto item : records) {
      od::value value;
      od::object obj;
      const char* start = nullptr;
      if (std::move(item).get(value) != simdjson::SUCCESS || value.current_location().get(start) != simdjson::SUCCESS ||
          value.get_object().get(obj) != simdjson::SUCCESS) {
        broken = true;
        break;
      }
      // Top-level members: what Classify and Deliver read, nothing else is unpacked.
      Seen seen_members;
      std::string_view event_time, timestamp, event_id;
      bool has_version = false, has_time = false, has_name = false, has_other = false, special = false;
      for (auto inner : obj) {
        od::field f;
        if (std::move(inner).get(f) != simdjson::SUCCESS) {
          broken = true;
          break;
        }
        // The key as written, up to the next quote (stage 1 checked that every string closes).
        // A key with an escape, which may be that quote, sends the record down the general
        // path, which unescapes.
        const char* key_begin = f.key().raw();
        bool escaped = false;
        const std::string_view key(key_begin, QuoteOrEscape(key_begin, &escaped));
        special |= escaped;
        auto text_of = [&](std::string_view* out) {
          std::string_view v;
          if (out->empty() && f.value().get_string().get(v) == simdjson::SUCCESS) *out = v;
        };
        switch (ClassifyTopLevelKey(key)) {
          case TopLevelKey::kEventTime: has_time = true; text_of(&event_time); break;
          case TopLevelKey::kEventId: has_other = true; text_of(&event_id); break;
          case TopLevelKey::kEventName: has_name = true; text_of(&seen_members.event_name); break;
          case TopLevelKey::kEventSource: has_other = true; text_of(&seen_members.event_source); break;
          case TopLevelKey::kTimestamp: has_other = true; text_of(&timestamp); break;
          case TopLevelKey::kEventVersion: has_version = true; break;
          case TopLevelKey::kCloudTrailOther: has_other = true; break;
          case TopLevelKey::kSpecial: special = true; break;
          case TopLevelKey::kOther: break;
        }
      }
      if (broken) break;
      // The record is the bytes from its '{' to the ',' or ']' after it.
      const char* stop = nullptr;
      if (*start != '{' || doc.current_location().get(stop) != simdjson::SUCCESS || (*stop != ',' && *stop != ']')) {
        broken = true;
        break;
      }
      std::string_view raw(start, static_cast<size_t>(stop - start));
      while (!raw.empty() && json::IsSpace(raw.back())) raw.remove_suffix(1);
      const size_t begin = static_cast<size_t>(start - text.data());
      const bool cloudtrail = has_version || has_time || (has_name && has_other);
      if (special || !cloudtrail) {
        flush();
        ProcessJson(raw, begin, 0, 1, hint);
      } else {
        // As CloudTrailTime: eventTime, else a re-shipper's @timestamp.
        seen_members.time_ms = IsoTimeOrUnknown(event_time);
        if (seen_members.time_ms == kUnknownTime) seen_members.time_ms = IsoTimeOrUnknown(timestamp);
        if (options_->dedup && !event_id.empty()) {
          seen_members.id_hash = EventIdSet::Hash(event_id);
          seen->Prefetch(seen_members.id_hash);
        }
        // Delivered one record late, so that the prefetch has the time of a record to land.
        flush();
        pending = {raw, begin, seen_members};
      }
      done = begin + raw.size();
      if (stop_) break;
    }
    if (broken || stop_) break;
  }
  flush();
  if (broken) {
    // A syntax error On-Demand noticed: the byte walker carries on after the last good record,
    // and reports what is wrong where.
    WalkArray(text, value_pos, 0, 0, 1, hint, done);
    const size_t e = json::SkipValue(text, pos);
    *end = e == json::kNpos ? text.size() : e;
  } else {
    const char* location = nullptr;
    *end = doc.current_location().get(location) == simdjson::SUCCESS
               ? static_cast<size_t>(location - text.data())
               : text.size();
  }
  if (stream_parser.capacity() > (size_t{4} << 20)) stream_parser = od::parser{};  // give big indexes back
  return true;
}

void LogReader::Impl::ProcessMessage(std::string_view message, uint64_t offset, uint64_t line) {
  size_t s = json::SkipSpace(message, 0);
  if (s < message.size() && (message[s] == '{' || message[s] == '[')) {
    Skip("unsupported_record", offset, line, "JSON inside a \"message\" field");
    return;
  }
  std::string error;
  int64_t time_ms = kUnknownTime;
  element record;
  if (VpcFlowReader::LooksLikeFlowLog(message)) {
    message_flow.ResetHeader();
    auto kind = message_flow.ParseLine(message, &json, &time_ms, &error);
    if (kind == VpcFlowReader::LineKind::kRecord) {
      json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
      if (Parse(json, &record) == simdjson::SUCCESS) {
        Deliver(LogType::kVpcFlow, record, message, offset, line, time_ms);
      }
      return;
    }
    if (kind == VpcFlowReader::LineKind::kMalformed) Malformed(offset, line, error);
    return;
  }
  if (S3AccessReader::LooksLikeS3Access(message)) {
    if (S3AccessReader::ParseLine(message, &json, &time_ms, &error) ==
        S3AccessReader::LineKind::kRecord) {
      json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
      if (Parse(json, &record) == simdjson::SUCCESS) {
        Deliver(LogType::kS3Access, record, message, offset, line, time_ms);
      }
    } else {
      Malformed(offset, line, error);
    }
    return;
  }
  Skip("unsupported_record", offset, line, "\"message\" holds no flow log or S3 access log line");
}

void LogReader::Impl::WalkArray(std::string_view text, size_t open, uint64_t offset,
                                uint64_t line, int depth, int hint, size_t resume) {
  ++walks_;
  json::ArrayWalker walker(text, open);
  if (resume > open) walker.ResumeAfterElement(resume);
  // The bytes that open a good record up to its first key (e.g. {"eventVersion"): after a broken
  // record, reading resumes at the next occurrence.
  std::string_view signature =
      hint == kHintCloudTrail ? std::string_view("{\"eventVersion\"") : std::string_view();
  bool learned = false;
  size_t broken_end = json::kNpos;  // end of the element just reported malformed
  while (!stop_) {
    auto step = walker.Next();
    if (step == json::ArrayWalker::kEnd) return;
    if (step == json::ArrayWalker::kElement) {
      size_t b = walker.begin(), e = walker.end();
      std::string_view element_text = text.substr(b, e - b);
      const uint64_t malformed_before = stats_->malformed, walks_before = walks_;
      ProcessJson(element_text, offset + b, line, depth, hint);
      broken_end = stats_->malformed != malformed_before && walks_ == walks_before ? e : json::kNpos;
      if (stats_->malformed != malformed_before) {
        // A container element ({"Records": [...]}) was walked record by record already, its
        // malformed records included: resuming inside it would read them twice.
        if (!signature.empty() && walks_ == walks_before) {
          size_t p = text.find(signature, b + 1);
          if (p != std::string_view::npos && p < e) walker.Resume(p);
        }
      } else if (!learned) {
        size_t value_pos;
        std::string_view key = json::FirstKey(element_text, 0, &value_pos);
        if (!key.empty() && element_text[0] == '{') {
          signature = element_text.substr(0, static_cast<size_t>(key.data() + key.size() + 1 -
                                                                 element_text.data()));
          learned = true;
        }
      }
      continue;
    }
    size_t at = walker.pos();
    // Junk right after a record already reported malformed ("[x}") belongs to that record: one
    // broken record, counted once.
    if (step != json::ArrayWalker::kSyntax || broken_end == json::kNpos || json::SkipSpace(text, broken_end) != at) {
      Malformed(offset + at, line,
                step == json::ArrayWalker::kTruncated ? "truncated JSON: record or array not closed"
                                                      : "unexpected bytes between array elements");
    }
    if (signature.empty()) return;
    size_t p = text.find(signature, at + 1);
    if (p == std::string_view::npos) return;
    walker.Resume(p);
  }
}

void LogReader::Impl::ReadJsonLines(std::string_view text, size_t begin, size_t end,
                                    uint64_t first_line) {
  ForEachLine(text, begin, end, first_line, [&](std::string_view line, size_t off, uint64_t no) {
    size_t s = json::SkipSpace(line, 0);
    if (s >= line.size()) return true;
    if (line[s] == '{' || line[s] == '[') {
      ProcessJson(line, off, no, 0, kNoHint);
    } else {
      Malformed(off + s, no, "JSON Lines: line is not a JSON object");
    }
    return !stop_;
  });
}

bool LogReader::Impl::LooksLikeJsonLines(std::string_view text, size_t pos) {
  if (pos >= text.size() || text[pos] != '{') return false;
  size_t nl = text.find('\n', pos);
  if (nl == std::string_view::npos) nl = text.size();
  std::string_view line = text.substr(pos, nl - pos);
  while (!line.empty() && json::IsSpace(line.back())) line.remove_suffix(1);
  if (line.empty() || line.back() != '}') return false;
  // A very long first line is taken as a whole record without checking it (the reader reports it
  // if it is not); a short one must balance.
  return line.size() > (1u << 20) || json::SkipValue(line, 0) == line.size();
}

void LogReader::Impl::ReadJson(std::string_view text, size_t pos) {
  // The common case first: a {"Records": [...]} document (on one line, as AWS writes it).
  size_t end = 0;
  if (text[pos] == '{' && StreamRecords(text, pos, &end)) {
    pos = json::SkipSpace(text, end);
    if (pos >= text.size() || stop_) return;
  }
  if (LooksLikeJsonLines(text, pos)) {
    uint64_t line = 1 + static_cast<uint64_t>(
                            std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
    ReadJsonLines(text, pos, text.size(), line);
    return;
  }
  // One document, or several pretty-printed ones one after another.
  while (!stop_) {
    pos = json::SkipSpace(text, pos);
    if (pos >= text.size()) return;
    if (text[pos] == '{' || text[pos] == '[') {
      size_t e = json::SkipValue(text, pos);
      if (e == json::kNpos) {
        ProcessJson(text.substr(pos), pos, 0, 0, kNoHint);
        return;
      }
      ProcessJson(text.substr(pos, e - pos), pos, 0, 0, kNoHint);
      pos = e;
      continue;
    }
    Malformed(pos, 0, "unexpected bytes after a JSON document");
    size_t next = text.find("\n{", pos);
    if (next == std::string_view::npos) return;
    pos = next + 1;
  }
}

void LogReader::Impl::ReadFlowLines(std::string_view text, size_t begin, size_t end,
                                    uint64_t first_line) {
  std::string error;
  ForEachLine(text, begin, end, first_line, [&](std::string_view line, size_t off, uint64_t no) {
    int64_t time_ms = kUnknownTime;
    switch (flow.ParseLine(line, &json, &time_ms, &error)) {
      case VpcFlowReader::LineKind::kRecord: {
        json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
        element record;
        if (Parse(json, &record) != simdjson::SUCCESS) {
          Malformed(off, no, "flow log line could not be rendered as JSON");
        } else {
          Deliver(LogType::kVpcFlow, record, line, off, no, time_ms);
        }
        break;
      }
      case VpcFlowReader::LineKind::kMalformed:
        Malformed(off, no, error);
        break;
      default:
        break;
    }
    return true;
  });
}

void LogReader::Impl::ReadS3Lines(std::string_view text, size_t begin, size_t end,
                                  uint64_t first_line) {
  std::string error;
  ForEachLine(text, begin, end, first_line, [&](std::string_view line, size_t off, uint64_t no) {
    int64_t time_ms = kUnknownTime;
    switch (S3AccessReader::ParseLine(line, &json, &time_ms, &error)) {
      case S3AccessReader::LineKind::kRecord: {
        json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
        element record;
        if (Parse(json, &record) != simdjson::SUCCESS) {
          Malformed(off, no, "S3 access log line could not be rendered as JSON");
        } else {
          Deliver(LogType::kS3Access, record, line, off, no, time_ms);
        }
        break;
      }
      case S3AccessReader::LineKind::kMalformed:
        Malformed(off, no, error);
        break;
      default:
        break;
    }
    return true;
  });
}

void LogReader::Impl::ReadText(std::string_view name, std::string_view text, EventSink& sink,
                               IngestStats& stats, const ScanOptions& options) {
  Begin(name, text, sink, stats, options);
  Detection d = DetectFormat(text);
  switch (d.format) {
    case InputFormat::kEmpty:
      Skip("empty", 0, 0, "empty file");
      break;
    case InputFormat::kUnknown:
      Skip("unknown_format", 0, 0, "unknown format (not CloudTrail, GuardDuty, VPC flow or S3 access logs)");
      break;
    case InputFormat::kJson:
      ReadJson(text, d.start);
      break;
    case InputFormat::kVpcFlow:
      ReadFlowLines(text, d.start, text.size(), 1);
      break;
    case InputFormat::kS3Access:
      ReadS3Lines(text, d.start, text.size(), 1);
      break;
  }
  FlushLive();
}

void LogReader::Impl::ReadChunk(std::string_view name, std::string_view text, InputFormat format,
                                size_t begin, size_t end, uint64_t first_line,
                                std::string_view header, EventSink& sink, IngestStats& stats,
                                const ScanOptions& options) {
  Begin(name, text, sink, stats, options);
  switch (format) {
    case InputFormat::kJson:
      ReadJsonLines(text, begin, end, first_line);
      break;
    case InputFormat::kVpcFlow:
      if (!header.empty()) flow.SetHeader(header);
      ReadFlowLines(text, begin, end, first_line);
      break;
    case InputFormat::kS3Access:
      ReadS3Lines(text, begin, end, first_line);
      break;
    default:
      break;
  }
  FlushLive();
}

std::optional<std::string_view> LogReader::Impl::Decode(std::string_view name, const ByteBuffer& raw,
                                         ByteBuffer& out, IngestStats& stats,
                                         const ScanOptions& options) {
  std::string_view bytes = raw.view();
  if (!IsGzip(bytes)) {
    if (bytes.size() > options.max_file_bytes) {
      stats.AddError(name, options.max_file_bytes, 0, "file larger than the limit; cut there");
      return bytes.substr(0, options.max_file_bytes);
    }
    return bytes;
  }
  Status status = gunzip.Decompress(bytes, options.max_file_bytes, out);
  if (!status) {
    ++stats.malformed;
    stats.AddError(name, 0, 0, status.error().message);
    // Nothing salvaged: the file is reported once, not again as empty.
    if (out.size() == 0) return std::nullopt;
  }
  return out.view();
}

void LogReader::Impl::ReadInput(std::string_view name, EventSink& sink, IngestStats& stats,
                                const ScanOptions& options) {
  if (std::optional<std::string_view> text = Decode(name, input, decompressed, stats, options)) {
    stats.bytes += text->size();
    ReadText(name, *text, sink, stats, options);
  }
  input.Shrink(uint64_t{256} << 20);
  decompressed.Shrink(uint64_t{256} << 20);
}

LogReader::LogReader() : impl_(std::make_unique<Impl>(nullptr)) {}
LogReader::LogReader(std::shared_ptr<EventIdSet> seen)
    : impl_(std::make_unique<Impl>(std::move(seen))) {}
LogReader::~LogReader() = default;

void LogReader::ResetDedup() { impl_->seen->Clear(); }

void LogReader::ReadBuffer(std::string_view name, std::string_view bytes, EventSink& sink,
                           IngestStats& stats, const ScanOptions& options) {
  ++stats.files;
  if (IsDigestPath(name)) {
    ++stats.skipped["digest"];
    return;
  }
  impl_->input.Resize(bytes.size());
  if (!bytes.empty()) std::memcpy(impl_->input.data(), bytes.data(), bytes.size());
  impl_->ReadInput(name, sink, stats, options);
}

void LogReader::ReadFile(const std::string& path, EventSink& sink, IngestStats& stats,
                         const ScanOptions& options) {
  ++stats.files;
  if (IsDigestPath(path)) {
    ++stats.skipped["digest"];
    return;
  }
  std::string error = ReadWholeFile(path, impl_->input);
  if (!error.empty()) {
    ++stats.skipped["unreadable"];
    stats.AddError(path, 0, 0, error);
    return;
  }
  impl_->ReadInput(path, sink, stats, options);
}

std::string ReadWholeFile(const std::string& path, ByteBuffer& out) {
  out.Clear();
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open: ") + std::strerror(errno);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.Reserve(static_cast<size_t>(st.st_size) + 1);
  std::string error;
  while (true) {
    if (out.capacity() - out.size() < (1 << 16)) out.Reserve(out.size() + (out.size() < (1 << 20) ? (1 << 20) : out.size()));
    ssize_t n = ::read(fd, out.data() + out.size(), out.capacity() - out.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("read error: ") + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    out.Resize(out.size() + static_cast<size_t>(n));
  }
  if (fd != 0) ::close(fd);
  return error;
}

}  // namespace cloudward::ingest
