# SPDX-License-Identifier: MIT
# Tests: unit tests against lib/, fixture generator, sweep; all built with ASan+UBSan.
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(sort $(wildcard tests/unit/*_test.c)))
UNIT_BINS := $(addprefix $(O)/asan/tests/,$(UNIT_NAMES))
TEST_SUPPORT := $(LIB_SRCS) tests/gen/romgen.c
TEST_BINS := $(UNIT_BINS) $(O)/asan/tests/gen $(O)/asan/tests/sweep

$(O)/asan/tests/%: $(O)/asan/obj/tests/unit/%.o $(call objs,$(O)/asan/obj,$(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_FLAGS) -o $@ $^ -lz
$(O)/asan/tests/gen: $(call objs,$(O)/asan/obj,tests/gen/gen.c $(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_FLAGS) -o $@ $^ -lz
$(O)/asan/tests/sweep: $(call objs,$(O)/asan/obj,tests/sweep/sweep.c $(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_FLAGS) -o $@ $^ -lz

ASAN_TOOLS := $(patsubst $(O)/bin/%,$(O)/asan/bin/%,$(TOOLS))

.PHONY: check check-deps
check-deps:
	$(Q)pkg/deps.sh check

check: check-deps ## run every test (ASan+UBSan builds); ends with "N passed, N failed"
	$(Q)$(MAKE) --no-print-directory $(TOOLS) $(ASAN_TOOLS) $(TEST_BINS) fetch-reference
	$(Q)O=$(O) tests/run.sh

.PHONY: repro
repro: ## build the firmware set twice from clean and compare SHA256SUMS
	$(Q)O=$(O) MAKE="$(MAKE)" tests/repro.sh
