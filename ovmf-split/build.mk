# SPDX-License-Identifier: MIT
# ovmf-split/: EDK2 OVMF X64 in the 2M and 4M layouts and a 4M Secure Boot +
# SMM build, each split by fdsplit into Debian's CODE/VARS file names.
ifeq ($(strip $(EDK2_SRC)),)
EDK2_TREE := $(O)/src/edk2
EDK2_DEP := $(O)/src/edk2.stamp
else
# a tree of the user's own: EDK2's build decides what to rebuild (~1 min)
EDK2_TREE := $(abspath $(EDK2_SRC))
EDK2_DEP := FORCE
endif
# EDK2 sees every build through this fixed path (a symlink to out/edk2-ws/NAME):
# the image bytes depend on it (see ovmf-split/build-ovmf.sh). Empty: build in
# out/edk2-ws/NAME's own path.
EDK2_FIXED_WS ?= /var/tmp/fwslot-edk2
OVMF_VARIANTS := 2m 4m 4m-secboot
OVMF_DIR := $(FW)/usr/share/OVMF
OVMF_BUILD := ovmf-split/build-ovmf.sh pkg/logged.sh
OVMF_SPLIT := ovmf-split/split-ovmf.sh $(O)/bin/fdsplit $(O)/bin/romsize pkg/slots.conf
SPLIT = ovmf-split/split-ovmf.sh $(O)/bin pkg/slots.conf
REF_OVMF := $(REF_ROOT)/usr/share/OVMF

$(O)/ovmf/basetools.stamp: $(EDK2_DEP)
	$(call say,EDK2,BaseTools (log $(LOG)/edk2-basetools.log))
	$(Q)pkg/logged.sh $(LOG)/edk2-basetools.log env -u MAKEFLAGS -u MFLAGS make -C $(EDK2_TREE)/BaseTools
	$(Q)mkdir -p $(@D) && touch $@

# the bytes depend on EDK2_FIXED_WS: a new value rebuilds OVMF. The file is
# rewritten (when make reads this) only when the value differs from the one
# it holds, so an unchanged value rebuilds nothing, also under make -n.
OVMF_FIXED_WS_FILE := $(O)/ovmf/fixed-ws.txt
ifneq ($(wildcard $(OVMF_FIXED_WS_FILE)):$(file <$(OVMF_FIXED_WS_FILE)),$(OVMF_FIXED_WS_FILE):$(EDK2_FIXED_WS))
$(shell mkdir -p $(O)/ovmf && printf '%s\n' '$(EDK2_FIXED_WS)' > $(OVMF_FIXED_WS_FILE))
endif
$(OVMF_FIXED_WS_FILE): ;

$(O)/ovmf/%/OVMF.fd: ovmf-split/%.flags $(O)/ovmf/basetools.stamp $(OVMF_FIXED_WS_FILE) $(OVMF_BUILD)
	$(call say,OVMF,$* (EDK2 build, some minutes; log $(LOG)/ovmf-$*.log))
	$(Q)EDK2_FIXED_WS=$(EDK2_FIXED_WS) pkg/logged.sh $(LOG)/ovmf-$*.log ovmf-split/build-ovmf.sh $(EDK2_TREE) \
		$(abspath $(O))/edk2-ws/$* $< $(@D)

$(OVMF_DIR)/OVMF_CODE.fd $(OVMF_DIR)/OVMF_VARS.fd &: $(O)/ovmf/2m/OVMF.fd $(OVMF_SPLIT) $(REF_ROOT).stamp
	$(call say,SPLIT,OVMF 2M: OVMF_CODE.fd OVMF_VARS.fd)
	$(Q)$(SPLIT) $(<D) $(OVMF_DIR)/OVMF_CODE.fd $(OVMF_DIR)/OVMF_VARS.fd \
		--old $(REF_OVMF)/OVMF_VARS.fd --old $(REF_OVMF)/OVMF_VARS.ms.fd

$(OVMF_DIR)/OVMF_CODE_4M.fd $(OVMF_DIR)/OVMF_VARS_4M.fd &: $(O)/ovmf/4m/OVMF.fd $(OVMF_SPLIT) $(REF_ROOT).stamp
	$(call say,SPLIT,OVMF 4M: OVMF_CODE_4M.fd OVMF_VARS_4M.fd)
	$(Q)$(SPLIT) $(<D) $(OVMF_DIR)/OVMF_CODE_4M.fd $(OVMF_DIR)/OVMF_VARS_4M.fd \
		--old $(REF_OVMF)/OVMF_VARS_4M.fd --old $(REF_OVMF)/OVMF_VARS_4M.ms.fd \
		--old $(REF_OVMF)/OVMF_VARS_4M.snakeoil.fd

$(OVMF_DIR)/OVMF_CODE_4M.secboot.fd: $(O)/ovmf/4m-secboot/OVMF.fd $(OVMF_DIR)/OVMF_VARS_4M.fd $(OVMF_SPLIT) $(REF_ROOT).stamp
	$(call say,SPLIT,OVMF 4M Secure Boot: OVMF_CODE_4M.secboot.fd)
	$(Q)$(SPLIT) $(<D) $@ - --same-layout $(OVMF_DIR)/OVMF_VARS_4M.fd \
		--old $(REF_OVMF)/OVMF_VARS_4M.ms.fd --old $(REF_OVMF)/OVMF_VARS_4M.snakeoil.fd

# Debian ships the unified 2M image too
$(FW)/usr/share/ovmf/OVMF.fd: $(OVMF_DIR)/OVMF_CODE.fd $(OVMF_DIR)/OVMF_VARS.fd
	$(Q)mkdir -p $(@D) && cat $(OVMF_DIR)/OVMF_VARS.fd $(OVMF_DIR)/OVMF_CODE.fd > $@.tmp && mv $@.tmp $@

FIRMWARE += $(addprefix $(OVMF_DIR)/,OVMF_CODE.fd OVMF_VARS.fd OVMF_CODE_4M.fd OVMF_VARS_4M.fd \
	OVMF_CODE_4M.secboot.fd) $(FW)/usr/share/ovmf/OVMF.fd
