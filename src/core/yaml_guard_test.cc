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

TEST(YamlGuard, CommasAnywhereElseAreLeftToTheParser) {
  EXPECT_FALSE(FindYamlHazard(""));
  EXPECT_FALSE(FindYamlHazard("title: a, b\ntags: [x, y]\n"));
  EXPECT_FALSE(FindYamlHazard("a: 1\n,b: 2\n")) << "yaml-cpp reports this one itself";
  EXPECT_FALSE(FindYamlHazard("%YAML 1.2\n---\na: {b: [c, d]}\n...\n---\n- x\n"));
  EXPECT_FALSE(FindYamlHazard("a: |\n  ,literal text\n"));
}

}  // namespace
}  // namespace cloudward
