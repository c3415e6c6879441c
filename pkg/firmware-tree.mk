# SPDX-License-Identifier: MIT
# Assembles out/firmware once every recipe has added its images to FIRMWARE:
# the share/qemu links, SHA256SUMS and the size report.
# -L out/firmware/usr/share/qemu finds every default file name, as QEMU's own
# share/qemu does; bios-microvm.bin stays with qboot as in Debian's QEMU
QEMU_LINKS := $(filter-out %/bios-microvm.bin $(IPXE_LINKS),$(filter %.bin %.rom,$(FIRMWARE)) $(FW)/usr/share/seabios/vgabios.bin) \
	$(FW)/usr/share/ovmf/OVMF.fd
QEMU_LINK_DIR := $(FW)/usr/share/qemu

$(FW)/.links.stamp: $(QEMU_LINKS)
	$(Q)mkdir -p $(QEMU_LINK_DIR) && for f in $(patsubst $(FW)/usr/%,%,$(sort $(QEMU_LINKS))); do \
		case $$f in share/*) t=../$${f#share/};; *) t=../../$$f;; esac; \
		ln -sfn $$t $(QEMU_LINK_DIR)/$${f##*/}; done && touch $@

$(FW)/SHA256SUMS: $(FIRMWARE) $(FW)/.links.stamp
	$(call say,SUMS,$@)
	$(Q)(cd $(FW) && find usr -type f | LC_ALL=C sort | xargs sha256sum) > $@.tmp && mv $@.tmp $@

SIZE_VARIANTS := 2m=$(O)/ovmf/2m=OVMF_CODE.fd 4m=$(O)/ovmf/4m=OVMF_CODE_4M.fd \
	4m-secboot=$(O)/ovmf/4m-secboot=OVMF_CODE_4M.secboot.fd 2m-secboot=$(O)/ovmf/2m-secboot=OVMF_CODE.secboot.fd

.PHONY: firmware firmware-bios firmware-ovmf firmware-ipxe print-images
print-images: ## the files `make` ships, one path a line under out/firmware (links left out)
	@printf '%s\n' $(patsubst $(FW)/%,%,$(filter-out $(FW)/usr/share/seabios/vgabios.bin $(OVMF_LINKS) $(IPXE_LINKS),$(FIRMWARE))) | LC_ALL=C sort
firmware: $(FW)/SHA256SUMS ## build, pad and gate the whole firmware set into out/firmware
	$(Q)pkg/size-report.py $(O)/bin/romsize $(FW) $(O)/SIZES.txt $(O)/SIZES.json $(SIZE_VARIANTS)
	@echo "  OK      $$(wc -l < $(FW)/SHA256SUMS) files in $(FW) (SHA256SUMS; sizes in $(O)/SIZES.txt, $(O)/SIZES.json)"
	$(call say,DIFF,Debian 12 -> $(FW) (romsize diff))
	$(Q)$(O)/bin/romsize diff $(REF_ROOT) $(FW) > $(O)/UPGRADE.txt || { \
		grep -E '^(changed|removed) ' $(O)/UPGRADE.txt; tail -1 $(O)/UPGRADE.txt; \
		echo "firmware: a VM of Debian 12's firmware would not start, migrate or restore on this set (romsize diff above)" >&2; exit 1; }
	@echo "  OK      upgrade from Debian 12: $$(tail -1 $(O)/UPGRADE.txt) ($(O)/UPGRADE.txt)"

# QEMU's own view of an upgrade: every pc-* machine type and every ROM device,
# started with -S on both sets; info ramblock must agree (and romsize diff's prediction)
OLD ?= $(REF_ROOT)
NEW ?= $(FW)
.PHONY: upgrade-check
upgrade-check: $(O)/bin/romsize $(REF_ROOT).stamp ## QEMU's RAM blocks on OLD vs NEW (default: Debian 12 vs out/firmware), every machine type and ROM device
	$(Q)python3 tests/upgrade/matrix.py --romsize $(O)/bin/romsize --json $(O)/upgrade-check.json "upgrade=$(OLD):$(NEW):same"

# QEMU's own view of the set, the last step of `make`: pkg/romdevs.conf (the
# table romsize diff names devices from) is what this QEMU says, and a VM of
# Debian 12's or Debian 13's set maps the same RAM blocks on ours, on every
# machine type and ROM device. QEMU's answers are kept in $(O)/cache/qemu
# (tests/qemu/qemuview.py: under the QEMU binary and its data folders); make
# check asks the same questions and reads them from there
QEMU_CACHE := $(O)/cache/qemu
.PHONY: qemu-view
qemu-view: $(O)/bin/romsize $(REF_ROOT).stamp $(REF13_ROOT).stamp $(FW)/SHA256SUMS ## QEMU's RAM blocks: pkg/romdevs.conf holds, Debian 12 and 13 -> out/firmware change none
	$(call say,QEMU,romfile table; RAM blocks of Debian 12 and 13 -> $(FW) on every machine type)
	$(Q)FWSLOT_QEMU_CACHE=$(QEMU_CACHE) pkg/logged.sh $(LOG)/qemu-view.log bash -c '\
		python3 tests/qemu/romdevs.py --check pkg/romdevs.conf && \
		python3 tests/upgrade/matrix.py --romsize $(O)/bin/romsize --json $(O)/qemu-view.json \
			"deb12-to-ours=$(REF_ROOT):$(FW):same" "deb13-to-ours=$(REF13_ROOT):$(FW):same"'
	@echo "  OK      QEMU: romfile table ($$(sed -n 's/^romdevs: \([0-9]*\) rows agree.*/\1/p' $(LOG)/qemu-view.log) rows agree);" \
		"$$(grep -c '^ok ' $(LOG)/qemu-view.log) upgrades, no RAM block differs ($(LOG)/qemu-view.log)"

firmware-bios: $(BIOS_IMAGES) $(VGA_IMAGES) ## only the SeaBIOS and SeaVGABIOS images
firmware-ipxe: $(IPXE_IMAGES) ## only the iPXE ROMs
firmware-ovmf: $(filter $(FW)/usr/share/OVMF/% $(FW)/usr/share/ovmf/%,$(FIRMWARE)) ## only OVMF

.PHONY: romdevs
romdevs: ## regenerate pkg/romdevs.conf from the installed QEMU (qom-get romfile of every PCI device)
	$(Q)python3 tests/qemu/romdevs.py --write pkg/romdevs.conf
