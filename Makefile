# carecircle: `make` builds build/carecircle, `make run` serves the demo site, `make test` runs
# every test (also under AddressSanitizer and UndefinedBehaviorSanitizer).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
DATA       ?= data/carecircle.db

.PHONY: all build run test e2e fuzz deps deps-test clean bench bench-search bench-search-pg

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target carecircle

run: build
	@mkdir -p $(dir $(DATA))
	$(BUILD)/carecircle demo --if-empty --db $(DATA)
	$(BUILD)/carecircle serve --db $(DATA)

test: deps-test
	@scripts/test.sh

# Only the browser tests (tests/e2e), against build/carecircle.
e2e: deps-test build
	@scripts/e2e.sh

# Every libFuzzer target for 10 minutes (FUZZ_SECONDS to change).
fuzz: deps-test
	@scripts/fuzz.sh $(or $(FUZZ_SECONDS),600)

# carecircle against nginx on the same bytes, 10,000 and 100,000 questions (bench/run; about
# ten minutes, DURATION=6 SIZES=10000 to shorten); the table goes to bench/results/latest.md.
bench: build
	bench/run

# Search latency (issue 5, docs/performance.md "Search"): generates a 100,000-question /
# 1,000,000-answer SQLite site once (minutes; kept at SEARCH_DB), then runs bench/search_bench.
SEARCH_DB ?= /tmp/carecircle-search-bench.db
bench-search: build
	cmake --build $(BUILD) -j $(JOBS) --target search_bench
	@test -f $(SEARCH_DB) || $(BUILD)/carecircle bench-data --questions 100000 --answers 1000000 --db $(SEARCH_DB)
	$(BUILD)/search_bench --db $(SEARCH_DB) --reuse --rounds 5

# The same on PostgreSQL: a private cluster, filled and searched, then removed (bench/search-pg).
bench-search-pg: build
	BUILD=$(BUILD) bench/search-pg

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
