# SPDX-License-Identifier: MIT
# The firmware set: sources and the shared slot gate; pkg/firmware-tree.mk lays
# out out/firmware like the installed system.
FW := $(O)/firmware
LOG := $(O)/log
FIRMWARE :=
GATE := pkg/gate.sh $(O)/bin/romsize pkg/slots.conf
GATE_DEPS := pkg/gate.sh $(O)/bin/romsize pkg/slots.conf

.PHONY: FORCE
FORCE:

# a pinned Debian source package, verified and unpacked (the only step that
# touches the network; the stamp changes only when the package's pins change)
$(O)/src/%.stamp: pkg/sources.lock pkg/fetch-src.sh pkg/apt-src.sh
	$(Q)pkg/fetch-src.sh pkg/sources.lock $* $(O)/src

fetch-sources: $(O)/src/seabios.stamp $(O)/src/edk2.stamp ## download and verify the pinned SeaBIOS and EDK2 sources
.PHONY: fetch-sources

