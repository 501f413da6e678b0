# The two commands of the README:
#   make demo   install dependencies, build, generate the sample scenario and hunt it
#   make test   install dependencies, build with ASan+UBSan and run every test but the slow Sigma
#               oracle (make test-oracle, ~10 min: pySigma from PyPI against the engine);
#               make test-release runs the same suite on the optimised build
PRESET ?= release
JOBS ?= $(shell nproc)
BUILD = build/$(PRESET)
CLOUDWARD = $(BUILD)/src/cli/cloudward
DEMO_DIR ?= build/demo

.PHONY: deps build demo test test-release test-oracle clean bench

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	rm -rf $(DEMO_DIR)
	$(CLOUDWARD) simulate --seed 7 --events 20000 --out $(DEMO_DIR)/logs
	$(CLOUDWARD) hunt $(DEMO_DIR)/logs --store sqlite://$(DEMO_DIR)/cloudward.db \
	  --summary $(DEMO_DIR)/summary.json --output $(DEMO_DIR)/findings.txt --format table; \
	  status=$$?; cat $(DEMO_DIR)/findings.txt; \
	  echo; echo "store:   $(DEMO_DIR)/cloudward.db"; echo "summary: $(DEMO_DIR)/summary.json"; \
	  echo "findings: $(DEMO_DIR)/findings.txt"; echo; \
	  $(CLOUDWARD) incidents list --store sqlite://$(DEMO_DIR)/cloudward.db --status active; \
	  echo; echo "next: $(CLOUDWARD) report INC-... --store sqlite://$(DEMO_DIR)/cloudward.db -o incident.html"; \
	  test $$status -le 1

test: deps
	bash scripts/run-tests.sh

test-release:
	PRESETS=release bash scripts/run-tests.sh

test-oracle: build
	. scripts/test-env.sh; ctest --test-dir $(BUILD) -L slow --output-on-failure

bench: build
	bash bench/run.sh

clean:
	rm -rf build
