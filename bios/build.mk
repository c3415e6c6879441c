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

# Debian 12's seabios ships the SeaBIOS DSDT too (a data file, no slot; no
# QEMU since 1.7 loads it). SeaBIOS 1.17 dropped its source (src/fw/acpi-dsdt.dsl)
# and Debian sid's package the file; so that no installed path disappears,
# the file is Debian 12's own bytes, from the pinned reference package.
$(FW)/usr/share/seabios/acpi-dsdt.aml: $(REF_ROOT).stamp
	$(call say,COPY,$@ (Debian 12 file: SeaBIOS 1.17 has no DSDT source))
	$(Q)mkdir -p $(@D) && cp $(REF_ROOT)/usr/share/seabios/acpi-dsdt.aml $@.tmp && mv $@.tmp $@
FIRMWARE += $(FW)/usr/share/seabios/acpi-dsdt.aml
