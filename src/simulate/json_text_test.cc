#include "simulate/json_text.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/time.h"
#include "simulate/random.h"

namespace cloudward::simulate {
namespace {

TEST(JsonTextTest, TimesMatchTheCoreFormatter) {
  Random rng(3);
  for (int i = 0; i < 20000; ++i) {
    // Whole seconds from 1970 to 2100, plus leap days and year ends.
    const int64_t ms = static_cast<int64_t>(rng.Below(4102444800ULL)) * 1000;
    std::string out;
    JsonText(out).Time(ms, /*quote=*/false);
    ASSERT_EQ(out, FormatIsoTime(ms)) << ms;
    ASSERT_EQ(ParseIsoTime(out), ms);
  }
  std::string out;
  JsonText(out).TimeMs(DaysFromCivil(2024, 2, 29) * 86400000 + 123, /*quote=*/true);
  EXPECT_EQ(out, "\"2024-02-29T00:00:00.123Z\"");
}

TEST(JsonTextTest, EscapedStringsRoundTripThroughAParser) {
  Random rng(5);
  simdjson::dom::parser parser;
  for (int i = 0; i < 2000; ++i) {
    std::string value;
    const size_t n = rng.Below(40);
    for (size_t k = 0; k < n; ++k) value.push_back(static_cast<char>(rng.Below(128)));
    std::string doc;
    JsonText j(doc);
    j.Raw("{\"k\":");
    j.Str(value);
    j.Raw(",\"n\":");
    j.Int(-static_cast<int64_t>(i));
    j.Char('}');
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(doc).get(e), simdjson::SUCCESS) << doc;
    EXPECT_EQ(std::string_view(e["k"]), value);
    EXPECT_EQ(int64_t(e["n"]), -static_cast<int64_t>(i));
  }
}

TEST(RandomTest, SameSeedSameSequenceAndBoundsHold) {
  Random a(11), b(11), c(12);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
    EXPECT_LT(a.Below(7), 7u);
    const int64_t v = a.Between(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
    b.Below(7);
    b.Between(-3, 3);
  }
  EXPECT_TRUE(differs);
  const uint32_t weights[] = {0, 5, 0};
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Weighted(weights), 1u);
}

}  // namespace
}  // namespace cloudward::simulate
