# Kept: `make run` to talk to Kept, `make test` to check everything. Both set up .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: soak fuzz run test lint typecheck unit install demo bench bench-ack bench-footprint bench-dispatch clean screenshots screenshots-messages screenshots-review bench-review browser-tools

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/kept migrate
	$(BIN)/kept

demo: install
	$(BIN)/kept demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n auto --cov --cov-report=term

test: lint typecheck unit

bench: bench-ack bench-footprint bench-dispatch
	$(BIN)/python bench/insights_bench.py

# Kept beside the fair peer (bench/fair_peer.py) and minimal Bolt apps on SQLite and PostgreSQL, median of 3, with
# the hostile burst at 50 concurrent; ACK_ARGS="--processes 2" adds `kept serve --processes 2`.
bench-ack: install
	$(BIN)/python bench/slack_ack_bench.py --repeat 3 --hostile $(ACK_ARGS)

bench-footprint: install
	$(BIN)/python bench/footprint_bench.py

bench-dispatch: install
	$(BIN)/python bench/dispatch_bench.py --count 4000 --latency-ms 50

# Every kind of message, drawn as Teams (the official Adaptive Cards renderer in headless Chromium), Slack and the
# terminal show it: PNGs and a contact sheet in screenshots/out/, README's four in docs/messages/.
screenshots: screenshots-messages screenshots-review

screenshots-messages: install
	$(BIN)/python screenshots/messages.py

bench-review: install
	$(BIN)/python bench/review_bench.py

# Tens of thousands of random histories through the real core and delivery loop (tests/properties/): every message
# true when it lands, nobody told twice a day, nothing private in a channel, no erased name left.
soak: install
	KEPT_SOAK_EXAMPLES=$${KEPT_SOAK_EXAMPLES:-20000} $(BIN)/pytest -q -p no:randomly tests/properties --hypothesis-show-statistics

# A million fuzzed core commands and 100,000 HTTP bodies; FUZZ_ARGS="--minutes 30" caps each part's time.
fuzz: install
	$(BIN)/python -m tests.fuzz_run $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# Screenshots of the partnership review at desktop and phone widths, from the real page in headless Chromium.
SCREENSHOTS ?= screenshots

browser-tools:
	bash .ci/browser-tools

screenshots-review: install browser-tools
	CI=1 KEPT_SCREENSHOTS_DIR=$(SCREENSHOTS)/review $(BIN)/pytest tests/bot/review/test_browser.py -k screenshots
	@echo "Wrote $(SCREENSHOTS)/review/review-desktop.png and review-phone.png"

