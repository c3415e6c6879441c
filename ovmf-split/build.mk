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
# appended to the source package's version in the firmware version string a
# guest reads (SMBIOS type 0: 2025.02-8+deb13u1+fwslot), as SeaBIOS and iPXE
# carry -fwslot and +fwslot
EDK2_EXTRAVERSION ?= +fwslot
OVMF_VARIANTS := 2m 4m 4m-secboot 2m-secboot
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
	$(Q)EDK2_FIXED_WS=$(EDK2_FIXED_WS) EDK2_EXTRAVERSION='$(EDK2_EXTRAVERSION)' pkg/logged.sh $(LOG)/ovmf-$*.log ovmf-split/build-ovmf.sh $(EDK2_TREE) \
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

$(OVMF_DIR)/OVMF_CODE.secboot.fd: $(O)/ovmf/2m-secboot/OVMF.fd $(OVMF_DIR)/OVMF_VARS.fd $(OVMF_SPLIT) $(REF_ROOT).stamp
	$(call say,SPLIT,OVMF 2M Secure Boot: OVMF_CODE.secboot.fd)
	$(Q)$(SPLIT) $(<D) $@ - --same-layout $(OVMF_DIR)/OVMF_VARS.fd --old $(REF_OVMF)/OVMF_VARS.ms.fd

# Pre-enrolled Secure Boot varstores, made as Debian makes them: the firmware
# itself runs EnrollDefaultKeys.efi under QEMU (ovmf-split/enroll.sh) with the
# PK/KEK1 certificate Debian's source package carries; each must then fit the
# Secure Boot CODE VMs use it with and keep the template's layout.
# As Debian 13 makes them: the Secure Boot (SMM) CODE enrolls, booting the
# UEFI Shell of the 4m build (the Secure Boot builds have none) from a disk;
# EnrollDefaultKeys.efi comes from a Secure Boot build (2025.02 builds it
# only there).
ENROLL_TOOLS := $(O)/ovmf/4m/Shell.efi $(O)/ovmf/4m-secboot/EnrollDefaultKeys.efi
$(O)/ovmf/4m/Shell.efi: $(O)/ovmf/4m/OVMF.fd
	$(Q)cp $(abspath $(O))/edk2-ws/4m/Build/OvmfX64/RELEASE_GCC5/X64/Shell.efi $@.tmp && mv $@.tmp $@
$(O)/ovmf/4m-secboot/EnrollDefaultKeys.efi: $(O)/ovmf/4m-secboot/OVMF.fd
	$(Q)cp $(abspath $(O))/edk2-ws/4m-secboot/Build/Ovmf3264/RELEASE_GCC5/X64/EnrollDefaultKeys.efi $@.tmp && mv $@.tmp $@
# $(call ENROLL,CODE,TEMPLATE,CERT,OUT[,--no-default]): CODE enrolls a copy of
# TEMPLATE with debian/PkKek-1-CERT.pem into OUT, which must fit CODE and
# keep TEMPLATE's layout
ENROLL = ovmf-split/enroll.sh $(1) $(2) $(ENROLL_TOOLS) $(EDK2_TREE)/debian/PkKek-1-$(3).pem $(4) --smm $(5) && \
	$(O)/bin/fdsplit check $(4) --code $(1) --template $(2) >/dev/null
ENROLL_DEPS := ovmf-split/enroll.sh $(ENROLL_TOOLS) $(EDK2_DEP) $(O)/bin/fdsplit
# The Microsoft-enrolled stores then take today's keys: the PK, KEK, db and dbx
# records of Debian sid's OVMF_VARS_4M.ms.fd (the 2011 and 2023 Microsoft KEK
# and UEFI CAs, sid's dbx; PK is Debian's PkKek-1 there too), copied exactly by
# fdsplit migrate into the store the firmware enrolled (which keeps its other
# variables), and checked again against the CODE and the template's layout.
# $(call ENROLL_MS,CODE,TEMPLATE)
MS_KEYS := $(REFSID_ROOT)/usr/share/OVMF/OVMF_VARS_4M.ms.fd
ENROLL_MS = $(call ENROLL,$(1),$(2),Debian,$@.enrolled.tmp) && \
	$(O)/bin/fdsplit migrate $(MS_KEYS) --template $@.enrolled.tmp --code $(1) -o $@.tmp >/dev/null && rm $@.enrolled.tmp && \
	$(O)/bin/fdsplit check $@.tmp --code $(1) --template $(2) >/dev/null && mv $@.tmp $@

$(OVMF_DIR)/OVMF_VARS_4M.ms.fd: $(OVMF_DIR)/OVMF_VARS_4M.fd $(OVMF_DIR)/OVMF_CODE_4M.secboot.fd $(ENROLL_DEPS) $(REFSID_ROOT).stamp
	$(call say,ENROLL,$@ (Debian PK/KEK1; then the PK, KEK, db, dbx of Debian sid: Microsoft 2011 + 2023))
	$(Q)$(call ENROLL_MS,$(OVMF_DIR)/OVMF_CODE_4M.secboot.fd,$(OVMF_DIR)/OVMF_VARS_4M.fd)
$(OVMF_DIR)/OVMF_VARS_4M.snakeoil.fd: $(OVMF_DIR)/OVMF_VARS_4M.fd $(OVMF_DIR)/OVMF_CODE_4M.secboot.fd $(ENROLL_DEPS)
	$(call say,ENROLL,$@ (snakeoil PK/KEK1 only))
	$(Q)$(call ENROLL,$(OVMF_DIR)/OVMF_CODE_4M.secboot.fd,$(OVMF_DIR)/OVMF_VARS_4M.fd,snakeoil,$@.tmp,--no-default) && mv $@.tmp $@
$(OVMF_DIR)/OVMF_VARS.ms.fd: $(OVMF_DIR)/OVMF_VARS.fd $(OVMF_DIR)/OVMF_CODE.secboot.fd $(ENROLL_DEPS) $(REFSID_ROOT).stamp
	$(call say,ENROLL,$@ (Debian PK/KEK1; then the PK, KEK, db, dbx of Debian sid: Microsoft 2011 + 2023))
	$(Q)$(call ENROLL_MS,$(OVMF_DIR)/OVMF_CODE.secboot.fd,$(OVMF_DIR)/OVMF_VARS.fd)

# the CODE names VMs reference that Debian ships as links to the Secure Boot build
OVMF_LINKS := $(OVMF_DIR)/OVMF_CODE.ms.fd $(OVMF_DIR)/OVMF_CODE_4M.ms.fd $(OVMF_DIR)/OVMF_CODE_4M.snakeoil.fd
$(OVMF_DIR)/OVMF_CODE.ms.fd: $(OVMF_DIR)/OVMF_CODE.secboot.fd
	$(Q)ln -sfn OVMF_CODE.secboot.fd $@
$(OVMF_DIR)/OVMF_CODE_4M.ms.fd $(OVMF_DIR)/OVMF_CODE_4M.snakeoil.fd: $(OVMF_DIR)/OVMF_CODE_4M.secboot.fd
	$(Q)ln -sfn OVMF_CODE_4M.secboot.fd $@

# the snakeoil key pair, as Debian ships it, to sign test binaries for the .snakeoil store
OVMF_KEYS := $(FW)/usr/share/ovmf/PkKek-1-snakeoil.key $(FW)/usr/share/ovmf/PkKek-1-snakeoil.pem
$(OVMF_KEYS): $(FW)/usr/share/ovmf/%: $(EDK2_DEP)
	$(Q)mkdir -p $(@D) && cp $(EDK2_TREE)/debian/$* $@.tmp && mv $@.tmp $@

# Debian ships the unified 2M image too
$(FW)/usr/share/ovmf/OVMF.fd: $(OVMF_DIR)/OVMF_CODE.fd $(OVMF_DIR)/OVMF_VARS.fd
	$(Q)mkdir -p $(@D) && cat $(OVMF_DIR)/OVMF_VARS.fd $(OVMF_DIR)/OVMF_CODE.fd > $@.tmp && mv $@.tmp $@

FIRMWARE += $(addprefix $(OVMF_DIR)/,OVMF_CODE.fd OVMF_VARS.fd OVMF_CODE_4M.fd OVMF_VARS_4M.fd \
	OVMF_CODE_4M.secboot.fd OVMF_CODE.secboot.fd OVMF_VARS_4M.ms.fd OVMF_VARS_4M.snakeoil.fd OVMF_VARS.ms.fd) \
	$(OVMF_LINKS) $(OVMF_KEYS) $(FW)/usr/share/ovmf/OVMF.fd
