# SPDX-License-Identifier: MIT
# fdsplit: OVMF CODE/VARS splitter and varstore checker.
FDSPLIT_SRCS := $(sort $(wildcard tools/fdsplit/*.c)) $(LIB_SRCS) $(COMMON_SRCS)

$(O)/bin/fdsplit: $(call objs,$(O)/obj,$(FDSPLIT_SRCS))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LDLIBS) -lcrypto

$(O)/asan/bin/fdsplit: $(call objs,$(O)/asan/obj,$(FDSPLIT_SRCS))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_LDFLAGS) -o $@ $^ $(LIB_LDLIBS) -lcrypto

TOOLS += $(O)/bin/fdsplit
