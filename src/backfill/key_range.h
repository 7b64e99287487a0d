// The unit of work of the backfill: a range of the walking key, and how far
// the walk through it got. Shared by the range planner, the checkpoints and
// the workers.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"

namespace tandem::backfill {

// A position on the walking key: the key's values as text (one per key
// column), or for tables walked by ctid a single page number.
using Key = std::vector<backend::Value>;

struct KeyRange {
  int number = 0;
  Key lower;  // inclusive; empty: from the start of the table
  Key upper;  // exclusive; empty: open-ended, so rows inserted meanwhile are walked too
  Key last;   // the last key done; empty: not started
  // Not stored: for the open-ended range, the greatest key when this run
  // began; the walk may stop there (later rows are marked by the trigger).
  Key stop_after;
  long long estimated_rows = 0;
  long long rows_done = 0;
  bool done = false;
};

// "(1, abc)": a key as a person reads it in messages.
std::string KeyText(const Key& key);

}  // namespace tandem::backfill
