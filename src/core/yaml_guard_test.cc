#include "core/yaml_guard.h"

#include <gtest/gtest.h>

namespace cloudward {
namespace {

TEST(YamlGuard, ADocumentStartingWithAFlowEntryIsRefusedWithItsLine) {
  EXPECT_EQ(FindYamlHazard(",x")->line, 1);
  EXPECT_EQ(FindYamlHazard("\xEF\xBB\xBF# comment\n\n  ,itle: a\nd: [1]\n")->line, 3);
  EXPECT_EQ(FindYamlHazard("title: a\n---\n,x\n")->line, 3) << "every document of a stream";
  EXPECT_EQ(FindYamlHazard("title: a\n--- ,x\n")->line, 2) << "content on the marker line";
  EXPECT_NE(FindYamlHazard(",x")->reason.find("','"), std::string::npos);
}

TEST(YamlGuard, EveryFlowEntryYamlCppWouldNotConsumeIsRefused) {
  // sigma_rule_fuzz regresses: yaml-cpp ran out of memory on these as well.
  using std::string_literals::operator""s;
  EXPECT_EQ(FindYamlHazard("\0\0\0,e: c\ncorrelation:\n"s)->line, 1) << "UTF-32BE for ','";
  EXPECT_TRUE(FindYamlHazard("\xFF\xFE \0,\0x\0"s)) << "UTF-16LE with its mark";
  EXPECT_TRUE(FindYamlHazard("!t2idnhrrrr,rrrr")) << "after a tag";
  EXPECT_TRUE(FindYamlHazard("&a ,x")) << "after an anchor";
  EXPECT_TRUE(FindYamlHazard("[a], x")) << "after a flow collection";
  EXPECT_TRUE(FindYamlHazard("\"a\" ,x")) << "after a quoted scalar";
  EXPECT_EQ(FindYamlHazard("- a\n,x\n")->line, 2) << "after a block sequence";
  EXPECT_EQ(FindYamlHazard("a: 1\n---\n!t ,x\n")->line, 3) << "in a later document";
  // UTF-16 YAML without it is left to yaml-cpp, which reads it.
  EXPECT_FALSE(FindYamlHazard("a\0:\0 \0b\0,\0 \0c\0\n\0"s));
}

TEST(YamlGuard, CommasAnywhereElseAreLeftToTheParser) {
  EXPECT_FALSE(FindYamlHazard(""));
  EXPECT_FALSE(FindYamlHazard("title: a, b\ntags: [x, y]\n"));
  EXPECT_FALSE(FindYamlHazard("a: 1\n,b: 2\n")) << "yaml-cpp reports this one itself";
  EXPECT_FALSE(FindYamlHazard("%YAML 1.2\n---\na: {b: [c, d]}\n...\n---\n- x\n"));
  EXPECT_FALSE(FindYamlHazard("a: |\n  ,literal text\n"));
}

}  // namespace
}  // namespace cloudward
