// The first pass of a table diff: the source's key space cut into chunks and
// each chunk's checksum computed on both sides. Internal to table_diff.cc.
//
// Three sessions work at once, each on its own thread: the walker finds the
// chunk boundaries on the source (a keyset walk of the key's index) and
// publishes them; the source and the target session each sum the published
// chunks at their own pace, so neither waits for the other after a chunk.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "diff/scan.h"
#include "diff/types.h"

namespace tandem::verify {

struct RangeSums {
  KeyRange range;
  Checksum source;
  Checksum target;
};

struct FirstPass {
  std::vector<RangeSums> chunks;  // in key order; those both sides have summed
  // With partition_by: each partition's sums on the source and the target.
  std::map<backend::Value, std::pair<Checksum, Checksum>> partitions;
  Status status;  // the first error when the pass stopped early
};

// `walker` is a second session on the source; without one the source
// session walks every boundary first. options.on_chunk is called from the
// calling thread, which sums the source side.
FirstPass RunFirstPass(Scanner& source, Scanner& target, Scanner* walker,
                       const DiffOptions& options);

}  // namespace tandem::verify
