# SPDX-License-Identifier: MIT
# vgabios/: SeaVGABIOS for every QEMU display device, padded to its slot.
# every vgabios-NAME.bin of the manifest, each built from vgabios/NAME.config
VGA_NAMES := $(patsubst vgabios-%.bin,%,$(call slot_names,^vgabios-.*[.]bin$$))
VGA_IMAGES := $(patsubst %,$(FW)/usr/share/seabios/vgabios-%.bin,$(VGA_NAMES))

$(O)/seabios/vgabios-%/vgabios.bin: vgabios/%.config $(SEABIOS_DEP) $(SEABIOS_BUILD) | $(O)/bin/romsize
	$(call say,SEABIOS,vgabios-$*.bin (log $(LOG)/seabios-vgabios-$*.log))
	$(Q)pkg/logged.sh $(LOG)/seabios-vgabios-$*.log env ROMSIZE=$(abspath $(O)/bin/romsize) \
		bios/build-seabios.sh $(SEABIOS_TREE) $< $(@D) vgabios $(SEABIOS_EXTRAVERSION)

$(VGA_IMAGES): $(FW)/usr/share/seabios/vgabios-%.bin: $(O)/seabios/vgabios-%/vgabios.bin $(GATE_DEPS)
	$(call say,GATE,$@)
	$(Q)$(GATE) $< $@ $(<D)/vgarom.o

# QEMU's isa-vga looks for vgabios.bin (Debian #1024382)
$(FW)/usr/share/seabios/vgabios.bin: $(FW)/usr/share/seabios/vgabios-isavga.bin
	$(Q)ln -sfn vgabios-isavga.bin $@

FIRMWARE += $(VGA_IMAGES) $(FW)/usr/share/seabios/vgabios.bin
