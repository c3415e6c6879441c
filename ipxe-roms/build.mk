# SPDX-License-Identifier: MIT
# ipxe-roms/: the iPXE NIC ROMs. Debian's ipxe source package cannot be
# downloaded here, so the ROMs come from the ipxe-qemu binary package pinned
# in pkg/reference.lock (sha256-checked before unpacking), then pass the same
# slot gate as every built image: pxe-*.rom padded to 128K, efi-*.rom to 256K.
# every NIC with a pxe-NIC.rom in the manifest (and its efi-NIC.rom)
IPXE_NICS := $(patsubst pxe-%.rom,%,$(call slot_names,^pxe-.*[.]rom$$))
IPXE_DIR := usr/lib/ipxe/qemu
IPXE_IMAGES := $(foreach n,$(IPXE_NICS),$(FW)/$(IPXE_DIR)/pxe-$(n).rom $(FW)/$(IPXE_DIR)/efi-$(n).rom)

$(IPXE_IMAGES): $(FW)/$(IPXE_DIR)/%.rom: $(REF_ROOT).stamp $(GATE_DEPS)
	$(call say,GATE,$@)
	$(Q)$(GATE) $(REF_ROOT)/$(IPXE_DIR)/$*.rom $@

FIRMWARE += $(IPXE_IMAGES)
