# SPDX-License-Identifier: MIT
# Tests: unit tests against lib/, fixture generator, sweep; all built with ASan+UBSan.
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(sort $(wildcard tests/unit/*_test.c)))
UNIT_BINS := $(addprefix $(O)/asan/tests/,$(UNIT_NAMES))
TEST_SUPPORT := $(LIB_SRCS) tests/gen/romgen.c
TEST_BINS := $(UNIT_BINS) $(O)/asan/tests/gen $(O)/asan/tests/sweep

$(O)/asan/tests/%: $(O)/asan/obj/tests/unit/%.o $(call objs,$(O)/asan/obj,$(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_LDFLAGS) $(UNIT_LDFLAGS) -o $@ $^ $(LIB_LDLIBS) -lcrypto
# nomem_test fails lib/'s allocations one at a time
$(O)/asan/tests/nomem_test: UNIT_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
$(O)/asan/tests/gen: $(call objs,$(O)/asan/obj,tests/gen/gen.c $(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIB_LDLIBS) -lcrypto
$(O)/asan/tests/sweep: $(call objs,$(O)/asan/obj,tests/sweep/sweep.c tests/sweep/states.c $(TEST_SUPPORT))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIB_LDLIBS) -lcrypto

ASAN_TOOLS := $(patsubst $(O)/bin/%,$(O)/asan/bin/%,$(TOOLS))

.PHONY: check check-deps
check-deps:
	$(Q)pkg/deps.sh check

# a built firmware tree is brought up to date first (its gate runs the tools):
# make deb in lane B would otherwise remake it while other suites read it
# (the builds on every CPU, as `make` does, unless make was given a -j: on a
# fresh clone the sanitizer builds took 29 s one at a time, 15 s on 2 cores)
check: check-deps ## run every test (ASan+UBSan builds); ends with "N passed, N failed"
	$(Q)case " $$MAKEFLAGS " in *" -j"*|*jobserver*) j= ;; *) j=-j$(JOBS) ;; esac; \
		$(MAKE) --no-print-directory -s $$j $(TOOLS) $(ASAN_TOOLS) $(TEST_BINS) $(FUZZ_BINS) $(REF)/padded.stamp \
		$(REF13_ROOT).stamp $(PEERS_ROOT).stamp $(if $(wildcard $(FW)/SHA256SUMS),$(FW)/SHA256SUMS)
	$(Q)O=$(O) tests/run.sh

.PHONY: repro
repro: ## build the firmware set again from clean in another folder and compare SHA256SUMS
	$(Q)O=$(O) MAKE="$(MAKE)" tests/repro.sh

.PHONY: crashtest
crashtest: $(TOOLS) fetch-reference ## kill romsize pad and fdsplit split at random moments (CRASH_TRIALS, default 100)
	$(Q)O=$(O) python3 tests/crash/crash.py $(or $(CRASH_TRIALS),100) $(O)/bin \
		$(REF_ROOT)/usr/lib/ipxe/qemu/pxe-e1000.rom $(REF_ROOT)/usr/share/ovmf/OVMF.fd
