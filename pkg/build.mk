# SPDX-License-Identifier: MIT
# The Debian reference set: fetched at pinned versions, padded to the slot
# manifest, gated with romsize. Until the firmware recipes exist this is what
# `make` gates.
REF := $(O)/ref
REF_ROOT := $(REF)/root
REF_DIRS := usr/share/seabios usr/lib/ipxe/qemu usr/share/OVMF usr/share/ovmf

.PHONY: reference fetch-reference
fetch-reference: $(REF_ROOT).stamp ## download and verify the pinned Debian firmware packages

$(REF_ROOT).stamp: pkg/reference.lock pkg/fetch-debs.sh
	$(Q)pkg/fetch-debs.sh pkg/reference.lock $(REF)/debs $(REF_ROOT)

# pad every non-flash image to its slot (flash images are copied: never padded)
$(REF)/padded.stamp: $(REF_ROOT).stamp $(O)/bin/romsize pkg/slots.conf
	$(call say,PAD,$(REF)/padded)
	$(Q)rm -rf $(REF)/padded && for d in $(REF_DIRS); do \
		mkdir -p $(REF)/padded/$$d; \
		for f in $(REF_ROOT)/$$d/*; do \
			case $$f in *.bin|*.rom) $(O)/bin/romsize pad -o $(REF)/padded/$$d $$f || exit 1;; \
			*.fd) cp -L $$f $(REF)/padded/$$d/;; esac; \
		done; done && touch $@

reference: $(REF)/padded.stamp ## gate the padded reference set against pkg/slots.conf
	$(call say,CHECK,$(REF)/padded)
	$(Q)$(O)/bin/romsize check --require-all --min-free 2K $(addprefix $(REF)/padded/,$(REF_DIRS)) > $(REF)/check.txt \
		|| { cat $(REF)/check.txt; exit 1; }
	@echo "  OK      $$(grep -c ': ok' $(REF)/check.txt) images at their slots ($(REF)/check.txt)"
