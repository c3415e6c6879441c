# SPDX-License-Identifier: MIT
# ipxe-roms/: the iPXE NIC ROMs, pxe-NIC.rom (legacy, 128K slot) and
# efi-NIC.rom (legacy + x86_64 EFI driver, 256K slot), built from source:
# Debian's ipxe source package pinned in pkg/sources.lock where the archive
# serves it, else the pinned upstream tarball at IPXE_TARBALL (sha256 checked
# before unpacking), or IPXE_SRC=/path for a tree of your own. Only with none
# of them are Debian's ipxe-qemu binaries repacked, with a warning.
IPXE_EXTRAVERSION ?= +fwslot
# iPXE's link step embeds a build time: pinned to the release tag's day (v2.0.0, 2026-03-06)
IPXE_TIMESTAMP ?= 1772755200
IPXE_TARBALL ?= $(abspath ../shared/src/ipxe-2.0.0.tar.xz)
# every NIC with a pxe-NIC.rom in the manifest (and its efi-NIC.rom)
IPXE_NICS := $(patsubst pxe-%.rom,%,$(call slot_names,^pxe-.*[.]rom$$))
IPXE_DIR := usr/lib/ipxe/qemu
IPXE_IMAGES := $(foreach n,$(IPXE_NICS),$(FW)/$(IPXE_DIR)/pxe-$(n).rom $(FW)/$(IPXE_DIR)/efi-$(n).rom)
IPXE_OUT := $(O)/ipxe/roms
IPXE_BUILD := ipxe-roms/build-ipxe.sh ipxe-roms/nics.conf pkg/logged.sh

ifeq ($(strip $(IPXE_SRC)),)
# the source this machine can get, decided once per pin (ipxe-roms/ipxe-src.sh)
$(O)/src/ipxe.stamp: $(O)/pins/ipxe ipxe-roms/ipxe-src.sh
	$(Q)ipxe-roms/ipxe-src.sh pkg/sources.lock $(O)/src $(IPXE_TARBALL)

$(IPXE_OUT)/ORIGIN: $(O)/src/ipxe.stamp $(IPXE_BUILD) $(REF_ROOT).stamp
	$(call say,IPXE,$(words $(IPXE_IMAGES)) ROMs (log $(LOG)/ipxe.log))
	$(Q)tree=$(O)/src/ipxe; [ "$$(head -1 $<)" != none ] || tree=-; \
	pkg/logged.sh $(LOG)/ipxe.log ipxe-roms/build-ipxe.sh $$tree ipxe-roms/nics.conf $(IPXE_OUT) \
		'$(IPXE_EXTRAVERSION)' $(IPXE_TIMESTAMP) $(REF_ROOT)/$(IPXE_DIR)
	$(Q)[ "$$(cat $@)" = built ] || echo "  IPXE    WARNING: the iPXE ROMs are Debian's binaries, repacked: no source (see above)" >&2
else
# a tree of your own: iPXE's make decides what to rebuild in it
$(IPXE_OUT)/ORIGIN: FORCE $(IPXE_BUILD)
	$(call say,IPXE,$(words $(IPXE_IMAGES)) ROMs from $(IPXE_SRC) (log $(LOG)/ipxe.log))
	$(Q)pkg/logged.sh $(LOG)/ipxe.log ipxe-roms/build-ipxe.sh $(IPXE_SRC) ipxe-roms/nics.conf $(IPXE_OUT) \
		'$(IPXE_EXTRAVERSION)' $(IPXE_TIMESTAMP)
endif

$(IPXE_IMAGES): $(FW)/$(IPXE_DIR)/%.rom: $(IPXE_OUT)/ORIGIN $(GATE_DEPS)
	$(call say,GATE,$@)
	$(Q)$(GATE) $(IPXE_OUT)/$*.rom $@

FIRMWARE += $(IPXE_IMAGES)

# Debian's ipxe-qemu compat names, which VMs and old configurations may name:
# usr/lib/ipxe/NAME.rom -> qemu/pxe-NIC.rom
IPXE_COMPAT := 82540em:e1000 e1000_82540:e1000 eepro100:eepro100 ns8390:ne2k_pci pcnet32:pcnet \
	rtl8139:rtl8139 virtio-net:virtio
IPXE_LINKS := $(foreach c,$(IPXE_COMPAT),$(FW)/usr/lib/ipxe/$(firstword $(subst :, ,$(c))).rom)
define ipxe_compat_link
$(FW)/usr/lib/ipxe/$(1).rom: $(FW)/$(IPXE_DIR)/pxe-$(2).rom
	$$(Q)ln -sfn qemu/pxe-$(2).rom $$@
endef
$(foreach c,$(IPXE_COMPAT),$(eval $(call ipxe_compat_link,$(firstword $(subst :, ,$(c))),$(lastword $(subst :, ,$(c))))))
FIRMWARE += $(IPXE_LINKS)
