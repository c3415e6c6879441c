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
# so it depends on the pins alone: a change to how files are downloaded must
# not rebuild the firmware, nor show a rebuild under make -n)
$(O)/src/%.stamp: pkg/sources.lock
	$(Q)pkg/fetch-src.sh pkg/sources.lock $* $(O)/src

fetch-sources: $(O)/src/seabios.stamp $(O)/src/edk2.stamp ## download and verify the pinned SeaBIOS and EDK2 sources
.PHONY: fetch-sources

