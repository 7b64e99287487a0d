#!/usr/bin/env bash
# Fuzzes the migration reader (tests/fuzz/reader_fuzzer.cc) with libFuzzer
# for a bounded time; `make test` runs it as the ctest test reader_fuzz.
#
#   fuzz-reader.sh BUILD_DIR [SECONDS]
#
# Builds the fuzzer with clang (AddressSanitizer and UBSan on) in BUILD_DIR,
# apart from the main g++ build, seeds it with the bad-input corpus and the
# examples, and runs it for SECONDS (60 by default). Each input must be
# answered within TIMEOUT_S seconds and the process must stay under RSS_MB;
# a crash, a hang, an input that runs out of memory or a refusal without a
# located invalid-input error fails the run (exit 1), with the input saved in
# BUILD_DIR/findings. The last line printed is the run's summary: execs,
# execs/s, corpus size.
#
# Needs clang++ and libFuzzer (Debian: clang, libclang-rt-14-dev; see
# scripts/install-deps.sh); without them it fails and says so.
set -Eeuo pipefail

readonly SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ASan keeps up to 256 MB of freed memory in quarantine and the corpus grows
# in memory, so the process's RSS says little about one input: this limit only
# catches runaway growth. The reader's own bound is tested without
# sanitizers (the bad-input tests run tandem under 1 GB and 5 s).
readonly RSS_MB=2048
# A loaded shared machine slows a normal input by 10x at most; a hang never ends.
readonly TIMEOUT_S=5
# libFuzzer reports a timeout from a signal handler, which can deadlock when
# the input was allocating at that moment; past this grace the run is killed.
readonly GRACE_S=120
# The reader's file size limit is far above this, but large inputs only slow
# the search: the limit itself has its own tests.
readonly MAX_LEN=16384
readonly SANITIZERS=address,undefined

die() {
  echo "fuzz-reader: $*" >&2
  exit 1
}

check_toolchain() {
  command -v clang++ >/dev/null 2>&1 ||
    die "clang++ not found; install the Debian packages clang and libclang-rt-14-dev (scripts/install-deps.sh does)"
  echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    clang++ -x c++ -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 ||
    die "clang++ cannot link a libFuzzer target; install libclang-rt-14-dev (scripts/install-deps.sh does)"
}

build() {
  local dir="$1"
  local -a launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$SOURCE_DIR" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DTANDEM_FUZZ=ON "${launcher[@]}" \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,$SANITIZERS -fno-sanitize-recover=undefined" \
    >"$dir.configure.log" 2>&1 || { tail -n 30 "$dir.configure.log" >&2; die "configuring $dir failed"; }
  cmake --build "$dir" --target reader_fuzzer -j2 >"$dir.build.log" 2>&1 ||
    { tail -n 30 "$dir.build.log" >&2; die "building the fuzzer failed"; }
}

# The seeds: every file of the bad-input corpus and the examples.
seed_corpus() {
  local corpus="$1"
  mkdir -p "$corpus"
  find "$SOURCE_DIR/tests/bad_input" "$SOURCE_DIR/examples" -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -exec cp {} "$corpus/" \;
}

main() {
  (($# >= 1 && $# <= 2)) || die "usage: fuzz-reader.sh BUILD_DIR [SECONDS]"
  local dir="$1" seconds="${2:-60}"
  check_toolchain
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  build "$dir"
  seed_corpus "$dir/corpus"
  mkdir -p "$dir/findings"
  local status=0
  timeout --signal=KILL "$((seconds + GRACE_S))" "$dir/reader_fuzzer" \
    -max_total_time="$seconds" -timeout="$TIMEOUT_S" -rss_limit_mb="$RSS_MB" \
    -max_len="$MAX_LEN" -print_final_stats=1 -artifact_prefix="$dir/findings/" \
    "$dir/corpus" >"$dir/fuzz.log" 2>&1 || status=$?
  grep -E '^(stat::|#[0-9]+ +DONE)' "$dir/fuzz.log" || true
  if ((status == 137)); then
    tail -n 20 "$dir/fuzz.log" >&2
    die "the fuzzer was still running ${GRACE_S}s after its time; an input hung the reader (see $dir/fuzz.log)"
  elif ((status != 0)); then
    grep -E -A 30 'ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|refused without' \
      "$dir/fuzz.log" | head -n 60 >&2 || tail -n 40 "$dir/fuzz.log" >&2
    die "the reader failed on an input (exit $status); see $dir/fuzz.log and $dir/findings/"
  fi
}

main "$@"
