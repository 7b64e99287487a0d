#include "diff/table_diff.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <system_error>
#include <utility>

#include "common/strings.h"
#include "diff/pass.h"
#include "diff/scan.h"
#include "diff/schema.h"

namespace tandem::verify {
namespace {

using Clock = std::chrono::steady_clock;

// A range whose larger side holds more rows than this after bisection can
// only be one key repeated on the target (the source key is unique); it is
// reported as a range instead of fetching every copy.
constexpr long long kLeafFetchLimit = 10000;

// Runs `on_source` here and `on_target` on another thread: each side has its
// own connection, so the two databases work at the same time.
template <typename S, typename T>
auto OnBoth(S on_source, T on_target) {
  std::future<decltype(on_target())> target;
  try {
    target = std::async(std::launch::async, on_target);
  } catch (const std::system_error&) {  // no thread to be had: one after the other
    auto source_result = on_source();
    return std::make_pair(std::move(source_result), on_target());
  }
  auto source_result = on_source();
  return std::make_pair(std::move(source_result), target.get());
}

class Differ {
 public:
  // `walker`, a second session on the source, may be null.
  Differ(Scanner& source, Scanner& target, Scanner* walker, const DiffOptions& options,
         DiffReport& report)
      : source_(source), target_(target), walker_(walker), options_(options), report_(report) {}

  // Differing partitions (with --partition-by), once the first pass is done.
  void ReportPartitions() {
    report_.partitions_compared = static_cast<long long>(partitions_.size());
    for (const auto& [partition, sums] : partitions_) {
      if (sums.first == sums.second) continue;
      report_.partitions.push_back({partition, sums.first.rows, sums.second.rows, true});
    }
  }

  // First pass over the whole key space, then every differing chunk broken
  // down to keys. Differing chunks not yet broken down when an error stops
  // the scan are kept as unlisted ranges.
  Status Run() {
    FirstPass pass = RunFirstPass(source_, target_, walker_, options_);
    partitions_ = std::move(pass.partitions);
    std::vector<RangeSums> differing;
    for (const auto& chunk : pass.chunks) {
      report_.stats.source_rows += chunk.source.rows;
      report_.stats.target_rows += chunk.target.rows;
      ++report_.stats.chunks;
      if (chunk.source == chunk.target) continue;
      ++report_.stats.differing_chunks;
      differing.push_back(chunk);
    }
    Status scanned = pass.status;
    for (const auto& chunk : differing) {
      if (scanned.ok()) {
        scanned = Resolve(chunk);
        if (scanned.ok()) continue;
      }
      Unlisted(chunk);
    }
    return scanned;
  }

 private:
  Result<std::pair<Checksum, Checksum>> SumBoth(const KeyRange& range) {
    auto [source, target] =
        OnBoth([&] { return source_.Sum(range); }, [&] { return target_.Sum(range); });
    if (!source.ok()) return source.status();
    if (!target.ok()) return target.status();
    return std::make_pair(*source, *target);
  }

  bool ListingFull() const {
    return static_cast<long long>(report_.rows.size()) >= options_.max_listed;
  }

  void Unlisted(const RangeSums& r) {
    report_.unlisted_ranges.push_back(
        {r.range.after, r.range.through, r.source.rows, r.target.rows});
  }

  // Bisects on the side with more rows: the median key splits it in two
  // halves; the left half is summed on both sides and the right half is the
  // difference, so each level costs one half-range scan per side.
  Status Resolve(const RangeSums& r) {
    if (r.source == r.target) return Status::Ok();
    if (ListingFull()) {
      Unlisted(r);
      return Status::Ok();
    }
    if (r.source.rows == 0 || r.target.rows == 0) return ListOneSided(r);
    long long larger = std::max(r.source.rows, r.target.rows);
    if (larger <= options_.leaf_rows) return CompareLeaf(r);
    bool split_source = r.source.rows >= r.target.rows;
    Scanner& splitter = split_source ? source_ : target_;
    TANDEM_ASSIGN_OR_RETURN(std::optional<KeyValues> middle,
                            splitter.KeyAt(r.range, larger / 2 - 1));
    if (!middle) return CompareLeaf(r);  // rows went away meanwhile
    RangeSums left{{r.range.after, *middle}, {}, {}};
    TANDEM_ASSIGN_OR_RETURN(std::tie(left.source, left.target), SumBoth(left.range));
    if ((split_source ? left.source.rows : left.target.rows) >= larger) {
      return CompareLeaf(r);  // one key repeated on the target: no split possible
    }
    RangeSums right{{*middle, r.range.through}, r.source - left.source, r.target - left.target};
    if (right.source.rows < 0 || right.target.rows < 0) {  // rows written meanwhile
      TANDEM_ASSIGN_OR_RETURN(std::tie(right.source, right.target), SumBoth(right.range));
    }
    TANDEM_RETURN_IF_ERROR(Resolve(left));
    return Resolve(right);
  }

  // Every row of a range that one side does not have at all.
  Status ListOneSided(const RangeSums& r) {
    bool missing = r.target.rows == 0;
    Scanner& side = missing ? source_ : target_;
    long long budget = options_.max_listed - static_cast<long long>(report_.rows.size());
    TANDEM_ASSIGN_OR_RETURN(std::vector<LeafRow> rows, side.Rows(r.range, budget));
    for (auto& row : rows) {
      RowDiff diff{
          missing ? RowDiffKind::kMissing : RowDiffKind::kExtra, std::move(row.key), {}, {}};
      (missing ? diff.source_partition : diff.target_partition) = row.partition;
      report_.rows.push_back(std::move(diff));
    }
    (missing ? report_.missing : report_.extra) += missing ? r.source.rows : r.target.rows;
    return Status::Ok();
  }

  Status CompareLeaf(const RangeSums& r) {
    if (std::max(r.source.rows, r.target.rows) > kLeafFetchLimit) {
      Unlisted(r);
      return Status::Ok();
    }
    auto [source, target] = OnBoth([&] { return source_.Rows(r.range, kLeafFetchLimit); },
                                   [&] { return target_.Rows(r.range, kLeafFetchLimit); });
    if (!source.ok()) return source.status();
    if (!target.ok()) return target.status();
    MergeLeaf(*source, *target);
    return Status::Ok();
  }

  void Record(RowDiffKind kind, const LeafRow* source, const LeafRow* target) {
    (kind == RowDiffKind::kMissing ? report_.missing
     : kind == RowDiffKind::kExtra ? report_.extra
                                   : report_.changed) += 1;
    if (ListingFull()) return;
    RowDiff diff{kind, source ? source->key : target->key, {}, {}};
    if (source) diff.source_partition = source->partition;
    if (target) diff.target_partition = target->partition;
    report_.rows.push_back(std::move(diff));
  }

  // Both lists come in the same key order. Each source row is paired with
  // the first unpaired target row of its key; walking the source in order and
  // emitting the unpaired target rows met on the way lists the differences in
  // key order (a duplicate key on the target is an extra row).
  void MergeLeaf(const std::vector<LeafRow>& source, const std::vector<LeafRow>& target) {
    std::map<KeyValues, std::vector<size_t>> unpaired;  // target rows by key, in order
    for (size_t j = target.size(); j-- > 0;) unpaired[target[j].key].push_back(j);
    std::vector<bool> paired(target.size(), false);
    size_t next_target = 0;
    auto extras_before = [&](size_t end) {
      for (; next_target < end; ++next_target) {
        if (!paired[next_target]) Record(RowDiffKind::kExtra, nullptr, &target[next_target]);
      }
    };
    for (const auto& row : source) {
      auto found = unpaired.find(row.key);
      if (found == unpaired.end() || found->second.empty()) {
        Record(RowDiffKind::kMissing, &row, nullptr);
        continue;
      }
      size_t j = found->second.back();
      found->second.pop_back();
      paired[j] = true;
      extras_before(j);
      if (row.hash != target[j].hash) Record(RowDiffKind::kChanged, &row, &target[j]);
    }
    extras_before(target.size());
  }

 private:
  Scanner& source_;
  Scanner& target_;
  Scanner* walker_;
  const DiffOptions& options_;
  DiffReport& report_;
  std::map<backend::Value, std::pair<Checksum, Checksum>> partitions_;
};

// Rows whose key is NULL on the target fall into no range; count them apart.
Result<long long> CountNullKeys(backend::Connection& target, const DiffPlan& plan) {
  std::vector<std::string> nullable;
  for (const auto& column : plan.key) {
    if (!plan.target.Find(column)->not_null) nullable.push_back(QuoteIdent(column) + " IS NULL");
  }
  if (nullable.empty()) return 0LL;
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                          target.Query("SELECT count(*) FROM " + plan.target_shape.table +
                                       " WHERE " + Join(nullable, " OR ")));
  return std::stoll(result.Scalar().value_or("0"));
}

void StartReport(const DiffPlan& plan, const DiffOptions& options, backend::Connection& source,
                 backend::Connection& target, DiffReport& report) {
  report.source_table = plan.source.Display();
  report.target_table = plan.target.Display();
  report.source_database = source.Describe();
  report.target_database = target.Describe();
  report.key = plan.key;
  report.columns = plan.columns;
  report.partition_by = options.partition_by;
}

void StopIncomplete(const Status& error, DiffReport& report) {
  report.complete = false;
  report.incomplete_reason = error.message();
  if (error.native_code() == "57014") {
    report.incomplete_reason +=
        "; a chunk took longer than --chunk-timeout: raise it or lower --chunk-rows";
  }
}

}  // namespace

int DiffReport::Flags() const {
  int flags = 0;
  if (changed > 0) flags |= kParityMismatch;
  if (missing > 0 || extra > 0 || target_null_keys > 0) flags |= kCountMismatch;
  for (const auto& p : partitions) {
    flags |= p.source_rows != p.target_rows ? kCountMismatch : kParityMismatch;
  }
  for (const auto& r : unlisted_ranges) {
    flags |= r.source_rows != r.target_rows ? kCountMismatch : kParityMismatch;
  }
  if (!complete) flags |= kScanIncomplete;
  return flags;
}

bool DiffReport::Truncated() const {
  return static_cast<long long>(rows.size()) < missing + extra + changed ||
         !unlisted_ranges.empty();
}

Result<DiffReport> DiffTables(backend::Connection& source, backend::Connection& target,
                              const DiffOptions& options, backend::Connection* source_walker) {
  Clock::time_point start = Clock::now();
  if (options.chunk_rows < 1 || options.leaf_rows < 1 || options.max_listed < 0) {
    return Status::InvalidInput("chunk and leaf sizes must be at least 1");
  }
  Scanner source_scanner(source, "source");
  Scanner target_scanner(target, "target");
  std::optional<Scanner> walker;
  if (source_walker) walker.emplace(*source_walker, "source");
  TANDEM_RETURN_IF_ERROR(source_scanner.PinSession(options));
  TANDEM_RETURN_IF_ERROR(target_scanner.PinSession(options));
  if (walker) TANDEM_RETURN_IF_ERROR(walker->PinSession(options));
  TANDEM_ASSIGN_OR_RETURN(DiffPlan plan, PlanDiff(source, target, options));
  source_scanner.set_shape(plan.source_shape);
  target_scanner.set_shape(plan.target_shape);
  if (walker) walker->set_shape(plan.source_shape);
  for (Scanner* scanner : {&source_scanner, &target_scanner, walker ? &*walker : nullptr}) {
    if (scanner) TANDEM_RETURN_IF_ERROR(scanner->LimitStatements(options.chunk_timeout));
  }

  DiffReport report;
  StartReport(plan, options, source, target, report);
  Differ differ(source_scanner, target_scanner, walker ? &*walker : nullptr, options, report);
  Status scanned = differ.Run();
  if (scanned.ok()) {
    Result<long long> null_keys = CountNullKeys(target, plan);
    if (null_keys.ok()) report.target_null_keys = *null_keys;
    scanned = null_keys.status();
  }
  differ.ReportPartitions();
  if (!scanned.ok()) StopIncomplete(scanned, report);
  for (Scanner* scanner : {&source_scanner, &target_scanner, walker ? &*walker : nullptr}) {
    if (!scanner) continue;
    report.stats.queries += scanner->queries();
    report.stats.bytes_to_client += scanner->bytes();
  }
  report.stats.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  return report;
}

}  // namespace tandem::verify
