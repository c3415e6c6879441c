# SPDX-License-Identifier: MIT
# The firmware set: sources and the shared slot gate; pkg/firmware-tree.mk lays
# out out/firmware like the installed system.
FW := $(O)/firmware
LOG := $(O)/log
FIRMWARE :=
# The one list of images: pkg/slots.conf. The recipes take their image names
# from it by family, so a new VGA ROM is one manifest line plus its config.
# $(call slot_names,REGEX): the manifest names matching an awk regex
slot_names = $(shell awk -v re='$(1)' '$$1 ~ re { print $$1 }' pkg/slots.conf)

GATE := pkg/gate.sh $(O)/bin/romsize pkg/slots.conf
GATE_DEPS := pkg/gate.sh $(O)/bin/romsize pkg/slots.conf

.PHONY: FORCE
FORCE:

# a pinned Debian source package, verified and unpacked (the only step that
# touches the network; the stamp changes only when the package's pins change,
# so it depends on the pins alone: a change to how files are downloaded, or
# to another package's pins, must not rebuild the firmware, nor show a
# rebuild under make -n). Each package's lines of pkg/sources.lock, and the
# sums of the project's patches for it (pkg/patches/NAME), are copied to
# $(O)/pins/NAME when make reads this file, and only when they differ.
SRC_PKGS := $(sort $(shell awk '!/^\#/ && NF { sub(/-upstream$$/, "", $$1); print $$1 }' pkg/sources.lock))
$(foreach p,$(SRC_PKGS),$(shell mkdir -p $(O)/pins && \
	{ awk -v p=$(p) '$$1 == p || $$1 == p "-upstream"' pkg/sources.lock && \
	  { [ ! -d pkg/patches/$(p) ] || sha256sum pkg/patches/$(p)/*; }; } > $(O)/pins/$(p).new && \
	{ cmp -s $(O)/pins/$(p).new $(O)/pins/$(p) && rm -f $(O)/pins/$(p).new || mv $(O)/pins/$(p).new $(O)/pins/$(p); }))
$(O)/src/%.stamp: $(O)/pins/%
	$(Q)pkg/fetch-src.sh pkg/sources.lock $* $(O)/src

fetch-sources: $(O)/src/seabios.stamp $(O)/src/edk2.stamp ## download and verify the pinned SeaBIOS and EDK2 sources
.PHONY: fetch-sources

