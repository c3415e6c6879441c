# SPDX-License-Identifier: MIT
# make install / uninstall: the tools, their man pages and the firmware set
# in Debian's paths, all under $(DESTDIR).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
LIBDIR ?= $(PREFIX)/lib
INSTALL ?= install
MANPAGES := doc/romsize.1 doc/fdsplit.1
DESCRIPTORS := $(sort $(wildcard pkg/descriptors/*.json))

# what goes where, relative to out/firmware/usr
FW_SEABIOS := $(notdir $(BIOS_IMAGES) $(VGA_IMAGES))
FW_IPXE := $(notdir $(IPXE_IMAGES))
FW_IPXE_LINKS := $(notdir $(IPXE_LINKS))
FW_OVMF := $(notdir $(filter-out $(OVMF_LINKS),$(filter $(OVMF_DIR)/%,$(FIRMWARE))))
FW_OVMF_LINKS := $(notdir $(OVMF_LINKS))
FW_OVMF_KEYS := $(notdir $(OVMF_KEYS))

.PHONY: install uninstall
install: $(TOOLS) $(FW)/SHA256SUMS ## install tools, man pages and firmware (DESTDIR, PREFIX, BINDIR, MANDIR)
	$(call say,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/seabios \
		$(DESTDIR)$(LIBDIR)/ipxe/qemu $(DESTDIR)$(DATADIR)/OVMF $(DESTDIR)$(DATADIR)/ovmf \
		$(DESTDIR)$(DATADIR)/qemu/firmware
	$(Q)$(INSTALL) -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	$(Q)$(INSTALL) -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/seabios/,$(FW_SEABIOS) acpi-dsdt.aml) $(DESTDIR)$(DATADIR)/seabios/
	$(Q)ln -sfn vgabios-isavga.bin $(DESTDIR)$(DATADIR)/seabios/vgabios.bin
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/lib/ipxe/qemu/,$(FW_IPXE)) $(DESTDIR)$(LIBDIR)/ipxe/qemu/
	$(Q)for l in $(FW_IPXE_LINKS); do ln -sfn $$(readlink $(FW)/usr/lib/ipxe/$$l) $(DESTDIR)$(LIBDIR)/ipxe/$$l || exit 1; done
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/OVMF/,$(FW_OVMF)) $(DESTDIR)$(DATADIR)/OVMF/
	$(Q)for l in $(FW_OVMF_LINKS); do ln -sfn $$(readlink $(OVMF_DIR)/$$l) $(DESTDIR)$(DATADIR)/OVMF/$$l || exit 1; done
	$(Q)$(INSTALL) -m 644 $(FW)/usr/share/ovmf/OVMF.fd $(DESTDIR)$(DATADIR)/ovmf/
	$(Q)ln -sfn ../ovmf/OVMF.fd $(DESTDIR)$(DATADIR)/qemu/OVMF.fd
	$(Q)$(INSTALL) -m 644 $(addprefix $(FW)/usr/share/ovmf/,$(FW_OVMF_KEYS)) $(DESTDIR)$(DATADIR)/ovmf/
	$(Q)for d in $(DESCRIPTORS); do \
		sed -e 's|"/usr/share/|"$(DATADIR)/|' -e 's|"/usr/lib/|"$(LIBDIR)/|' $$d \
			> $(DESTDIR)$(DATADIR)/qemu/firmware/$${d##*/} && \
		chmod 644 $(DESTDIR)$(DATADIR)/qemu/firmware/$${d##*/} || exit 1; done

uninstall: ## remove what make install put under DESTDIR/PREFIX
	$(call say,REMOVE,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES))) \
		$(addprefix $(DESTDIR)$(DATADIR)/seabios/,$(FW_SEABIOS) vgabios.bin acpi-dsdt.aml) \
		$(addprefix $(DESTDIR)$(LIBDIR)/ipxe/qemu/,$(FW_IPXE)) $(addprefix $(DESTDIR)$(LIBDIR)/ipxe/,$(FW_IPXE_LINKS)) \
		$(DESTDIR)$(DATADIR)/qemu/OVMF.fd \
		$(addprefix $(DESTDIR)$(DATADIR)/OVMF/,$(FW_OVMF) $(FW_OVMF_LINKS)) $(DESTDIR)$(DATADIR)/ovmf/OVMF.fd \
		$(addprefix $(DESTDIR)$(DATADIR)/ovmf/,$(FW_OVMF_KEYS)) \
		$(addprefix $(DESTDIR)$(DATADIR)/qemu/firmware/,$(notdir $(DESCRIPTORS)))
	$(Q)for d in $(DATADIR)/qemu/firmware $(DATADIR)/qemu $(DATADIR)/seabios $(LIBDIR)/ipxe/qemu \
		$(LIBDIR)/ipxe $(DATADIR)/OVMF $(DATADIR)/ovmf; do rmdir $(DESTDIR)$$d 2>/dev/null || true; done

DEB_VERSION ?= 0.1
.PHONY: deb
deb: ## build fwslot-tools and fwslot-firmware .debs into out/deb (dpkg-deb)
	$(Q)rm -rf $(O)/deb && mkdir -p $(O)/deb
	$(Q)$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(O))/deb/root PREFIX=/usr
	$(call say,DEB,$(O)/deb)
	$(Q)pkg/mkdeb.sh $(O)/deb/root $(O)/deb $(DEB_VERSION)
