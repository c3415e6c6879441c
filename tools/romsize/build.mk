# SPDX-License-Identifier: MIT
# romsize: BIOS / option ROM slot gate.
ROMSIZE_SRCS := tools/romsize/romsize.c tools/romsize/pad.c tools/romsize/state.c tools/romsize/report.c tools/romsize/blame.c tools/romsize/diff.c tools/romsize/builtin.S \
	$(filter-out $(CRYPTO_LIB_SRCS),$(LIB_SRCS)) $(COMMON_SRCS)

$(O)/bin/romsize: $(call objs,$(O)/obj,$(ROMSIZE_SRCS))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ -lelf $(LIB_LDLIBS)

$(O)/asan/bin/romsize: $(call objs,$(O)/asan/obj,$(ROMSIZE_SRCS))
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN_LDFLAGS) -o $@ $^ -lelf $(LIB_LDLIBS)

# the slot manifest and the romfile table are assembled into the binary
$(O)/obj/tools/romsize/builtin.o $(O)/asan/obj/tools/romsize/builtin.o: pkg/slots.conf pkg/romdevs.conf

TOOLS += $(O)/bin/romsize
