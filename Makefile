# Entry points for building, testing and running tandem on a Debian machine.
# Every target installs what it needs first, so a fresh clone only needs
# `make test` (which is what CI runs).

BUILD_DIR := build
JOBS      := 2

.PHONY: build deps test demo demo-postgres bench format clean
.DEFAULT_GOAL := build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j$(JOBS)

# ctest exits non-zero when any test fails, which fails this target. The
# PostgreSQL used by integration tests is started and stopped by ctest itself
# (fixture "pg", see scripts/pg-harness.sh).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 900

# The SQLite demo (README's first command); the same migration lifecycle on
# a throwaway PostgreSQL is demo-postgres.
demo: build
	bash scripts/demo.sh

demo-postgres: build
	bash scripts/demo-postgres.sh

# Each benchmark reports ratios measured side by side in one run (bench/README.md).
bench: build
	bash bench/run.sh
	bash bench/verify.sh
	bash bench/diff.sh
	bash bench/sqlite_backfill.sh
	bash bench/sqlite_complete.sh
	bash bench/backfill.sh

# find rather than shell globs: make runs /bin/sh, which has no `**`.
format:
	find src tests -type f \( -name '*.h' -o -name '*.cc' \) -print0 | xargs -0 -r clang-format -i

clean:
	rm -rf $(BUILD_DIR)
