// Human-readable rendering of findings for a terminal: grouped by rule, most severe first.
#pragma once

#include <cstdio>
#include <vector>

#include "core/finding.h"

namespace cloudward::cli {

struct TableOptions {
  bool colour = false;
  size_t rows_per_rule = 20;  // further rows are summarised as "... N more"
};

void WriteFindingTable(std::FILE* out, const std::vector<Finding>& findings, const TableOptions& options);

}  // namespace cloudward::cli
