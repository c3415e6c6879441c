# SPDX-License-Identifier: MIT
# The Debian reference set: fetched at pinned versions, padded to the slot
# manifest, gated with romsize. Until the firmware recipes exist this is what
# `make` gates.
REF := $(O)/ref
REF_ROOT := $(REF)/root
REF_DIRS := usr/share/seabios usr/lib/ipxe/qemu usr/share/OVMF usr/share/ovmf

# Debian 13 (trixie): the next release, which the tools must read (tests only)
REF13_ROOT := $(REF)/deb13/root
# Debian sid: the Secure Boot keys our .ms templates take (ovmf-split/build.mk)
REFSID_ROOT := $(REF)/sid/root

.PHONY: reference fetch-reference
fetch-reference: $(REF_ROOT).stamp $(REF13_ROOT).stamp $(REFSID_ROOT).stamp ## download and verify the pinned Debian 12, 13 and sid firmware packages

# the stamps depend on the pins alone (see $(O)/src/%.stamp)
$(REF_ROOT).stamp: pkg/reference.lock
	$(Q)pkg/fetch-debs.sh pkg/reference.lock $(REF)/debs $(REF_ROOT)
$(REF13_ROOT).stamp: pkg/reference.lock | $(REF_ROOT).stamp
	$(Q)pkg/fetch-debs.sh pkg/reference.lock $(REF)/deb13/debs $(REF13_ROOT) trixie
$(REFSID_ROOT).stamp: pkg/reference.lock | $(REF13_ROOT).stamp
	$(Q)pkg/fetch-debs.sh pkg/reference.lock $(REF)/sid/debs $(REFSID_ROOT) sid

# peer tools the tests compare with (pkg/peers.lock), through sid's apt lists above
PEERS_ROOT := $(O)/peers/root
$(PEERS_ROOT).stamp: pkg/peers.lock | $(REFSID_ROOT).stamp
	$(Q)pkg/fetch-debs.sh pkg/peers.lock $(REF)/sid/debs $(PEERS_ROOT) sid && touch $@

# pad every non-flash image to its slot (flash images are copied: never padded)
$(REF)/padded.stamp: $(REF_ROOT).stamp $(O)/bin/romsize pkg/slots.conf
	$(call say,PAD,$(REF)/padded)
	$(Q)rm -rf $(REF)/padded && for d in $(REF_DIRS); do \
		mkdir -p $(REF)/padded/$$d; \
		for f in $(REF_ROOT)/$$d/*; do \
			case $$f in *.bin|*.rom) $(O)/bin/romsize pad -o $(REF)/padded/$$d $$f || exit 1;; \
			*.fd) cp -L $$f $(REF)/padded/$$d/;; esac; \
		done; done && touch $@

OVMF_PAIRS := OVMF_VARS.fd:OVMF_CODE.fd OVMF_VARS.ms.fd:OVMF_CODE.secboot.fd \
	OVMF_VARS_4M.fd:OVMF_CODE_4M.fd OVMF_VARS_4M.ms.fd:OVMF_CODE_4M.secboot.fd \
	OVMF_VARS_4M.snakeoil.fd:OVMF_CODE_4M.snakeoil.fd

reference: $(REF)/padded.stamp $(O)/bin/fdsplit ## gate the padded reference set against pkg/slots.conf
	$(call say,CHECK,$(REF)/padded)
	$(Q)$(O)/bin/romsize check --padded --require-all --min-free 2K $(addprefix $(REF)/padded/,$(REF_DIRS)) > $(REF)/check.txt \
		|| { cat $(REF)/check.txt; exit 1; }
	@echo "  OK      $$(grep -c ': ok' $(REF)/check.txt) images at their slots ($(REF)/check.txt)"
	$(call say,SPLIT,$(REF)/split)
	$(Q)mkdir -p $(REF)/split && $(O)/bin/fdsplit split $(REF)/padded/usr/share/ovmf/OVMF.fd \
		--code $(REF)/split/OVMF_CODE.fd --vars $(REF)/split/OVMF_VARS.fd && \
		cat $(REF)/split/OVMF_VARS.fd $(REF)/split/OVMF_CODE.fd | cmp - $(REF)/padded/usr/share/ovmf/OVMF.fd && \
		cmp $(REF)/split/OVMF_CODE.fd $(REF)/padded/usr/share/OVMF/OVMF_CODE.fd
	$(Q)for p in $(OVMF_PAIRS); do \
		$(O)/bin/fdsplit check $(REF)/padded/usr/share/OVMF/$${p%%:*} \
			--code $(REF)/padded/usr/share/OVMF/$${p##*:} >> $(REF)/check.txt || exit 1; done
	@echo "  OK      $(words $(OVMF_PAIRS)) OVMF VARS/CODE pairs agree; OVMF.fd splits into Debian's files"
