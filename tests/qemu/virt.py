# SPDX-License-Identifier: MIT
"""libvirt, as the libvirt and system drop-in suites drive it: the firmware
requests a guest can make, the domain XML for one, virsh, and what libvirt
chose (read back from a live domain's XML). Tested by tests/qemu/layer_test.py.
"""
import os
import pwd
import re
import signal
import subprocess

from harness import Fail

REQUESTS = [
    # name, machine, <os> inner XML, firmware attribute
    ("efi on q35", "q35", "", "efi"),
    ("efi on pc", "pc", "", "efi"),
    ("efi, secure-boot, enrolled-keys", "q35",
     "<firmware><feature enabled='yes' name='secure-boot'/><feature enabled='yes' name='enrolled-keys'/></firmware>", "efi"),
    ("efi, secure-boot, no enrolled-keys", "q35",
     "<firmware><feature enabled='yes' name='secure-boot'/><feature enabled='no' name='enrolled-keys'/></firmware>", "efi"),
    ("efi, no secure-boot", "q35", "<firmware><feature enabled='no' name='secure-boot'/></firmware>", "efi"),
    ("explicit OVMF_CODE_4M.ms.fd loader", "q35", "LOADER", None),
]


def domain_xml(name, machine, inner, firmware, root, serial, disk=None, debugcon=None):
    """A TCG domain; firmware None: no firmware attribute (libvirt's default,
    BIOS); inner "LOADER": root's OVMF_CODE_4M.ms.fd named as the loader;
    debugcon: a file for SeaBIOS's debug port 0x402."""
    if inner == "LOADER":
        os_xml = ("<os><type arch='x86_64' machine='%s'>hvm</type>"
                  "<loader readonly='yes' secure='yes' type='pflash'>%s/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>"
                  "<nvram template='%s/usr/share/OVMF/OVMF_VARS_4M.ms.fd'/></os>") % (machine, root, root)
    else:
        attr = " firmware='%s'" % firmware if firmware else ""
        os_xml = "<os%s><type arch='x86_64' machine='%s'>hvm</type>%s</os>" % (attr, machine, inner)
    smm = "<features><acpi/><smm state='on'/></features>" if machine == "q35" else "<features><acpi/></features>"
    devs = "<serial type='file'><source path='%s'/><target port='0'/></serial>" % serial
    if disk:
        devs += ("<disk type='file' device='disk'><driver name='qemu' type='raw' cache='unsafe'/>"
                 "<source file='%s'/><target dev='vda' bus='virtio'/><readonly/></disk>") % disk
    extra = ""
    if debugcon:
        extra = ("<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                 "<qemu:arg value='-chardev'/><qemu:arg value='file,id=fwslotdbg,path=%s'/>"
                 "<qemu:arg value='-device'/><qemu:arg value='isa-debugcon,iobase=0x402,chardev=fwslotdbg'/>"
                 "</qemu:commandline>") % debugcon
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>%s%s"
            "<devices>%s<video><model type='none'/></video>"
            "<memballoon model='none'/></devices>%s</domain>") % (name, os_xml, smm, devs, extra)


def chosen(xml):
    """(loader, nvram template) basenames from a live domain XML; None for
    each that the XML does not name (a BIOS domain names neither)."""
    lo = re.search(r"<loader[^>]*>([^<]+)</loader>", xml)
    nv = re.search(r"<nvram[^>]*template=['\"]([^'\"]+)['\"]", xml)
    return (os.path.basename(lo.group(1).strip()) if lo else None, os.path.basename(nv.group(1)) if nv else None)


class Virsh:
    """virsh -q -c URI, optionally as another user (pre: a setpriv prefix) and
    with another environment; check=True raises Fail with virsh's message."""

    def __init__(self, uri, pre=(), env=None):
        self.uri, self.pre, self.env = uri, list(pre), env

    def __call__(self, *args, check=True, timeout=90):
        r = subprocess.run(self.pre + ["virsh", "-q", "-c", self.uri] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise Fail("virsh %s: %s" % (" ".join(args[:2]), (r.stderr or r.stdout).strip()))
        return r


USER = "nobody"  # libvirt's session daemon refuses nothing to an unprivileged user


class Session:
    """virsh -c qemu:///session as USER, with XDG dirs under home."""

    def __init__(self, home):
        self.home = home
        self.env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home + "/config", XDG_RUNTIME_DIR=home + "/run",
                        XDG_CACHE_HOME=home + "/cache", XDG_DATA_HOME=home + "/data")
        for d in ("config/qemu/firmware", "run", "cache", "data"):
            os.makedirs(os.path.join(home, d), exist_ok=True)
        os.chmod(home + "/run", 0o700)
        pre = []
        if os.getuid() == 0:
            pw = pwd.getpwnam(USER)
            for dirpath, dirnames, filenames in os.walk(home):
                for n in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
                    os.chown(n, pw.pw_uid, pw.pw_gid)
            pre = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups"]
        self.pre = pre
        self._virsh = Virsh("qemu:///session", pre, self.env)
        self.niced = False

    def virsh(self, *args, check=True, timeout=90):
        r = self._virsh(*args, check=check, timeout=timeout).stdout
        # virsh starts the daemon, and the daemon each VM, in a session (an
        # autogroup) of its own: they get this process's priority, as children would
        if not self.niced:
            for pid in daemons(self.env["XDG_RUNTIME_DIR"]):
                self.niced = share_priority(pid)
        if args and args[0] in ("start", "create", "restore", "snapshot-revert") and len(args) > 1:
            try:
                with open(os.path.join(self.env["XDG_RUNTIME_DIR"], "libvirt", "qemu", "run", args[1] + ".pid")) as f:
                    share_priority(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        return r

    def descriptors(self, root, src):
        d = os.path.join(self.home, "config", "qemu", "firmware")
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        for f in sorted(os.listdir(src)):
            with open(os.path.join(src, f)) as i, open(os.path.join(d, f), "w") as o:
                o.write(i.read().replace('"/usr/share/', '"%s/usr/share/' % root))

    def stop(self):
        """Ends this session's daemon (and so its VMs): the libvirtd whose
        XDG_RUNTIME_DIR is this home's, not another session's of the same user."""
        for pid in daemons(self.env["XDG_RUNTIME_DIR"]):
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass


def share_priority(pid):
    """Gives pid's autogroup (the kernel's per-session scheduling group) this
    process's nice; True when it took."""
    try:
        with open("/proc/%d/autogroup" % pid, "w") as f:
            f.write(str(os.nice(0)))
        return True
    except OSError:
        return False


def daemons(runtime_dir):
    """Pids of the libvirtd processes started with XDG_RUNTIME_DIR=runtime_dir."""
    want = ("XDG_RUNTIME_DIR=" + runtime_dir).encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            # argv[0], not comm: the kernel renames a process some time after exec
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if os.path.basename(f.read().split(b"\0")[0]) != b"libvirtd":
                    continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                if want in f.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            pass
    return found
