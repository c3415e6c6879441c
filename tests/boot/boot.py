#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot tests: every image of a set boots in QEMU.

Sets: Debian's reference images as shipped (always), the same padded to their
slots (a padded image must behave exactly like the unpadded one), and
out/firmware when `make` has built it. Each image is offered to QEMU under its
default file name in a -L folder of its own, so QEMU patches PCI ids as it
does for installed files.

  SeaBIOS  bios-256k.bin on pc and q35, bios.bin on isapc: the banner with
           the set's version, then the boot sector's marker and its exit 33
  VGA      each PCI vgabios with its device: SeaVGABIOS starts (its version)
  NIC      each pxe-/efi- ROM with its device, booting from the network:
           the ROM's PnP line and iPXE's banner with the set's version (ours
           on pc and q35); each efi ROM on OVMF: PXE over its iPXE driver,
           and no network boot without it (control)
  OVMF     each CODE with a fresh copy of its VARS: BdsDxe on serial; the
           varstore OVMF wrote passes `fdsplit check` against its CODE (the
           SMM build's two 4M templates: in the Secure Boot cases' boots)
  Secure   an unsigned UEFI image refused or run as Debian's stores decide,
           one signed with the snakeoil key run

With FWSLOT_INSTALLED_ROOT (tests/cli/deb.sh, after dpkg -i) only a smoke
set boots from the installed folders: one image of each kind.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qemu"))
import harness  # noqa: E402
import qemuview  # noqa: E402
from harness import BOOT_MARKER, RAN, REFUSED, SEABIOS_BANNER, Fail, Vm, build_test_image, efi_disk  # noqa: E402

DEBIAN_VERSION = "1.16.2-debian-1.16.2-1"
OUR_VERSION = "1.17.0-fwslot"
DEBIAN_IPXE = "1.0.0+git-20190125.36a4c85-5.1"


def our_ovmf_version():
    """The firmware version our OVMF sets: the edk2 source package's version
    pinned in pkg/sources.lock, EDK2_EXTRAVERSION (+fwslot) appended."""
    with open("pkg/sources.lock") as f:
        for line in f:
            w = line.split()
            if w and w[0] == "edk2":
                return w[1] + os.environ.get("EDK2_EXTRAVERSION", "+fwslot")
    raise SystemExit("boot: pkg/sources.lock pins no edk2")


def our_ipxe(out):
    """The iPXE version our ROMs carry: what the build recorded (iPXE's
    `make version`, IPXE_EXTRAVERSION included), or Debian's when, with no
    source, they were repacked (ipxe-roms/build-ipxe.sh; make warned)."""
    d = os.path.join(out, "ipxe", "roms")
    try:
        if harness.read(os.path.join(d, "ORIGIN")).strip() == "built":
            return harness.read(os.path.join(d, "VERSION")).strip()
    except OSError:
        pass
    return DEBIAN_IPXE
# The images and devices come from the one list (pkg/slots.conf) and the
# romfile table QEMU itself gave (pkg/romdevs.conf, checked by
# tests/qemu/romdevs.py): every PCI VGA ROM with a device that loads it, every
# pxe-NIC.rom/efi-NIC.rom pair with the device whose default file is one of them.
ROMDEVS = qemuview.parse_table("pkg/romdevs.conf")
MANIFEST = [line.split()[0] for line in open("pkg/slots.conf") if line.strip() and not line.startswith("#")]


def loaders(file):
    """The devices that load file by default, the one named like the file first."""
    stem = file.split("-", 1)[1].rsplit(".", 1)[0]
    return sorted((d for d, f in ROMDEVS.items() if f == file), key=lambda d: (not d.startswith(stem), d))


VGA = [(loaders(n)[0], n[len("vgabios-"):-len(".bin")]) for n in MANIFEST
       if n.startswith("vgabios-") and loaders(n)]
# NIC ROM name -> the QEMU device, and the ROM file name it asks for (default_rom)
NICS = [(n[4:-4], (loaders("efi-" + n[4:]) or loaders(n))[0]) for n in MANIFEST
        if n.startswith("pxe-") and (loaders("efi-" + n[4:]) or loaders(n))]


def default_rom(nic):
    return "efi-%s.rom" % nic if loaders("efi-%s.rom" % nic) else "pxe-%s.rom" % nic


def boot_args(bootsect):
    return ["-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-drive", "file=%s,format=raw,if=ide,snapshot=on" % bootsect, "-no-reboot"]


def expect_boot(vm, version, image=None):
    """The boot sector reached (its marker, exit 33) and SeaBIOS's banner with
    version on the debug port; or, given the image of a SeaBIOS built without
    DEBUG_IO (our bios.bin, as Debian's 1.17.0-1 builds it: it prints nothing
    there), the version in the image and nothing of SeaBIOS's on the port."""
    rc = vm.wait()
    log = harness.read(vm.debug)
    banner = SEABIOS_BANNER + version + ")"
    if image:
        with open(image, "rb") as f:
            if (version + "\0").encode() not in f.read():
                raise Fail("%s carries no version string %s" % (image, version))
        if SEABIOS_BANNER in log:
            raise Fail("a SeaBIOS built without DEBUG_IO printed on the debug port", vm.logs())
    elif banner not in log:
        raise Fail("no '%s' on the debug port" % banner, vm.logs(), SEABIOS_BANNER)
    if BOOT_MARKER not in log:
        raise Fail("the boot sector was never reached", vm.logs(), "Booting from")
    if rc != 33:
        raise Fail("QEMU exit %d, expected 33 (isa-debug-exit)" % rc, vm.logs())


def seabios_case(sset, machine, bootsect):
    def run(ctx):
        if machine == "isapc":
            args = ["-M", "isapc", "-bios", os.path.join(sset["seabios"], "bios.bin")]
        else:
            d = ctx.rom_dir("bios", {"bios-256k.bin": os.path.join(sset["seabios"], "bios-256k.bin")})
            args = ["-M", machine, "-L", d]
        quiet = machine == "isapc" and not sset.get("bios_debug_io", True)
        with Vm(ctx, args + ["-vga", "none", "-nic", "none"] + boot_args(bootsect), "seabios", qmp=False) as vm:
            expect_boot(vm, sset["version"], os.path.join(sset["seabios"], "bios.bin") if quiet else None)
        if quiet:
            return "version %s in the image (no DEBUG_IO), boot sector, exit 33" % sset["version"]
        return "banner %s, boot sector, exit 33" % sset["version"]
    return run


def vga_case(sset, dev, name, bootsect):
    def run(ctx):
        rom = "vgabios-%s.bin" % name
        d = ctx.rom_dir("vga", {rom: os.path.join(sset["seabios"], rom),
                                "bios-256k.bin": os.path.join(sset["seabios"], "bios-256k.bin")})
        with Vm(ctx, ["-M", "pc", "-L", d, "-vga", "none", "-device", dev, "-nic", "none"] + boot_args(bootsect),
                "vga", qmp=False) as vm:
            expect_boot(vm, sset["version"])
            log = harness.read(vm.debug)
            want = "Start SeaVGABIOS (version %s)" % sset["version"]
            if "Running option rom at c000:0003" not in log or want not in log:
                raise Fail("no '%s' after the option ROM scan" % want, vm.logs(), "option rom")
        return "SeaVGABIOS ran"
    return run


def ipxe_banner(version):
    return "iPXE %s\x1b[0m -- Open Source Network Boot Firmware" % version


def nic_case(sset, kind, nic, dev, machine, bootsect, sercon):
    """SeaBIOS runs the ROM's init code (its PnP line) and boots from the
    network first: iPXE itself starts and prints its banner with the set's
    version. The TCG run stops there (this host's KVM faults in iPXE's
    real-mode calls after the banner; on either, the banner is the proof)."""
    def run(ctx):
        rom = os.path.join(sset["ipxe"], "%s-%s.rom" % (kind, nic))
        d = ctx.rom_dir("nic", {default_rom(nic): rom,
                                "bios-256k.bin": os.path.join(sset["seabios"], "bios-256k.bin")})
        args = ["-M", machine, "-L", d, "-vga", "none", "-netdev", "user,id=n,restrict=on",
                "-device", "%s,netdev=n,bootindex=0" % dev, "-fw_cfg", "name=etc/sercon-port,file=" + sercon,
                "-no-reboot"]
        banner = ipxe_banner(sset["ipxe_version"])
        with Vm(ctx, args, "nic", timeout=60) as vm:
            vm.wait_for(vm.serial, banner, "iPXE's banner (%s)" % sset["ipxe_version"])
            serial = harness.read(vm.serial)
            # (1.0.0 says http://ipxe.org, 2.0.0 https://ipxe.org)
            if not re.search(r"iPXE \(https?://ipxe\.org\) 00:0", serial):
                raise Fail("no iPXE PnP line from the ROM's init code", vm.logs(), "iPXE")
        return "iPXE %s banner on serial (%s, default name %s)" % (sset["ipxe_version"], machine, default_rom(nic))
    return run


def nic_ovmf_case(sset, nic, dev, machine, with_rom=True, rng=True):
    """OVMF loads the efi ROM's x86_64 iPXE driver, which gives the NIC its
    SNP: OVMF then offers and starts PXE over it. OVMF has no driver of its
    own for these NICs (virtio aside: VirtioNetDxe), and without the ROM it
    offers no network boot at all. iPXE does not print its banner as an SNP
    driver; its version is checked in the driver image (UTF-16, as
    product_wversion).

    EDK2's network stack since the PixieFail fixes (CVE-2023-45236/45237;
    2025.02 has them, 2022.11 had not) takes its random numbers from
    EFI_RNG_PROTOCOL, and without one offers no PXE at all: OVMF has it from
    RDRAND (not in TCG's default CPU, nor in -cpu qemu64) or from a
    virtio-rng device. So the VMs get a virtio-rng-pci (libvirt's <rng
    model='virtio'>); rng=False is the control that shows the need."""
    def run(ctx):
        rom = os.path.join(sset["ipxe"], "efi-%s.rom" % nic)
        if with_rom and rng:
            # the driver image, decompressed when iPXE EFI-compressed it (2.0.0 does)
            pe = os.path.join(ctx.scratch, "efi-%s-%s-%s.efi" % (nic, sset["name"], machine))
            if not os.path.exists(pe):
                r = subprocess.run([os.path.join(os.environ.get("O", "out"), "asan", "tests", "gen"),
                                    "--efi-image", rom, pe], capture_output=True, text=True)
                if r.returncode != 0:
                    raise Fail("efi-%s.rom: no EFI driver image to read: %s" % (nic, r.stderr.strip()))
            # iPXE's product_version (ASCII); 1.0.0's driver kept only its
            # UTF-16 product_wversion, 2.0.0's keeps only the ASCII one
            v = sset["ipxe_version"]
            with open(pe, "rb") as f:
                data = f.read()
            if (v + "\0").encode() not in data and v.encode("utf-16-le") not in data:
                raise Fail("efi-%s.rom's EFI driver holds no '%s' (iPXE's product_version, ASCII or UTF-16)" % (nic, v))
        v = os.path.join(ctx.scratch, "nic-%s-%s-%s-%s.fd" % (nic, machine, with_rom, rng))
        shutil.copyfile(os.path.join(sset["ovmf"], "OVMF_VARS_4M.fd"), v)
        args = ["-M", machine, "-m", "256", "-vga", "none",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + os.path.join(sset["ovmf"], "OVMF_CODE_4M.fd"),
                "-drive", "if=pflash,format=raw,unit=1,file=" + v,
                "-netdev", "user,id=n,restrict=on", "-device", "%s,netdev=n,romfile=%s" % (dev, rom if with_rom else "")]
        if rng:
            args += ["-device", "virtio-rng-pci"]
        pxe = ">>Start PXE over IPv4"
        with Vm(ctx, args, "nic-ovmf", timeout=90) as vm:
            if with_rom and rng:
                vm.wait_for(vm.serial, pxe, "OVMF's PXE over the ROM's SNP")
                return "OVMF_CODE_4M.fd on %s starts PXE over the ROM's iPXE driver (%s in its image)" % (
                    machine, sset["ipxe_version"])
            vm.wait_for(vm.serial, 'BdsDxe: starting Boot', "OVMF's boot manager")
            if pxe in harness.read(vm.serial):
                raise Fail("OVMF offered PXE without the %s: the control cannot tell" % ("ROM" if rng else "RNG"),
                           vm.logs(), pxe)
            if not rng:
                return "with the ROM but no RNG (TCG's CPU has no RDRAND) OVMF offers no PXE on %s" % dev
            return "without the ROM OVMF offers no network boot on %s" % dev
    return run


def ovmf_case(sset, code, vars_, machine, secure, fdsplit):
    def run(ctx):
        c = os.path.join(sset["ovmf"], code)
        v = os.path.join(ctx.scratch, "%s-%s-%s-%s" % (sset["name"], machine, code, vars_))
        shutil.copyfile(os.path.join(sset["ovmf"], vars_), v)  # the VM's own copy of the template
        args = ["-M", machine + (",smm=on" if secure else ""), "-m", "256",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + c,
                "-drive", "if=pflash,format=raw,unit=1,file=" + v, "-vga", "none", "-nic", "none"]
        if secure:
            args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        with Vm(ctx, args, "ovmf", timeout=60) as vm:
            vm.wait_for(vm.serial, "BdsDxe: ", "OVMF's boot manager (BdsDxe)")
            vm.qmp.cmd("quit")
            vm.proc.wait(timeout=vm.left())
        return "BdsDxe; " + store_written(fdsplit, v, c)
    return run


def store_written(fdsplit, v, code):
    """The varstore v that OVMF (code) wrote and left: it passes fdsplit check
    against its CODE, and fdsplit lists the boot manager's options live."""
    r = subprocess.run([fdsplit, "check", v, "--code", code], capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail("the varstore OVMF wrote fails fdsplit check: " + r.stderr.strip())
    info = subprocess.run([fdsplit, "info", v], capture_output=True, text=True).stdout
    live = []
    for line in info.splitlines():
        w = line.split()
        if len(w) > 2 and w[0] == "variable" and line.endswith(" added") and \
                (w[2] == "BootOrder" or (w[2].startswith("Boot") and len(w[2]) == 8)):
            live.append(w[2])
    if "BootOrder" not in live or "Boot0000" not in live:
        raise Fail("fdsplit info lists no live BootOrder/Boot0000 in the varstore OVMF wrote", info)
    return "fdsplit check ok; live %s" % " ".join(sorted(live))


def secureboot_case(sset, code, vars_, disk, expect, fdsplit=None):
    """Secure Boot as a guest sees it: OVMF with a copy of vars_ boots a FAT disk
    (efi_disk); expect RAN or REFUSED (BdsDxe would not load the binary).
    fdsplit: the boot is also the SMM build's boot test (ovmf_case's, for this
    CODE and template): the varstore it left passes store_written."""
    efi = os.path.basename(disk)[:-len(".img")]

    def run(ctx):
        c = os.path.join(sset["ovmf"], code)
        v = os.path.join(ctx.scratch, "sb-%s-%s-%s-%s" % (sset["name"], code, vars_, efi))
        shutil.copyfile(os.path.join(sset["ovmf"], vars_), v)
        other = REFUSED if expect == RAN else RAN
        # (the image prints RAN, then the SMBIOS line: wait for the second)
        log = harness.ovmf_boot_disk(ctx, c, v, disk, "SMBIOS" if expect == RAN else expect, secure=True)
        if expect not in log:
            raise Fail("%r not on serial" % expect, log)
        if other in log:
            raise Fail("both %r and %r on serial" % (expect, other), log)
        store = ""
        if fdsplit:
            if "BdsDxe: " not in log:
                raise Fail("no BdsDxe line on serial (OVMF's boot manager)", log)
            store = "; BdsDxe; " + store_written(fdsplit, v, c)
        if expect == REFUSED:
            return "%s: refused (Access Denied)%s" % (efi, store)
        # the version a guest reads (dmidecode's BIOS Version: SMBIOS type 0)
        want = sset.get("ovmf_version")
        if want and "fwslot: SMBIOS BIOS version %s\r\n" % want not in log:
            raise Fail("the guest reads no SMBIOS BIOS version %r" % want, log)
        return "%s ran%s%s" % (efi, ", SMBIOS BIOS version " + want if want else "", store)
    return run


def main():
    out, scratch, bootsect, ctx = harness.setup("boot")
    fdsplit = os.path.join(out, "asan", "bin", "fdsplit")
    if not os.path.exists(fdsplit):
        fdsplit = os.path.join(out, "bin", "fdsplit")
    sercon = os.path.join(scratch, "sercon-port")
    with open(sercon, "wb") as f:
        f.write(harness.SERCON)
    ref, pad, fw = (os.path.join(out, p) for p in ("ref/root", "ref/padded", "firmware"))
    sets = [
        {"name": "debian", "version": DEBIAN_VERSION, "ipxe_version": DEBIAN_IPXE, "seabios": ref + "/usr/share/seabios",
         "ipxe": ref + "/usr/lib/ipxe/qemu", "ovmf": ref + "/usr/share/OVMF"},
        {"name": "debian-padded", "version": DEBIAN_VERSION, "ipxe_version": DEBIAN_IPXE, "seabios": pad + "/usr/share/seabios",
         "ipxe": pad + "/usr/lib/ipxe/qemu", "ovmf": None},
    ]
    installed = os.environ.get("FWSLOT_INSTALLED_ROOT")
    if installed:
        # the package smoke test: only the set installed under a root
        r = os.path.abspath(installed)
        sets = [{"name": "installed", "version": OUR_VERSION, "ipxe_version": our_ipxe(out), "bios_debug_io": False,
                 "seabios": r + "/usr/share/seabios",
                 "ipxe": r + "/usr/lib/ipxe/qemu", "ovmf": r + "/usr/share/OVMF"}]
    elif os.path.exists(os.path.join(fw, "SHA256SUMS")):
        sets.append({"name": "ours", "version": OUR_VERSION, "ipxe_version": our_ipxe(out), "bios_debug_io": False,
                     "seabios": fw + "/usr/share/seabios",
                     "ipxe": fw + "/usr/lib/ipxe/qemu", "ovmf": fw + "/usr/share/OVMF",
                     "ovmf_version": our_ovmf_version()})
    else:
        print("SKIP boot: out/firmware not built (run make): only Debian's sets are booted")
    cases = []
    for s in sets:
        n = s["name"]
        for m in ("pc", "q35"):
            cases.append(("%s bios-256k.bin on %s" % (n, m), seabios_case(s, m, bootsect)))
        cases.append(("%s bios.bin on isapc" % n, seabios_case(s, "isapc", bootsect)))
        for dev, name in VGA:
            cases.append(("%s vgabios-%s.bin with %s" % (n, name, dev), vga_case(s, dev, name, bootsect)))
        # every ROM with its device; ours on pc and q35, Debian's on one of them
        for nic, dev in NICS:
            for kind in ("pxe", "efi"):
                for m in (("pc", "q35") if n == "ours" else ("q35" if nic == "e1000e" else "pc",)):
                    cases.append(("%s %s-%s.rom with %s on %s" % (n, kind, nic, dev, m),
                                  nic_case(s, kind, nic, dev, m, bootsect, sercon)))
        if n == "ours" and s["ovmf"]:
            for nic, dev in NICS:
                cases.append(("%s efi-%s.rom with %s on OVMF (q35)" % (n, nic, dev),
                              nic_ovmf_case(s, nic, dev, "q35")))
            cases.append(("%s e1000 without its ROM on OVMF (control)" % n,
                          nic_ovmf_case(s, "e1000", "e1000", "q35", with_rom=False)))
            cases.append(("%s efi-e1000.rom on OVMF without an RNG: no PXE (control)" % n,
                          nic_ovmf_case(s, "e1000", "e1000", "q35", rng=False)))
    # the Secure Boot cases below (out/firmware built, not the package smoke test)
    # boot the SMM build with its two 4M templates and check the store it left:
    # the SMM rows here are booted only when those do not run
    secure_cases = not installed and os.path.exists(os.path.join(fw, "usr", "share", "ovmf", "PkKek-1-snakeoil.key"))
    for s in sets:
        if not s["ovmf"]:
            continue
        n = s["name"]
        for code, vars_, machines, secure in (("OVMF_CODE.fd", "OVMF_VARS.fd", ("q35", "pc"), False),
                                              ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", ("q35", "pc"), False),
                                              ("OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.fd", ("q35",), True),
                                              ("OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd", ("q35",), True)):
            if secure and secure_cases:
                continue
            for m in machines:
                cases.append(("%s %s on %s%s" % (n, code, m, ",smm=on" if secure else ""),
                              ovmf_case(s, code, vars_, m, secure, fdsplit)))
    # Secure Boot enforced where Debian enforces it: an unsigned UEFI binary is
    # refused with the Microsoft-enrolled store, runs with the empty one, and
    # runs signed by the snakeoil key (sbsigntool, here) with the .snakeoil store
    if installed:
        pass  # the package smoke test boots what is installed, nothing more
    elif secure_cases:
        shell_efi = build_test_image(scratch)
        unsigned_disk = efi_disk(scratch, shell_efi)

        # each set's image signed with the snakeoil key that set ships (Debian
        # 13's edk2 source made a new one in 2023: Debian 12's stores trust the
        # 2020 key, ours the 2023 one)
        signed_disks = {n: efi_disk(scratch, harness.snakeoil_signed(scratch, shell_efi,
                                                                     os.path.join(root, "usr", "share", "ovmf"), n))
                        for n, root in (("debian", ref), ("ours", fw))}
        for s in sets:
            if not s["ovmf"]:
                continue
            n = s["name"]
            signed_disk = signed_disks[n]
            # store: this boot is also the SMM build's boot test with that template
            for code, vars_, efi, expect, store in (
                    ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd", unsigned_disk, REFUSED, True),
                    ("OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.fd", unsigned_disk, RAN, True),
                    ("OVMF_CODE_4M.snakeoil.fd", "OVMF_VARS_4M.snakeoil.fd", unsigned_disk, REFUSED, False),
                    ("OVMF_CODE_4M.snakeoil.fd", "OVMF_VARS_4M.snakeoil.fd", signed_disk, RAN, False),
                    ("OVMF_CODE.ms.fd", "OVMF_VARS.ms.fd", unsigned_disk, REFUSED, False)):
                cases.append(("%s Secure Boot %s + %s, %s" % (n, code, vars_, os.path.basename(efi)[:-4].replace("-" + n, "")),
                              secureboot_case(s, code, vars_, efi, expect, fdsplit if store else None)))
    else:
        print("SKIP boot: Secure Boot cases: out/firmware not built (run make)")
    if installed:
        # the package smoke test: the files under the root are out/firmware's, byte
        # for byte (tests/cli/deb.sh compares each, links followed), and this
        # suite boots out/firmware in full; from the installed folders one image
        # of each kind boots
        smoke = ["installed bios-256k.bin on pc", "installed vgabios-stdvga.bin with VGA",
                 "installed pxe-e1000.rom with e1000 on pc", "installed efi-e1000.rom with e1000 on pc",
                 "installed OVMF_CODE_4M.fd on q35"]
        cases = [c for c in cases if c[0] in smoke]
        if len(cases) != len(smoke):
            print("FAIL boot-installed: the smoke cases %s are not all among the cases" % smoke)
            return 1
    # the slow OVMF boots first, so the two workers finish together
    cases.sort(key=lambda c: "OVMF" not in c[0])
    name = "boot-installed" if installed else "boot"
    return harness.run_cases(name, cases, ctx, os.path.join(out, "test", name + ".json"))


if __name__ == "__main__":
    sys.exit(main())
