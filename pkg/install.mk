# SPDX-License-Identifier: MIT
# make install / uninstall: the tools, their man pages and the firmware set
# in Debian's paths, all under $(DESTDIR). Neither writes or deletes a file
# a Debian package owns (pkg/install-guard.sh) unless FORCE=1.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
LIBDIR ?= $(PREFIX)/lib
INSTALL ?= install
MANPAGES := doc/romsize.1 doc/fdsplit.1 doc/fwslot-host-check.1
# scripts installed beside the tools
SCRIPTS := pkg/fwslot-host-check
DESCRIPTORS := $(sort $(wildcard pkg/descriptors/*.json))

# what goes where, relative to out/firmware/usr
FW_SEABIOS := $(notdir $(BIOS_IMAGES) $(VGA_IMAGES))
FW_IPXE := $(notdir $(IPXE_IMAGES))
FW_IPXE_LINKS := $(notdir $(IPXE_LINKS))
FW_OVMF := $(notdir $(filter-out $(OVMF_LINKS),$(filter $(OVMF_DIR)/%,$(FIRMWARE))))
FW_OVMF_LINKS := $(notdir $(OVMF_LINKS))
FW_OVMF_KEYS := $(notdir $(OVMF_KEYS))

# QEMU and libvirt find firmware under /usr (Debian's paths). Under another
# PREFIX, libvirt still finds our OVMF: the descriptors then go to
# SYSCONFDIR/qemu/firmware (read before /usr/share/qemu/firmware), and
# DATADIR/qemu holds the -L folder for SeaBIOS and the ROMs.
SYSCONFDIR ?= /etc
DESCRIPTOR_DIR := $(if $(filter /usr,$(PREFIX)),$(DATADIR)/qemu/firmware,$(SYSCONFDIR)/qemu/firmware)
# DATADIR/qemu: OVMF.fd as Debian's ovmf has it; elsewhere than /usr, every
# default file name too, as out/firmware/usr/share/qemu (-L DATADIR/qemu)
FW_QEMU_LINKS := $(if $(filter /usr,$(PREFIX)),OVMF.fd,$(sort $(notdir $(QEMU_LINKS))))
# every path install writes and uninstall deletes (pkg/install-guard.sh checks them)
INSTALLED = $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS) $(SCRIPTS))) \
	$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES))) \
	$(addprefix $(DESTDIR)$(DATADIR)/seabios/,$(FW_SEABIOS) vgabios.bin acpi-dsdt.aml) \
	$(addprefix $(DESTDIR)$(LIBDIR)/ipxe/qemu/,$(FW_IPXE)) $(addprefix $(DESTDIR)$(LIBDIR)/ipxe/,$(FW_IPXE_LINKS)) \
	$(addprefix $(DESTDIR)$(DATADIR)/qemu/,$(FW_QEMU_LINKS)) \
	$(addprefix $(DESTDIR)$(DATADIR)/OVMF/,$(FW_OVMF) $(FW_OVMF_LINKS)) $(DESTDIR)$(DATADIR)/ovmf/OVMF.fd \
	$(addprefix $(DESTDIR)$(DATADIR)/ovmf/,$(FW_OVMF_KEYS)) \
	$(addprefix $(DESTDIR)$(DESCRIPTOR_DIR)/,$(notdir $(DESCRIPTORS)))
GUARD := DESTDIR='$(DESTDIR)' FORCE='$(FORCE)' pkg/install-guard.sh

.PHONY: install uninstall
install: $(TOOLS) $(FW)/SHA256SUMS ## install tools, man pages and firmware (DESTDIR, PREFIX=/usr/local, FORCE=1 over dpkg's files)
	$(Q)$(GUARD) install $(INSTALLED)
	$(call say,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/seabios \
		$(DESTDIR)$(LIBDIR)/ipxe/qemu $(DESTDIR)$(DATADIR)/OVMF $(DESTDIR)$(DATADIR)/ovmf \
		$(DESTDIR)$(DATADIR)/qemu $(DESTDIR)$(DESCRIPTOR_DIR)
	$(Q)$(INSTALL) -m 755 $(TOOLS) $(SCRIPTS) $(DESTDIR)$(BINDIR)/
	$(Q)$(INSTALL) -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/seabios/,$(FW_SEABIOS) acpi-dsdt.aml) $(DESTDIR)$(DATADIR)/seabios/
	$(Q)ln -sfn vgabios-isavga.bin $(DESTDIR)$(DATADIR)/seabios/vgabios.bin
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/lib/ipxe/qemu/,$(FW_IPXE)) $(DESTDIR)$(LIBDIR)/ipxe/qemu/
	$(Q)for l in $(FW_IPXE_LINKS); do ln -sfn $$(readlink $(FW)/usr/lib/ipxe/$$l) $(DESTDIR)$(LIBDIR)/ipxe/$$l || exit 1; done
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/OVMF/,$(FW_OVMF)) $(DESTDIR)$(DATADIR)/OVMF/
	$(Q)for l in $(FW_OVMF_LINKS); do ln -sfn $$(readlink $(OVMF_DIR)/$$l) $(DESTDIR)$(DATADIR)/OVMF/$$l || exit 1; done
	$(Q)$(INSTALL) -m 644 $(FW)/usr/share/ovmf/OVMF.fd $(DESTDIR)$(DATADIR)/ovmf/
	$(Q)for l in $(FW_QEMU_LINKS); do ln -sfn $$(readlink $(FW)/usr/share/qemu/$$l) $(DESTDIR)$(DATADIR)/qemu/$$l || exit 1; done
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/ovmf/,$(FW_OVMF_KEYS)) $(DESTDIR)$(DATADIR)/ovmf/
	$(Q)for d in $(DESCRIPTORS); do \
		sed -e 's|"/usr/share/|"$(DATADIR)/|' -e 's|"/usr/lib/|"$(LIBDIR)/|' $$d \
			> $(DESTDIR)$(DESCRIPTOR_DIR)/$${d##*/} && \
		chmod 644 $(DESTDIR)$(DESCRIPTOR_DIR)/$${d##*/} || exit 1; done
	$(Q)[ "$(PREFIX)" = /usr ] || echo "  NOTE    PREFIX=$(PREFIX): libvirt finds OVMF through $(DESTDIR)$(DESCRIPTOR_DIR); QEMU finds SeaBIOS and the ROMs there only with -L $(DATADIR)/qemu" >&2

uninstall: ## remove what make install put under DESTDIR/PREFIX (never dpkg's files, unless FORCE=1)
	$(Q)$(GUARD) uninstall $(INSTALLED)
	$(call say,REMOVE,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(INSTALLED)
	$(Q)for d in $(DESCRIPTOR_DIR) $(DATADIR)/qemu $(DATADIR)/seabios $(LIBDIR)/ipxe/qemu \
		$(LIBDIR)/ipxe $(DATADIR)/OVMF $(DATADIR)/ovmf; do rmdir $(DESTDIR)$$d 2>/dev/null || true; done

DEB_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
.PHONY: deb
deb: $(TOOLS) $(FW)/SHA256SUMS ## build fwslot-tools and fwslot-firmware .debs into out/deb (dpkg-buildpackage on debian/)
	$(Q)pkg/deps.sh deb
	$(Q)rm -rf $(O)/deb $(O)/debsrc && mkdir -p $(O)/deb $(O)/debsrc/fwslot
	$(Q)cp -a debian $(O)/debsrc/fwslot/
	$(call say,DEB,$(O)/deb (dpkg-buildpackage -b; log $(LOG)/deb.log))
	$(Q)cd $(O)/debsrc/fwslot && FWSLOT_TOP=$(CURDIR) FWSLOT_O=$(abspath $(O)) \
		$(CURDIR)/pkg/logged.sh $(abspath $(LOG))/deb.log dpkg-buildpackage -b -uc -us
	$(Q)cp $(O)/debsrc/fwslot-tools_$(DEB_VERSION)_*.deb $(O)/debsrc/fwslot-firmware_$(DEB_VERSION)_all.deb $(O)/deb/
	$(Q)ls $(O)/deb/*.deb
