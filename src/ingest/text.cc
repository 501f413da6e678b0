#include "ingest/text.h"

namespace cloudward::ingest {


}  // namespace cloudward::ingest
