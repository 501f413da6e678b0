#include "core/text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace cloudward {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(AppendJsonString, EscapesAsNlohmannDumpsValidUtf8) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("plain text, longer than eight bytes"), R"("plain text, longer than eight bytes")");
  EXPECT_EQ(Quoted("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  // Every special byte at every position of a run longer than one 8-byte word, so the word
  // test and the byte loop both meet it.
  const std::string specials[] = {"\"", "\\", "\n", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  for (const std::string& special : specials) {
    for (size_t at = 0; at < 20; ++at) {
      std::string s(24, 'x');
      s.insert(at, special);
      EXPECT_EQ(Quoted(s), nlohmann::json(s).dump()) << "special " << nlohmann::json(special).dump() << " at " << at;
    }
  }
  std::mt19937 rng(11);
  const std::string alphabet = std::string("abc \"\\/\t\n\r\b\f\x01\x1f\x7f") + "\xc3\xa9";
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    const size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) {
      const size_t c = rng() % (alphabet.size() - 1);
      s += c == alphabet.size() - 2 ? std::string("\xc3\xa9") : std::string(1, alphabet[c]);
    }
    ASSERT_EQ(Quoted(s), nlohmann::json(s).dump()) << nlohmann::json(s).dump();
  }
}

TEST(AppendJsonString, InvalidUtf8BecomesLatin1Escapes) {
  EXPECT_EQ(Quoted("ok \xff then"), R"("ok \u00ff then")");
  EXPECT_EQ(Quoted("12345678\xc3"), R"("12345678\u00c3")") << "a sequence cut short at the end";
  EXPECT_TRUE(nlohmann::json::accept(Quoted(std::string("\x80\xbf\xed\xa0\x80", 5))));
}

}  // namespace
}  // namespace cloudward
