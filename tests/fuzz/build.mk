# SPDX-License-Identifier: MIT
# libFuzzer harnesses (clang): one per parser entry point in lib/.
FUZZ_NAMES := optrom image fv varstore ovmfcode slots size efidecomp varmigrate savedstate keys
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BINS := $(addprefix $(O)/fuzz/bin/fuzz_,$(FUZZ_NAMES))
FUZZ_SECONDS ?= 30

$(O)/fuzz/obj/%.o: %.c
	$(call say,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -std=c11 -g -O1 -Ilib -Itests/fuzz -D_FILE_OFFSET_BITS=64 -MMD -MP \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(O)/fuzz/bin/fuzz_%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.o $(call objs,$(O)/fuzz/obj,$(LIB_SRCS))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIB_LDLIBS) -lcrypto

.PHONY: fuzz fuzz-deps fuzz-bins
fuzz-deps:
	$(Q)pkg/deps.sh fuzz
fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-deps ## fuzz every parser for FUZZ_SECONDS each (default 30); reproducers in out/fuzz/crashes
	$(Q)$(MAKE) --no-print-directory -s fuzz-bins fetch-reference $(O)/asan/tests/gen
	$(Q)O=$(O) tests/fuzz/run.sh $(FUZZ_SECONDS)
