# SPDX-License-Identifier: MIT
# bios/: SeaBIOS bios.bin (128K), bios-256k.bin, bios-microvm.bin from the
# pinned Debian source (or SEABIOS_SRC), one out-of-tree build per image.
SEABIOS_EXTRAVERSION ?= -fwslot
ifeq ($(strip $(SEABIOS_SRC)),)
SEABIOS_TREE := $(O)/src/seabios
SEABIOS_DEP := $(O)/src/seabios.stamp
else
# a tree of the user's own: SeaBIOS's make decides what to rebuild
SEABIOS_TREE := $(abspath $(SEABIOS_SRC))
SEABIOS_DEP := FORCE
endif

BIOS_NAMES := $(patsubst %.bin,%,$(call slot_names,^bios.*[.]bin$$))
BIOS_IMAGES := $(patsubst %,$(FW)/usr/share/seabios/%.bin,$(BIOS_NAMES))
SEABIOS_BUILD := bios/build-seabios.sh pkg/logged.sh

$(O)/seabios/%/bios.bin: bios/%.config $(SEABIOS_DEP) $(SEABIOS_BUILD) | $(O)/bin/romsize
	$(call say,SEABIOS,$*.bin (log $(LOG)/seabios-$*.log))
	$(Q)pkg/logged.sh $(LOG)/seabios-$*.log env ROMSIZE=$(abspath $(O)/bin/romsize) \
		bios/build-seabios.sh $(SEABIOS_TREE) $< $(@D) bios $(SEABIOS_EXTRAVERSION)

$(BIOS_IMAGES): $(FW)/usr/share/seabios/%.bin: $(O)/seabios/%/bios.bin $(GATE_DEPS)
	$(call say,GATE,$@)
	$(Q)$(GATE) $< $@ $(<D)/rom.o

FIRMWARE += $(BIOS_IMAGES)

# Debian's seabios ships the SeaBIOS DSDT too (a data file, no slot)
$(FW)/usr/share/seabios/acpi-dsdt.aml: $(SEABIOS_DEP) bios/build-dsdt.sh
	$(call say,IASL,$@)
	$(Q)mkdir -p $(@D) && bios/build-dsdt.sh $(SEABIOS_TREE) $@
FIRMWARE += $(FW)/usr/share/seabios/acpi-dsdt.aml
