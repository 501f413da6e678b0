#include "detect/matcher.h"

#include <gtest/gtest.h>

#include "detect/condition_parser.h"

namespace cloudward::detect {
namespace {

// Loads one rule whose detection is `detection` (YAML, indented by 2) and tests `json`.
class Fixture {
 public:
  explicit Fixture(const std::string& detection, const std::string& logsource =
                                                     "{product: aws, service: cloudtrail}") {
    std::string text = "title: t\nid: r1\nlogsource: " + logsource + "\ndetection:\n" + detection;
    result = LoadRules({}, {{"t.yml", text}});
    if (!result.rejected.empty()) error = result.rejected[0].reason;
  }
  bool Fires(const std::string& json, LogType type = LogType::kCloudTrail) {
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    if (parser.parse(json).get(element) != simdjson::SUCCESS) {
      ADD_FAILURE() << "bad json " << json;
      return false;
    }
    Event event;
    event.type = type;
    event.record = element;
    Matcher matcher(result.rules);
    std::vector<const Rule*> hits;
    matcher.Match(event, hits);
    return !hits.empty();
  }
  LoadResult result;
  std::string error;
};

bool Fires(const std::string& detection, const std::string& json) {
  Fixture f(detection);
  EXPECT_EQ(f.error, "") << detection;
  return f.Fires(json);
}

std::string Sel(const std::string& field_and_value) {
  return "  sel:\n    " + field_and_value + "\n  condition: sel\n";
}

TEST(MatcherTest, PlainEqualityIsCaseInsensitive) {
  EXPECT_TRUE(Fires(Sel("eventName: createuser"), R"({"eventName":"CreateUser"})"));
  EXPECT_FALSE(Fires(Sel("eventName: CreateUser"), R"({"eventName":"CreateUserX"})"));
  EXPECT_TRUE(Fires(Sel("additionalEventData.MFAUsed: 'NO'"), R"({"additionalEventData":{"MFAUsed":"No"}})"));
  EXPECT_FALSE(Fires(Sel("eventName|cased: createuser"), R"({"eventName":"CreateUser"})"));
  EXPECT_TRUE(Fires(Sel("eventName|cased: CreateUser"), R"({"eventName":"CreateUser"})"));
}

TEST(MatcherTest, Wildcards) {
  EXPECT_TRUE(Fires(Sel("eventName: 'Create*'"), R"({"eventName":"CreateUser"})"));
  EXPECT_TRUE(Fires(Sel("eventName: '*User'"), R"({"eventName":"CreateUser"})"));
  EXPECT_TRUE(Fires(Sel("eventName: '*eat*'"), R"({"eventName":"CreateUser"})"));
  EXPECT_TRUE(Fires(Sel("eventName: 'C?eate*r'"), R"({"eventName":"CreateUser"})"));
  EXPECT_FALSE(Fires(Sel("eventName: 'C?eate'"), R"({"eventName":"Ceate"})"));
  EXPECT_TRUE(Fires(Sel("k: 'a?c'"), R"({"k":"a\u00e9c"})"));  // ? is one code point
  EXPECT_TRUE(Fires(Sel("k: '*'"), R"({"k":""})"));
  EXPECT_FALSE(Fires(Sel("k: '*'"), R"({"k":null})"));
  EXPECT_FALSE(Fires(Sel("k: '*'"), R"({"j":1})"));
}

TEST(MatcherTest, WildcardEscaping) {
  EXPECT_TRUE(Fires(Sel(R"(k: 'a\*b')"), R"({"k":"a*b"})"));
  EXPECT_FALSE(Fires(Sel(R"(k: 'a\*b')"), R"({"k":"axxb"})"));
  EXPECT_TRUE(Fires(Sel(R"(k: 'a\?')"), R"({"k":"a?"})"));
  EXPECT_FALSE(Fires(Sel(R"(k: 'a\?')"), R"({"k":"ab"})"));
  // \\* is a backslash followed by a wildcard.
  EXPECT_TRUE(Fires(Sel(R"(k: 'a\\*')"), R"({"k":"a\\xyz"})"));
  // \\\* is a backslash and a literal star.
  EXPECT_TRUE(Fires(Sel(R"(k: 'a\\\*')"), R"({"k":"a\\*"})"));
  EXPECT_FALSE(Fires(Sel(R"(k: 'a\\\*')"), R"({"k":"a\\xyz"})"));
  // A plain backslash not before a wildcard is itself.
  EXPECT_TRUE(Fires(Sel(R"(k: 'C:\Windows\cmd.exe')"), R"({"k":"c:\\windows\\cmd.exe"})"));
  EXPECT_TRUE(Fires(Sel(R"(k|endswith: '\cmd.exe')"), R"({"k":"C:\\Windows\\cmd.exe"})"));
}

TEST(MatcherTest, TypeCoercion) {
  EXPECT_TRUE(Fires(Sel("responseElements.publiclyAccessible: 'true'"),
                    R"({"responseElements":{"publiclyAccessible":true}})"));
  EXPECT_TRUE(Fires(Sel("b: true"), R"({"b":true})"));
  EXPECT_TRUE(Fires(Sel("b: true"), R"({"b":"True"})"));
  EXPECT_FALSE(Fires(Sel("b: true"), R"({"b":false})"));
  EXPECT_TRUE(Fires(Sel("n: 5"), R"({"n":5})"));
  EXPECT_TRUE(Fires(Sel("n: 5"), R"({"n":"5"})"));
  EXPECT_TRUE(Fires(Sel("n: '5'"), R"({"n":5})"));
  EXPECT_TRUE(Fires(Sel("n: 5"), R"({"n":5.0})"));
  EXPECT_TRUE(Fires(Sel("n: 1.5"), R"({"n":1.5})"));
  EXPECT_TRUE(Fires(Sel("n: 443"), R"({"n":443})"));
  EXPECT_FALSE(Fires(Sel("n: 44"), R"({"n":443})"));
  EXPECT_TRUE(Fires(Sel("n|startswith: 44"), R"({"n":443})"));
}

TEST(MatcherTest, NullAndExists) {
  EXPECT_TRUE(Fires(Sel("errorCode: null"), R"({"a":1})"));
  EXPECT_TRUE(Fires(Sel("errorCode: null"), R"({"errorCode":null})"));
  EXPECT_FALSE(Fires(Sel("errorCode: null"), R"({"errorCode":"AccessDenied"})"));
  EXPECT_FALSE(Fires(Sel("errorCode: ''"), R"({"a":1})"));
  EXPECT_TRUE(Fires(Sel("errorCode: ''"), R"({"errorCode":""})"));
  EXPECT_TRUE(Fires(Sel("errorCode|exists: true"), R"({"errorCode":null})"));
  EXPECT_FALSE(Fires(Sel("errorCode|exists: true"), R"({"a":1})"));
  EXPECT_TRUE(Fires(Sel("errorCode|exists: false"), R"({"a":1})"));
  EXPECT_TRUE(Fires(Sel("a.b|exists: true"), R"({"a":{"b":{}}})"));
}

TEST(MatcherTest, NestedPathsArraysAndDottedKeys) {
  EXPECT_TRUE(Fires(Sel("userIdentity.sessionContext.sessionIssuer.type: Role"),
                    R"({"userIdentity":{"sessionContext":{"sessionIssuer":{"type":"Role"}}}})"));
  EXPECT_TRUE(Fires(Sel("items.name: b"), R"({"items":[{"name":"a"},{"name":"b"}]})"));
  EXPECT_FALSE(Fires(Sel("items.name: c"), R"({"items":[{"name":"a"},{"name":"b"}]})"));
  EXPECT_TRUE(Fires(Sel("tags: prod"), R"({"tags":["dev","prod"]})"));
  EXPECT_TRUE(Fires(Sel("a.b.c: x"), R"({"a.b":{"c":"x"}})"));
  EXPECT_TRUE(Fires(Sel("a.b: x"), R"({"a.b":"x"})"));
  // Case-sensitive first, then case-insensitive.
  EXPECT_TRUE(Fires(Sel("EventName: X"), R"({"eventName":"x"})"));
  EXPECT_TRUE(Fires(Sel("k: exact"), R"({"K":"other","k":"exact"})"));
}

TEST(MatcherTest, ContainsOnObjectsSearchesSerializedJson) {
  EXPECT_TRUE(Fires(Sel("requestParameters|contains: 'AdministratorAccess'"),
                    R"({"requestParameters":{"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}})"));
  EXPECT_TRUE(Fires(Sel("requestParameters.layers|contains: '*'"),
                    R"({"requestParameters":{"layers":["arn:x"]}})"));
  EXPECT_FALSE(Fires(Sel("requestParameters.layers|contains: '*'"), R"({"requestParameters":{}})"));
}

TEST(MatcherTest, ValueListsAndAll) {
  EXPECT_TRUE(Fires(Sel("eventName: [A, B]"), R"({"eventName":"b"})"));
  EXPECT_FALSE(Fires(Sel("cmd|contains|all: [foo, bar]"), R"({"cmd":"foo baz"})"));
  EXPECT_TRUE(Fires(Sel("cmd|contains|all: [foo, bar]"), R"({"cmd":"bar foo"})"));
}

TEST(MatcherTest, StartsEndsContains) {
  EXPECT_TRUE(Fires(Sel("k|startswith: ab"), R"({"k":"ABc"})"));
  EXPECT_FALSE(Fires(Sel("k|startswith: bc"), R"({"k":"abc"})"));
  EXPECT_TRUE(Fires(Sel("k|endswith: BC"), R"({"k":"abc"})"));
  EXPECT_TRUE(Fires(Sel("k|contains: B"), R"({"k":"abc"})"));
  EXPECT_TRUE(Fires(Sel("k|contains: 'a*c'"), R"({"k":"xxabbbcxx"})"));
}

TEST(MatcherTest, Regex) {
  EXPECT_TRUE(Fires(Sel("k|re: '^a.c$'"), R"({"k":"abc"})"));
  EXPECT_FALSE(Fires(Sel("k|re: '^a.c$'"), R"({"k":"ABC"})"));
  EXPECT_TRUE(Fires(Sel("k|re|i: '^a.c$'"), R"({"k":"ABC"})"));
  EXPECT_TRUE(Fires(Sel("k|re: 'b+'"), R"({"k":"abbc"})"));
  EXPECT_FALSE(Fires(Sel("k|re: '^b$'"), R"({"k":"a\nb"})"));
  EXPECT_TRUE(Fires(Sel("k|re|m: '^b$'"), R"({"k":"a\nb"})"));
  EXPECT_FALSE(Fires(Sel("k|re: 'a.b'"), R"({"k":"a\nb"})"));
  EXPECT_TRUE(Fires(Sel("k|re|s: 'a.b'"), R"({"k":"a\nb"})"));
}

TEST(MatcherTest, Cidr) {
  EXPECT_TRUE(Fires(Sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"10.2.3.4"})"));
  EXPECT_FALSE(Fires(Sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"11.2.3.4"})"));
  EXPECT_TRUE(Fires(Sel("ip|cidr: 192.168.1.0/25"), R"({"ip":"192.168.1.127"})"));
  EXPECT_FALSE(Fires(Sel("ip|cidr: 192.168.1.0/25"), R"({"ip":"192.168.1.128"})"));
  EXPECT_TRUE(Fires(Sel("ip|cidr: '2001:db8::/32'"), R"({"ip":"2001:db8:1::5"})"));
  EXPECT_FALSE(Fires(Sel("ip|cidr: '2001:db8::/32'"), R"({"ip":"2001:db9::5"})"));
  EXPECT_FALSE(Fires(Sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"not an ip"})"));
  EXPECT_FALSE(Fires(Sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"::ffff:10.0.0.1"})"));
}

TEST(MatcherTest, NumericComparisons) {
  EXPECT_TRUE(Fires(Sel("n|gt: 5"), R"({"n":6})"));
  EXPECT_FALSE(Fires(Sel("n|gt: 5"), R"({"n":5})"));
  EXPECT_TRUE(Fires(Sel("n|gte: 5"), R"({"n":5})"));
  EXPECT_TRUE(Fires(Sel("n|lt: 5"), R"({"n":"4.5"})"));
  EXPECT_TRUE(Fires(Sel("n|lte: 5"), R"({"n":5})"));
  EXPECT_FALSE(Fires(Sel("n|lte: 5"), R"({"n":"abc"})"));
}

TEST(MatcherTest, Encodings) {
  // base64("evil") = ZXZpbA==
  EXPECT_TRUE(Fires(Sel("k|base64: evil"), R"({"k":"ZXZpbA=="})"));
  // base64offset|contains finds "evil" wherever it sits in an encoded string.
  EXPECT_TRUE(Fires(Sel("k|base64offset|contains: evil"), R"({"k":"ZXZpbA=="})"));
  EXPECT_TRUE(Fires(Sel("k|base64offset|contains: evil"), R"({"k":"eGV2aWw="})"));   // "xevil"
  EXPECT_TRUE(Fires(Sel("k|base64offset|contains: evil"), R"({"k":"eHhldmls"})"));   // "xxevil"
  EXPECT_FALSE(Fires(Sel("k|base64offset|contains: evil"), R"({"k":"Z29vZA=="})"));  // "good"
  // utf16le + base64: "cmd" -> 63 00 6d 00 64 00 -> YwBtAGQA
  EXPECT_TRUE(Fires(Sel("k|wide|base64: cmd"), R"({"k":"YwBtAGQA"})"));
  EXPECT_TRUE(Fires(Sel("k|utf16le|base64: cmd"), R"({"k":"YwBtAGQA"})"));
  // utf16be: 00 63 00 6d 00 64 -> AGMAbQBk
  EXPECT_TRUE(Fires(Sel("k|utf16be|base64: cmd"), R"({"k":"AGMAbQBk"})"));
  // utf16 (BOM FF FE): FF FE 63 00 6d 00 64 00 -> //5jAG0AZAA=
  EXPECT_TRUE(Fires(Sel("k|utf16|base64: cmd"), R"({"k":"//5jAG0AZAA="})"));
}

TEST(MatcherTest, Windash) {
  EXPECT_TRUE(Fires(Sel("cmd|windash|contains: ' -enc '"), R"({"cmd":"powershell /enc abc"})"));
  EXPECT_TRUE(Fires(Sel("cmd|windash|contains: ' -enc '"), R"({"cmd":"powershell \u2013enc abc"})"));
  EXPECT_TRUE(Fires(Sel("cmd|windash|contains: ' -enc '"), R"({"cmd":"powershell -enc abc"})"));
  EXPECT_FALSE(Fires(Sel("cmd|windash|contains: ' -enc '"), R"({"cmd":"powershell +enc abc"})"));
}

TEST(MatcherTest, FieldrefAndNeq) {
  EXPECT_TRUE(Fires(Sel("a|fieldref: b"), R"({"a":"X","b":"x"})"));
  EXPECT_FALSE(Fires(Sel("a|fieldref: b"), R"({"a":"X","b":"y"})"));
  EXPECT_FALSE(Fires(Sel("a|fieldref|cased: b"), R"({"a":"X","b":"x"})"));
  EXPECT_TRUE(Fires(Sel("a|fieldref|neq: b"), R"({"a":"X","b":"y"})"));
  EXPECT_TRUE(Fires(Sel("a|neq: x"), R"({"a":"y"})"));
  EXPECT_FALSE(Fires(Sel("a|neq: [x, y]"), R"({"a":"Y"})"));
}

TEST(MatcherTest, Keywords) {
  std::string d = "  keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\n  condition: keywords\n";
  EXPECT_TRUE(Fires(d, R"({"a":{"b":["x","run Mimikatz now"]}})"));
  EXPECT_FALSE(Fires(d, R"({"a":"clean"})"));
  std::string all = "  keywords:\n    '|all':\n      - 'foo'\n      - 'bar'\n  condition: keywords\n";
  EXPECT_TRUE(Fires(all, R"({"a":"foo","b":"bar"})"));
  EXPECT_FALSE(Fires(all, R"({"a":"foo"})"));
}

TEST(MatcherTest, Conditions) {
  std::string base = "  a:\n    x: 1\n  b:\n    y: 1\n  filter_1:\n    z: 1\n  filter_2:\n    w: 1\n";
  auto fires = [&](const std::string& cond, const std::string& json) {
    return Fires(base + "  condition: " + cond + "\n", json);
  };
  EXPECT_TRUE(fires("a and b", R"({"x":1,"y":1})"));
  EXPECT_FALSE(fires("a and b", R"({"x":1})"));
  EXPECT_TRUE(fires("a or b", R"({"y":1})"));
  EXPECT_TRUE(fires("a and not b", R"({"x":1})"));
  EXPECT_TRUE(fires("not a and b", R"({"y":1})"));          // not binds tighter than and
  EXPECT_TRUE(fires("a or b and filter_1", R"({"x":1})"));  // and binds tighter than or
  EXPECT_FALSE(fires("(a or b) and filter_1", R"({"x":1})"));
  EXPECT_TRUE(fires("a and not 1 of filter_*", R"({"x":1})"));
  EXPECT_FALSE(fires("a and not 1 of filter_*", R"({"x":1,"w":1})"));
  EXPECT_TRUE(fires("all of filter_*", R"({"z":1,"w":1})"));
  EXPECT_FALSE(fires("all of filter_*", R"({"z":1})"));
  EXPECT_TRUE(fires("1 of them", R"({"w":1})"));
  EXPECT_FALSE(fires("all of them", R"({"x":1,"y":1,"z":1})"));
  EXPECT_TRUE(fires("all of them", R"({"x":1,"y":1,"z":1,"w":1})"));
  // A list of conditions is an OR.
  EXPECT_TRUE(Fires(base + "  condition:\n    - a\n    - b\n", R"({"y":1})"));
}

TEST(MatcherTest, ListOfMapsIsOr) {
  std::string d = "  sel:\n    - eventName: A\n      eventSource: s\n    - eventName: B\n  condition: sel\n";
  EXPECT_TRUE(Fires(d, R"({"eventName":"A","eventSource":"s"})"));
  EXPECT_FALSE(Fires(d, R"({"eventName":"A","eventSource":"t"})"));
  EXPECT_TRUE(Fires(d, R"({"eventName":"B"})"));
}

TEST(MatcherTest, NestedMapExtension) {
  std::string d = "  sel:\n    rules:\n      - expiration:\n          days: 1\n  condition: sel\n";
  EXPECT_TRUE(Fires(d, R"({"rules":[{"id":"x","expiration":{"days":1}}]})"));
  EXPECT_FALSE(Fires(d, R"({"rules":[{"id":"x","expiration":{"days":30}}]})"));
}

TEST(MatcherTest, LogSourceFiltering) {
  Fixture flow("  sel:\n    dst_port: 22\n  condition: sel\n", "{product: aws, service: vpcflowlogs}");
  ASSERT_EQ(flow.error, "");
  // Field mapping: dst_port -> dstport for VPC flow rules.
  EXPECT_TRUE(flow.Fires(R"({"dstport":22})", LogType::kVpcFlow));
  EXPECT_FALSE(flow.Fires(R"({"dstport":22})", LogType::kCloudTrail));
  Fixture windows("  sel:\n    EventID: 1\n  condition: sel\n", "{product: windows}");
  EXPECT_FALSE(windows.Fires(R"({"EventID":1})"));
  EXPECT_FALSE(windows.result.warnings.empty());
  LoadOptions options;
  options.filter_by_logsource = false;
  LoadResult all = LoadRules({}, {{"w.yml", "title: w\nlogsource: {product: windows}\ndetection:\n"
                                            "  sel:\n    EventID: 1\n  condition: sel\n"}},
                             options);
  simdjson::dom::parser parser;
  Event event;
  event.record = parser.parse(std::string(R"({"EventID":1})")).value();
  Matcher matcher(all.rules);
  std::vector<const Rule*> hits;
  matcher.Match(event, hits);
  EXPECT_EQ(hits.size(), 1u);
}

TEST(MatcherTest, IndexNarrowsCandidates) {
  std::vector<RuleText> texts;
  for (int i = 0; i < 50; ++i) {
    texts.push_back({"r" + std::to_string(i), "title: r" + std::to_string(i) +
                                                  "\nlogsource: {product: aws, service: cloudtrail}\n"
                                                  "detection:\n  sel:\n    eventName: Op" +
                                                  std::to_string(i) + "\n  condition: sel\n"});
  }
  texts.push_back({"any", "title: any\nlogsource: {product: aws, service: cloudtrail}\n"
                          "detection:\n  sel:\n    eventName|startswith: Op1\n  condition: sel\n"});
  LoadResult r = LoadRules({}, texts);
  ASSERT_EQ(r.loaded, 51u);
  simdjson::dom::parser parser;
  Event event;
  event.record = parser.parse(std::string(R"({"eventName":"OP12"})")).value();
  Matcher matcher(r.rules);
  std::vector<const Rule*> hits;
  matcher.Match(event, hits);
  EXPECT_EQ(matcher.last_candidates(), 2u);  // Op12 by index + the fallback rule
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->ref.title, "r12");
  EXPECT_EQ(hits[1]->ref.title, "any");
}

TEST(MatcherTest, Filters) {
  std::string rule = "title: base\nid: base-1\nlogsource: {product: aws, service: cloudtrail}\n"
                     "detection:\n  sel:\n    eventName: CreateUser\n  condition: sel\n";
  std::string filter = "title: ignore admins\nlogsource: {product: aws, service: cloudtrail}\n"
                       "filter:\n  rules:\n    - base-1\n  selection:\n"
                       "    userIdentity.userName|startswith: adm_\n  condition: selection\n";
  LoadResult r = LoadRules({}, {{"rule.yml", rule}, {"filter.yml", filter}});
  ASSERT_TRUE(r.rejected.empty());
  EXPECT_EQ(r.loaded, 1u);
  simdjson::dom::parser parser;
  Matcher matcher(r.rules);
  std::vector<const Rule*> hits;
  Event event;
  event.record = parser.parse(std::string(R"({"eventName":"CreateUser","userIdentity":{"userName":"adm_bob"}})")).value();
  matcher.Match(event, hits);
  EXPECT_TRUE(hits.empty());
  event.record = parser.parse(std::string(R"({"eventName":"CreateUser","userIdentity":{"userName":"eve"}})")).value();
  matcher.Match(event, hits);
  EXPECT_EQ(hits.size(), 1u);
}

TEST(ConditionParserTest, GrammarAndErrors) {
  auto s = [](const char* text) {
    auto r = ParseCondition(text);
    return r ? ConditionToString(*r) : "ERROR: " + r.error().message;
  };
  EXPECT_EQ(s("a and b or c"), "((a and b) or c)");
  EXPECT_EQ(s("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(s("not a and b"), "((not a) and b)");
  EXPECT_EQ(s("not (a and b)"), "(not (a and b))");
  EXPECT_EQ(s("1 of sel* and not all of filter_*"), "(1 of sel* and (not all of filter_*))");
  EXPECT_EQ(s("all of them"), "all of them");
  EXPECT_EQ(s("A AND NOT B"), "(A and (not B))");
  EXPECT_NE(s("a and").find("ERROR"), std::string::npos);
  EXPECT_NE(s("(a").find("ERROR"), std::string::npos);
  EXPECT_NE(s("a b").find("ERROR"), std::string::npos);
  EXPECT_NE(s("").find("ERROR"), std::string::npos);
  EXPECT_NE(s("sel*").find("ERROR"), std::string::npos);
  auto legacy = ParseCondition("selection | count() by x > 5");
  ASSERT_FALSE(legacy);
  EXPECT_EQ(legacy.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace cloudward::detect
