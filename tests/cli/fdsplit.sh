# SPDX-License-Identifier: MIT
# fdsplit's executable specification, on Debian 12's real OVMF images.
#   t EXIT STREAM 'TEXT' command...     (see tests/lib.sh)
F=$BIN/fdsplit
O_=$REF/usr/share/OVMF
S=$SCRATCH/fdsplit
mkdir -p "$S"
# patch FILE OFFSET HEX: overwrite bytes in place (tests' own copies only)
patch() { printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none; }

# --- usage ---------------------------------------------------------------------------
t 2 err 'usage: fdsplit split'                         $F
t 2 err 'fdsplit: unknown command: frob'               $F frob
t 0 out 'fdsplit check [--json] VARS'                  $F --help
t 2 err 'split needs --code OUT and --vars OUT'        $F split $REF/usr/share/ovmf/OVMF.fd --code $S/c.fd
t 2 err 'join needs -o OUT'                            $F join $O_/OVMF_VARS.fd $O_/OVMF_CODE.fd
t 2 err 'cannot open'                                  $F info $S/nope.fd

# --- split and join reproduce Debian's files byte for byte ------------------------------
t 0 -  ''                                              $F split $REF/usr/share/ovmf/OVMF.fd --code $S/CODE.fd --vars $S/VARS.fd
ok 'split: VARS equals the package'\''s OVMF_VARS.fd' cmp -s $S/VARS.fd $O_/OVMF_VARS.fd
ok 'split: CODE equals the package'\''s OVMF_CODE.fd' cmp -s $S/CODE.fd $O_/OVMF_CODE.fd
t 0 -  ''                                              $F join $O_/OVMF_VARS.fd $O_/OVMF_CODE.fd -o $S/joined.fd
ok 'join is the inverse of split'                      cmp -s $S/joined.fd $REF/usr/share/ovmf/OVMF.fd
t 1 err 'a varstore of 0x20000 bytes with no CODE volume after it' $F split $O_/OVMF_VARS.fd --code $S/x --vars $S/y
t 1 err 'starts with a code volume, not the varstore'  $F split $O_/OVMF_CODE.fd --code $S/x --vars $S/y
t 1 err 'not a varstore image'                         $F join $O_/OVMF_CODE.fd $O_/OVMF_CODE.fd -o $S/x
t 1 err 'not a CODE image'                             $F join $O_/OVMF_VARS.fd $O_/OVMF_VARS.fd -o $S/x
t 1 err "fdsplit: $O_/OVMF_VARS.fd: not a CODE image (a firmware volume that is not the varstore)" $F check $O_/OVMF_VARS.fd --code $O_/OVMF_VARS.fd
ok 'refused splits and joins write nothing'            test ! -e $S/x -a ! -e $S/y
t 2 err 'an output names the input'                    $F split $S/joined.fd --code $S/joined.fd --vars $S/y

# --- info ----------------------------------------------------------------------------------
t 0 out 'variables: 31 live, 26 deleted, 57 records'   $F info $O_/OVMF_VARS_4M.ms.fd
for v in PK KEK db dbx; do
	ok "OVMF_VARS_4M.ms.fd lists $v as live" sh -c "$F info $O_/OVMF_VARS_4M.ms.fd | grep -E '^  variable @0x[0-9a-f]+: $v +.* state 0x3f added'"
	ok "OVMF_VARS.ms.fd lists $v as live" sh -c "$F info $O_/OVMF_VARS.ms.fd | grep -E '^  variable @0x[0-9a-f]+: $v +.* state 0x3f added'"
done
t 0 out 'FTW working block @0x41000: CRC 0x642caf2c ok, state 0xfe, WriteQueueSize 0xfe0, write queue empty' $F info $O_/OVMF_VARS_4M.fd
t 0 out 'FTW working block @0xf000: CRC 0x642caf2c ok' $F info $O_/OVMF_VARS.fd
t 0 out 'FV header: FvLength 0x20000, HeaderLength 0x48, attributes 0x0004feff, revision 2, checksum 0xf919 ok' $F info $O_/OVMF_VARS.fd
t 0 out 'FV header: FvLength 0x84000, HeaderLength 0x48, attributes 0x0004feff, revision 2, checksum 0xb8af ok' $F info $O_/OVMF_VARS_4M.fd
t 0 out 'variable store: authenticated, Size 0xdfb8'   $F info $O_/OVMF_VARS.fd
t 0 out 'FTW spare @0x10000: 0x10000 bytes, erased'    $F info $O_/OVMF_VARS.fd
t 0 out '    CFV          raw 0x0/0x20000 at 0xffe00000' $F info $O_/OVMF_CODE.fd
t 0 out 'TDX metadata @0x1df7c0 (end-0x840)'           $F info $O_/OVMF_CODE.fd
t 0 out 'GUID table: 0x5c bytes, 3 entries'             $F info $O_/OVMF_CODE_4M.fd
ok 'the IA32X64 4M CODE has no TDX metadata'          sh -c "! $F info $O_/OVMF_CODE_4M.fd | grep -q 'TDX metadata'"
t 0 out 'unified OVMF image (VARS + CODE)'             $F info $REF/usr/share/ovmf/OVMF.fd
t 1 err 'not an OVMF image'                            $F info $REF/usr/share/seabios/bios.bin
$F info --json $O_/OVMF_VARS_4M.ms.fd > $S/ms.json
ok 'info --json: counts and the PK variable'           python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))["files"][0]; v=d["vars"]
assert d["kind"]=="vars" and d["ok"] and v["live"]==31 and v["deleted"]==26 and v["ftw"]["crc_ok"]
assert any(x["name"]=="PK" and x["guid_name"]=="EfiGlobalVariable" and x["state"]==0x3f for x in v["variables"])' $S/ms.json

# --- info: Secure Boot keys and boot options, as an admin reads a VM's settings ---------------
MS=$O_/OVMF_VARS_4M.ms.fd
t 0 out '  Secure Boot: on with a Secure Boot CODE: user mode (PK enrolled), SecureBootEnable 1, CustomMode 0' $F info $MS
t 0 out '  KEK: 2 signature lists, 2 entries, 2565 bytes, written 2025-03-10T02:53:39Z' $F info $MS
t 0 out '      subject CN=Microsoft Corporation KEK CA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US' $F info $MS
t 0 out '      serial 610ad188000000000003, valid 2011-06-24T20:41:29Z to 2026-06-24T20:51:29Z, RSA 2048, sha256 a1117f516a32cefcba3f2d1ace10a87972fd6bbe8fe0d0b996e09e65d802a503' $F info $MS
t 0 out '      subject CN=Microsoft Corporation UEFI CA 2011,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US' $F info $MS
t 0 out '  dbx: 1 signature list, 1 entry, 76 bytes, written 2025-03-10T02:53:39Z' $F info $MS
t 0 out '    list 0: 1 sha256 entry'                        $F info $MS
t 0 out '  Boot0001: "UEFI QEMU HARDDISK QM00001 " PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)' $F info $MS
t 0 out '  Boot0000: "UiApp" Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(462CAA21-7614-4503-836E-8AB6F4662331) (hidden)' $F info $MS
t 0 out '  Secure Boot: off: setup mode (no PK), SecureBootEnable absent, CustomMode absent' $F info $O_/OVMF_VARS_4M.fd
t 0 out '  PK: absent'                                        $F info $O_/OVMF_VARS_4M.fd
$F info --json $MS > $S/keys.json
ok 'info --json: Secure Boot enforced, each key its lists, each certificate its names and dates' python3 -c '
import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; sb=f["secure_boot"]; k={x["name"]: x for x in sb["keys"]}
assert sb["enforced"] and not sb["setup_mode"] and sb["secure_boot_enable"] == 1 and sb["custom_mode"] == 0
kek=[e for l in k["KEK"]["lists"] for e in l["entries"]]
assert [e["common_name"] for e in kek] == ["Debian UEFI Secure Boot (PK/KEK key)", "Microsoft Corporation KEK CA 2011"], kek
assert kek[1]["not_after"] == "2026-06-24T20:51:29Z" and kek[1]["owner"] == "77fa9abd-0359-4d32-bd60-28f4e78f784b"
dbx=k["dbx"]["lists"][0]["entries"]; assert len(dbx) == 1 and dbx[0]["type"] == "sha256" and len(dbx[0]["hash"]) == 64
assert k["PK"]["timestamp"] == "2025-03-10T02:53:39Z" and all(x["ok"] for x in sb["keys"])
b={o["name"]: o for o in f["boot_options"]}; assert b["Boot0001"]["device_path"] == "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)"
assert f["boot_order"] is None and b["Boot0000"]["active"]' $S/keys.json
# a guest writes its own flash: lists that lie are reported, never followed
kek_at() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["files"][0]["vars"]["variables"]; print([x["data_offset"] for x in v if x["name"]==sys.argv[2] and x["live"]][0])' $S/keys.json "$1"; }
cp $MS $S/lying.fd
patch $S/lying.fd $(( $(kek_at KEK) + 0x10 )) ffff0000
t 0 out '    not trusted past here: signature list 0 at 0x0: SignatureListSize 0xffff exceeds the 0xa05 bytes left' $F info $S/lying.fd
$F info --json $S/lying.fd > $S/lying.json
ok 'info --json: the lying KEK is not ok and says why'  python3 -c '
import json,sys; k={x["name"]: x for x in json.load(open(sys.argv[1]))["files"][0]["secure_boot"]["keys"]}
assert not k["KEK"]["ok"] and k["KEK"]["lists"] == [] and "exceeds" in k["KEK"]["errors"][0] and k["db"]["ok"]' $S/lying.json
cp $MS $S/badcert.fd
patch $S/badcert.fd $(( $(kek_at db) + 0x1c + 0x10 )) 31
t 0 out '      unreadable: 0x5db bytes that libcrypto cannot read as an X.509 certificate' $F info $S/badcert.fd

# --- audit: which VMs trust only the expired 2011 CAs, and what they lack against a template --
SID=$(dirname "$REF")/sid/root/usr/share/OVMF/OVMF_VARS_4M.ms.fd
t 0 out "$MS: Secure Boot on; Microsoft CAs in db: 2011 only; KEK 2011 only: cannot take updates signed by the 2023 KEK" $F audit $MS
t 1 out "lacks what $SID holds: KEK: Microsoft Corporation KEK 2K CA 2023; db: Windows UEFI CA 2023, Microsoft UEFI CA 2023, Microsoft Option ROM UEFI CA 2023; dbx: 443 hashes; holds what the template lacks: dbx: 1 hash" $F audit --against $SID $MS
t 0 out "$SID: Secure Boot on; Microsoft CAs in db: 2011 and 2023; KEK takes updates signed by the 2023 KEK; holds all $SID holds" $F audit --against $SID $SID
t 0 out "Secure Boot off (setup mode: no PK); Microsoft CAs in db: none; KEK holds no Microsoft KEK; no keys enrolled: not compared" $F audit --against $SID $O_/OVMF_VARS_4M.fd
t 1 out 'audit: 3 varstores, 2 with Secure Boot on; Microsoft CAs in db: 1 2011 only, 1 2011 and 2023, 0 2023 only, 1 none; 1 lacks what' $F audit --against $SID $MS $SID $O_/OVMF_VARS_4M.fd
t 1 err "fdsplit: $O_/OVMF_CODE_4M.fd: not a varstore (VARS) image" $F audit $O_/OVMF_CODE_4M.fd
t 2 err 'cannot open'                                     $F audit --against $S/nope.fd $MS
t 2 err 'cannot open'                                     $F audit $S/nope.fd
# a CA is known by its fingerprint, not its name: a db entry one byte off is no Microsoft CA
cp $MS $S/fake-ca.fd
patch $S/fake-ca.fd $(( $(kek_at db) + 0x1c + 0x10 + 0x200 )) 00
t 0 out 'Microsoft CAs in db: 2011 only'                  $F audit $S/fake-ca.fd
$F audit --json $S/fake-ca.fd > $S/fake-ca.json
ok 'audit --json: the altered Windows PCA 2011 no longer counts; the UEFI CA 2011 still does' python3 -c '
import json,sys; f=json.load(open(sys.argv[1]))["files"][0]
assert f["microsoft_cas"] == ["Microsoft Corporation KEK CA 2011", "Microsoft Corporation UEFI CA 2011"], f["microsoft_cas"]' $S/fake-ca.json
$F audit --json --against $SID $MS $O_/OVMF_VARS_4M.fd > $S/audit.json
ok 'audit --json: per VM what it lacks, with names and fingerprints; a summary' python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); a,b=d["files"]
assert not d["ok"] and d["summary"]["lacking"] == 1 and d["summary"]["microsoft_2011_only"] == 1 and d["summary"]["microsoft_none"] == 1
assert not a["kek_2023"] and a["microsoft_db"] == "2011 only" and len(a["missing"]) == 447
assert {"key": "KEK", "type": "x509", "name": "Microsoft Corporation KEK 2K CA 2023", "sha256": "3cd3f0309edae228767a976dd40d9f4affc4fbd5218f2e8cc3c9dd97e8ac6f9d"} in a["missing"]
assert a["extra"] == [{"key": "dbx", "type": "sha256", "hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]
assert b["setup_mode"] and b["missing"] is None and b["ok"]' $S/audit.json

# --- update-keys: KEK and db gain what the template holds, dbx becomes the union ----------------
cp $MS $S/up4.fd && cp $O_/OVMF_VARS.ms.fd $S/up2.fd && chmod 600 $S/up4.fd
t 0 out "$S/up4.fd: would update KEK +1, db +3, dbx +443 (new records 0x8200 bytes): KEK: Microsoft Corporation KEK 2K CA 2023; db: Windows UEFI CA 2023, Microsoft UEFI CA 2023, Microsoft Option ROM UEFI CA 2023; dbx: 443 hashes" $F update-keys --from $SID --dry-run $S/up4.fd
ok 'update-keys --dry-run writes nothing'                 sh -c "cmp -s $MS $S/up4.fd && test ! -e $S/up4.fd.bak"
t 0 out "$S/up2.fd: updated KEK +1, db +3, dbx +443 (new records 0x8200 bytes); backup $S/up2.fd.bak" $F update-keys --from $SID $S/up4.fd $S/up2.fd
ok 'the old stores are kept as backups, byte for byte'    sh -c "cmp -s $MS $S/up4.fd.bak && cmp -s $O_/OVMF_VARS.ms.fd $S/up2.fd.bak"
ok 'the updated store keeps its mode (0600)'              sh -c "test \$(stat -c %a $S/up4.fd) = 600"
t 0 out "holds all $SID holds; holds what the template lacks: dbx: 1 hash" $F audit --against $SID $S/up4.fd
t 0 out 'fits'                                            $F check $S/up4.fd --code $O_/OVMF_CODE_4M.secboot.fd
t 0 out 'fits'                                            $F check $S/up2.fd --code $O_/OVMF_CODE.secboot.fd
t 0 out "$S/up4.fd: holds all $SID holds: unchanged"      $F update-keys --from $SID --no-backup $S/up4.fd
$F info --json $MS > $S/before.json
$F info --json $S/up4.fd > $S/after.json
ok 'update-keys: the VM keeps every variable it held, its own dbx entry, its KEK first; timestamps no older than its own' python3 -c '
import json,sys
a,b=(json.load(open(f))["files"][0] for f in sys.argv[1:3])
live=lambda f: {(v["name"], v["guid"]) for v in f["vars"]["variables"] if v["live"]}
assert live(a) == live(b), live(a) ^ live(b)
k=lambda f: {x["name"]: x for x in f["secure_boot"]["keys"]}
ka,kb=k(a),k(b)
hashes=lambda x: [e.get("hash") or e["sha256"] for l in x["lists"] for e in l["entries"]]
assert hashes(kb["dbx"])[0] == hashes(ka["dbx"])[0] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
assert len(hashes(kb["dbx"])) == 444 and hashes(kb["KEK"])[:2] == hashes(ka["KEK"]) and len(hashes(kb["db"])) == 5
assert ka["PK"] == kb["PK"] and all(kb[n]["timestamp"] >= ka[n]["timestamp"] for n in ("KEK", "db", "dbx"))
assert b["boot_options"] == a["boot_options"]' $S/before.json $S/after.json
ok 'virt-fw-vars reads the updated stores with the same lists as fdsplit' /usr/bin/python3 tests/keys/peer.py --only $S/up4.fd $S/up2.fd
# PK only when asked: an .ms store taken over by Debian 13's snakeoil keys
SNAKE=$(dirname "$REF")/deb13/root/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
cp $MS $S/pk.fd
t 0 out "$S/pk.fd: updated KEK +1, db +1 (new records"   $F update-keys --from $SNAKE --no-backup $S/pk.fd
t 0 out '      subject emailAddress=debian-devel@lists.debian.org,CN=Debian UEFI Secure Boot (PK/KEK key),O=Debian' sh -c "$F info $S/pk.fd | grep -A2 '^  PK:'"
t 0 out "$S/pk.fd: updated PK replaced (new records"      $F update-keys --from $SNAKE --no-backup --replace-pk $S/pk.fd
t 0 out '      subject CN=SnakeOil Test Key for EFI Secure Boot' sh -c "$F info $S/pk.fd | grep -A2 '^  PK:'"
t 0 out "$S/pk.fd: holds all $SNAKE holds: unchanged"     $F update-keys --from $SNAKE --no-backup --replace-pk $S/pk.fd
# refused, writing nothing: an earlier backup, a write in progress, no PK, no room, a running QEMU
t 1 err "$S/up2.fd.bak exists (an earlier backup): move it away, or pass --no-backup" $F update-keys --from $SID $S/up2.fd --replace-pk
cp $GEN/torn-restart.fd $S/torn.fd
t 1 err 'a write in progress, which OVMF finishes at its next boot (FTW write queue on disk: 1 records, 1 pending, the last write not complete)' $F update-keys --from $SID $S/torn.fd
t 1 err 'no PK (setup mode): no keys enrolled to update' $F update-keys --from $SID $O_/OVMF_VARS_4M.fd
t 2 err 'no PK (setup mode): a template without keys'   $F update-keys --from $O_/OVMF_VARS_4M.fd $S/up4.fd
t 2 err 'update-keys needs --from TEMPLATE'             $F update-keys $S/up4.fd
ok 'refused updates write nothing'                      sh -c "cmp -s $GEN/torn-restart.fd $S/torn.fd && test ! -e $S/torn.fd.bak"
# a 2M store the guest filled: a variable of its own leaves 2000 bytes, no room for sid's keys
# even once the deleted records are reclaimed
cat > $S/fill.py <<'EOF'
import struct,sys,uuid
b=bytearray(open(sys.argv[1],"rb").read()); off=0x48+0x1c
while b[off:off+2]==b"\xaa\x55":
    n,d=struct.unpack_from("<II",b,off+0x24); off=(off+60+n+d+3)&~3
name="Filler\0".encode("utf-16-le"); data=bytes(0xe000-off-60-len(name)-2000)
hdr=struct.pack("<HBBIQ16sIII16s",0x55aa,0x3f,0,7,0,bytes(16),0,len(name),len(data),uuid.UUID("12345678-0000-0000-0000-000000000001").bytes_le)
b[off:off+len(hdr)+len(name)+len(data)]=hdr+name+data
open(sys.argv[2],"wb").write(b)
EOF
python3 $S/fill.py $O_/OVMF_VARS.ms.fd $S/full2.fd
t 0 out 'variable @0x' $F info $S/full2.fd
t 1 err 'does not fit: the updated keys take 0x8200 (33280) bytes in new records; the store has 2000 bytes free after its last variable, 6312 after compaction (its variable region: 57244 bytes)' $F update-keys --from $SID $S/full2.fd
ok 'the full store is left as it was'                   sh -c "test ! -e $S/full2.fd.bak"
# 30000 bytes left: too few after the last variable, enough once reclaimed, as OVMF reclaims
sed 's/-2000)/-30000)/' $S/fill.py > $S/fill30.py && python3 $S/fill30.py $O_/OVMF_VARS.ms.fd $S/half2.fd
t 0 out "$S/half2.fd: updated KEK +1, db +3, dbx +443 (new records 0x8200 bytes, store compacted first as OVMF reclaims it)" $F update-keys --from $SID --no-backup $S/half2.fd
t 0 out '  variables: 32 live, 3 deleted, 35 records; 1032 bytes free' $F info $S/half2.fd
t 0 out 'variable @0x'                                          sh -c "$F info $S/half2.fd | grep 'Filler .* state 0x3f added'"
cp $MS $S/held.fd
timeout 20 qemu-system-x86_64 -S -display none -nodefaults -machine q35 -accel tcg \
	-drive if=pflash,format=raw,readonly=on,file=$O_/OVMF_CODE_4M.secboot.fd -drive if=pflash,format=raw,file=$S/held.fd 2>$S/held.err &
qpid=$!
for _ in $(seq 50); do $F update-keys --from $SID --dry-run $S/held.fd 2>/dev/null | grep -q . || break; sleep 0.1; done
t 1 err 'a running QEMU holds it (its image lock, bytes 100-299): stop the VM first' $F update-keys --from $SID $S/held.fd
kill $qpid; wait $qpid 2>/dev/null
ok 'the store QEMU held is unchanged'                   cmp -s $MS $S/held.fd
t 0 out "$S/held.fd: updated"                           $F update-keys --from $SID --no-backup $S/held.fd

# --- check: every CODE against every varstore of its own layout, and not the other ------------
CODE2M="OVMF_CODE.fd OVMF_CODE.secboot.fd OVMF_CODE.ms.fd"
CODE4M="OVMF_CODE_4M.fd OVMF_CODE_4M.secboot.fd OVMF_CODE_4M.ms.fd OVMF_CODE_4M.snakeoil.fd"
VARS2M="OVMF_VARS.fd OVMF_VARS.ms.fd"
VARS4M="OVMF_VARS_4M.fd OVMF_VARS_4M.ms.fd OVMF_VARS_4M.snakeoil.fd"
for c in $CODE2M; do for v in $VARS2M; do
	t 0 out "fits $O_/$c (CODE's TDX metadata: varstore raw 0x20000 bytes at 0xffe00000)" $F check $O_/$v --code $O_/$c
done; for v in $VARS4M; do
	t 1 err 'FvLength 0x84000, CODE expects 0x20000 (TDX metadata CFV raw size)' $F check $O_/$v --code $O_/$c
done; done
for c in $CODE4M; do for v in $VARS4M; do
	t 0 out 'judged by CODE size 0x37c000 (4M layout): CODE has no TDX metadata' $F check $O_/$v --code $O_/$c
done; for v in $VARS2M; do
	t 1 err 'FvLength 0x20000, CODE expects 0x84000 (4M layout, by CODE size 0x37c000)' $F check $O_/$v --code $O_/$c
done; done
t 0 out 'same layout as the template'                  $F check $O_/OVMF_VARS_4M.ms.fd --template $O_/OVMF_VARS_4M.fd
t 1 err 'variable store Size 0xdfb8, template has 0x3ffb8' $F check $O_/OVMF_VARS.fd --template $O_/OVMF_VARS_4M.fd
t 1 err 'FTW working block at 0xf000, template has 0x41000' $F check $O_/OVMF_VARS.fd --template $O_/OVMF_VARS_4M.fd
t 1 err 'varstore FV: FileSystemGuid 8c8ce578-8a3d-4f1c-9935-896185c32dd3, expected' $F check $O_/OVMF_CODE.fd
t 1 err 'a unified image (VARS + CODE): check takes VARS' $F check $REF/usr/share/ovmf/OVMF.fd
$F check --json $O_/OVMF_VARS.fd --code $O_/OVMF_CODE_4M.fd > $S/c.json 2>/dev/null
ok 'check --json: the reason'                          python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); f=d["files"][0]
assert d["ok"] is False and d["failed"] == 1 and f["ok"] is False and f["errors"]==["FvLength 0x20000, CODE expects 0x84000 (4M layout, by CODE size 0x37c000)"]' $S/c.json

# one JSON shape whatever is given: the document's keys and each file's keys,
# for one good file, an unreadable one and a unified image alike
shape='import json, sys
doc = {"fdsplit", "command", "code", "template", "files", "checked", "failed", "ok", "errors", "warnings", "notes"}
one = {"file", "code", "judged_by", "live", "boot", "ok", "errors", "warnings", "notes"}
d = json.load(open(sys.argv[1]))
assert set(d) == doc and d["command"] == "check" and d["checked"] == len(d["files"]) == int(sys.argv[2]), d
assert all(set(f) == one for f in d["files"]), [sorted(f) for f in d["files"]]
assert d["ok"] == (sys.argv[3] == "ok") and all(e for f in d["files"] for e in f["errors"]), d'
t 2 err 'fdsplit: '"$S"'/nope.fd: '                       $F check --json $S/nope.fd
$F check --json $S/nope.fd > $S/s1.json 2>/dev/null
ok 'check --json, an unreadable file: the whole document, its error'  python3 -c "$shape" $S/s1.json 1 failed
$F check --json $REF/usr/share/ovmf/OVMF.fd > $S/s2.json 2>/dev/null
ok 'check --json, a unified image: the whole document, its error'     python3 -c "$shape" $S/s2.json 1 failed
$F check --json $O_/OVMF_VARS_4M.fd $S/nope.fd > $S/s3.json 2>/dev/null
ok 'check --json, two files: the same shape'                          python3 -c "$shape" $S/s3.json 2 failed
$F check --json $O_/OVMF_VARS_4M.fd > $S/s4.json
ok 'check --json, one good file: the same shape, no findings'         python3 -c "$shape
assert d[\"files\"][0][\"errors\"] == [] and d[\"errors\"] == []" $S/s4.json 1 ok
$F check --json --code $O_/OVMF_VARS.fd $O_/OVMF_VARS_4M.fd > $S/s5.json 2>/dev/null
ok 'check --json, a CODE that is not one: the whole document, nothing judged, the CODE named' python3 -c "$shape
assert d[\"errors\"] == [\"not a CODE image (a firmware volume that is not the varstore)\"]" $S/s5.json 0 failed
$F info --json $S/nope.fd > $S/s6.json 2>/dev/null
ok 'info --json, an unreadable file: an object with its error'        python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); f = d["files"][0]
assert d["ok"] is False and f["ok"] is False and f["kind"] is None and f["errors"] and f["notes"] == [], d' $S/s6.json

# --- corruptions of a real varstore: exit 1 naming the field, never a crash ---------------------
V=$O_/OVMF_VARS_4M.ms.fd
corrupt() { cp $V $S/bad.fd; patch $S/bad.fd "$1" "$2"; }
corrupt 0x32 0000;     t 1 err 'varstore FV at 0x0: header checksum 0x0000 does not sum to zero' $F check $S/bad.fd
corrupt 0x10 00;       t 1 err 'varstore FV: FileSystemGuid fff12b00-7696-4c8b-a985-2747075b4f50, expected' $F check $S/bad.fd
corrupt 0x20 00300800; t 1 err 'FvLength 0x83000, file size 0x84000' $F check $S/bad.fd
corrupt 0x3c 00080000; t 1 err 'block size 0x800, expected 0x1000' $F check $S/bad.fd
corrupt 0x28 5f465649; t 1 err 'signature 0x4956465f, expected "_FVH"' $F check $S/bad.fd
corrupt 0x88 00ffffff; t 1 err 'variable 0 at 0x64: NameSize 0xffffff00 + DataSize 0x1 run past the store end 0x40000' $F check $S/bad.fd
corrupt 0x8c 00fffff0; t 1 err 'variable 0 at 0x64: NameSize 0x16 + DataSize 0xf0ffff00 run past' $F check $S/bad.fd
corrupt 0x210 3412;    t 1 err 'variable 5 at 0x210: StartId 0x1234, expected 0x55aa' $F check $S/bad.fd
corrupt 0x41010 00;    t 1 err 'FTW working block CRC 0x642caf00, expected 0x642caf2c' $F check $S/bad.fd
corrupt 0x41000 00;    t 1 err 'FTW working block at 0x41000: signature' $F check $S/bad.fd
corrupt 0x5d 00;       t 1 err 'variable store header: State 0x00, expected 0xfe (healthy)' $F check $S/bad.fd
corrupt 0x58 ffffff7f; t 1 err 'variable store header: Size 0x7fffffff does not fit the file' $F check $S/bad.fd
corrupt 0x30000 00;    t 1 err 'free space from 0x' $F check $S/bad.fd
ok 'the corrupted inputs were never modified by the tool' cmp -s $V $REF/usr/share/OVMF/OVMF_VARS_4M.ms.fd
# truncated at every 4 KiB boundary (4M and 2M varstores): always exit 1 with a message
for ((k = 0; k < 0x84000; k += 0x1000)); do
	head -c $k $V > $S/cut.fd
	t 1 err "fdsplit: $S/cut.fd: " $F info $S/cut.fd
done
for ((k = 0x1000; k < 0x20000; k += 0x1000)); do
	head -c $k $O_/OVMF_VARS.fd > $S/cut.fd
	t 1 err "fdsplit: $S/cut.fd: " $F check $S/cut.fd
done

# --- migrate: a VM's variables into another varstore layout --------------------------------
t 2 err 'fdsplit: migrate needs --template TEMPLATE and -o OUT' $F migrate $O_/OVMF_VARS.ms.fd -o $S/m.fd
t 2 err 'fdsplit: migrate takes one OLD varstore'      $F migrate --template $O_/OVMF_VARS_4M.fd -o $S/m.fd
t 2 err 'fdsplit: the output names an input'           $F migrate $S/VARS.fd --template $O_/OVMF_VARS_4M.fd -o $S/VARS.fd
t 2 err 'fdsplit: check does not take --force-readable (check takes --json, --code and --template)' $F check --force-readable $O_/OVMF_VARS.fd
t 2 err 'fdsplit: --prefer-template: up to 16 variable names, comma-separated' $F migrate $O_/OVMF_VARS.fd --prefer-template PK,,db --template $O_/OVMF_VARS_4M.fd -o $S/m.fd
# Debian's Microsoft-enrolled 2M store onto the 4M template: every variable, PK/KEK/db/dbx byte for byte
t 0 out "$S/ms-4m.fd: 31 variables from $O_/OVMF_VARS.ms.fd, 0 kept from the template, 0 replaced; 0x485b bytes used, 0x3b741 free in the 0x3ffb8-byte store; fits $O_/OVMF_CODE_4M.secboot.fd" \
	$F migrate $O_/OVMF_VARS.ms.fd --template $O_/OVMF_VARS_4M.fd --code $O_/OVMF_CODE_4M.secboot.fd -o $S/ms-4m.fd
t 0 out 'same layout as the template'                  $F check $S/ms-4m.fd --code $O_/OVMF_CODE_4M.secboot.fd --template $O_/OVMF_VARS_4M.fd
ok 'migrate: PK, KEK, db and dbx moved byte for byte'  python3 tests/pkg/samekeys.py $F $S/ms-4m.fd $O_/OVMF_VARS.ms.fd
ok 'migrate: the same variable names live, in the same order' bash -c "
	diff <($F info $O_/OVMF_VARS.ms.fd | grep -o 'variable @0x[0-9a-f]*: [A-Za-z0-9 ]*[A-Za-z0-9].* state 0x3f added' | sed 's/@0x[0-9a-f]*//') \
	     <($F info $S/ms-4m.fd | grep -o 'variable @0x[0-9a-f]*: [A-Za-z0-9 ]*[A-Za-z0-9].* state 0x3f added' | sed 's/@0x[0-9a-f]*//')"
# and back to 2M; a unified OVMF.fd gives its VARS part
t 0 out '31 variables from'                            $F migrate $S/ms-4m.fd --template $O_/OVMF_VARS.fd -o $S/ms-2m.fd
ok 'migrate: 2M -> 4M -> 2M gives the same live variables' python3 tests/pkg/samekeys.py $F $S/ms-2m.fd $O_/OVMF_VARS.ms.fd
t 0 out "$S/u.fd: 0 variables from $REF/usr/share/ovmf/OVMF.fd" $F migrate $REF/usr/share/ovmf/OVMF.fd --template $O_/OVMF_VARS_4M.fd -o $S/u.fd
# both hold the variable: the old store's copy wins, unless the template's is asked for
t 0 out '31 replaced (CustomMode, '                    $F migrate $O_/OVMF_VARS_4M.ms.fd --template $O_/OVMF_VARS_4M.snakeoil.fd -o $S/r.fd
t 0 out '2 variables kept from the template as asked (--prefer-template)' \
	$F migrate $O_/OVMF_VARS_4M.ms.fd --template $O_/OVMF_VARS_4M.snakeoil.fd --prefer-template PK,KEK -o $S/p.fd
ok 'migrate --prefer-template PK,KEK: the template'"'"'s PK, the old db' bash -c "
	! python3 tests/pkg/samekeys.py $F $S/p.fd $O_/OVMF_VARS_4M.ms.fd >/dev/null &&
	! python3 tests/pkg/samekeys.py $F $S/p.fd $O_/OVMF_VARS_4M.snakeoil.fd >/dev/null"
$F migrate --json $O_/OVMF_VARS.ms.fd --template $O_/OVMF_VARS_4M.fd -o $S/j.fd > $S/m.json
ok 'migrate --json: the counts'                        python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["command"] == "migrate" and d["ok"] and d["copied"] == 31 and d["kept"] == 0 and d["used"] == 0x485b, d' $S/m.json
# refusals: nothing written
rm -f $S/no.fd
t 1 err 'not a varstore template'                      $F migrate $O_/OVMF_VARS.ms.fd --template $O_/OVMF_CODE_4M.fd -o $S/no.fd
t 1 err 'not a varstore or a unified OVMF image'       $F migrate $O_/OVMF_CODE.fd --template $O_/OVMF_VARS_4M.fd -o $S/no.fd
t 1 err 'FvLength 0x20000, CODE expects 0x84000'       $F migrate $O_/OVMF_VARS.ms.fd --template $O_/OVMF_VARS.fd --code $O_/OVMF_CODE_4M.secboot.fd -o $S/no.fd
# a 4M store holding more than the 2M store's 0xdf9c bytes of variables (three of 20000 bytes)
python3 - "$O_/OVMF_VARS_4M.fd" "$S/big-4m.fd" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off, guid = 0x64, bytes(range(16))
for i in range(3):
    name = ("Big%d" % i).encode("utf-16-le") + b"\0\0"
    data = bytes([i]) * 20000
    hdr = struct.pack("<HBBIQ16sIIII", 0x55AA, 0x3F, 0, 7, 0, bytes(16), 0, len(name), len(data), 0)[:0x2C] + guid
    b[off:off + 60 + len(name) + len(data)] = hdr + name + data
    off = (off + 60 + len(name) + len(data) + 3) & ~3
open(sys.argv[2], "wb").write(b)
PY
t 0 out 'ok, authenticated varstore 0x84000 bytes, 3 live variables' $F check $S/big-4m.fd
t 1 err '3 live variables take 0xeb36 bytes, the template'"'"'s store holds 0xdf9c (Size 0xdfb8): 2970 bytes too many' \
	$F migrate $S/big-4m.fd --template $O_/OVMF_VARS.fd -o $S/no.fd
t 1 err "fdsplit: $S/no.fd: not written"              $F migrate $S/big-4m.fd --template $O_/OVMF_VARS.fd -o $S/no.fd
ok 'refused migrations write nothing'                  test ! -e $S/no.fd
# an old store that fails check: refused, or with --force-readable the records before the damage
cp $O_/OVMF_VARS.ms.fd $S/torn.fd
# the StartId of the 20th record: the walk stops there
at=$($F info --json $O_/OVMF_VARS.ms.fd | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["vars"]["variables"][19]["offset"])')
printf '\x00\x00' | dd of=$S/torn.fd bs=1 seek=$at conv=notrunc status=none
t 1 err 'fails fdsplit check (above): refusing to migrate it' $F migrate $S/torn.fd --template $O_/OVMF_VARS_4M.fd -o $S/no.fd
t 0 out "$S/forced.fd: 10 variables from $S/torn.fd"   $F migrate --force-readable $S/torn.fd --template $O_/OVMF_VARS_4M.fd -o $S/forced.fd
t 0 out 'ok, authenticated varstore'                   $F check $S/forced.fd

# --- check over many varstores: every VM's nvram before a CODE upgrade ---------------------
mkdir -p $S/nvram
cp $O_/OVMF_VARS_4M.fd $S/nvram/vm1_VARS.fd
cp $O_/OVMF_VARS_4M.ms.fd $S/nvram/vm2_VARS.fd
cp $O_/OVMF_VARS.fd $S/nvram/vm3_VARS.fd
t 1 out "$S/nvram/vm3_VARS.fd: FAILED: FvLength 0x20000, CODE expects 0x84000" $F check --code $O_/OVMF_CODE_4M.fd $S/nvram/*.fd
t 1 out "3 varstores: 2 ok, 1 failed against $O_/OVMF_CODE_4M.fd" $F check --code $O_/OVMF_CODE_4M.fd $S/nvram/*.fd
t 1 out "$S/nvram/vm2_VARS.fd: ok, authenticated varstore 0x84000 bytes, 31 live variables; fits" $F check --code $O_/OVMF_CODE_4M.fd $S/nvram/*.fd
t 0 out '2 varstores: 2 ok, 0 failed'                  $F check --code $O_/OVMF_CODE_4M.fd $S/nvram/vm1_VARS.fd $S/nvram/vm2_VARS.fd
t 2 out '1 failed'                                     $F check --code $O_/OVMF_CODE_4M.fd $S/nvram/vm1_VARS.fd $S/nvram/nope.fd
t 1 err 'not a CODE image'                             $F check --code $O_/OVMF_VARS.fd $S/nvram/vm1_VARS.fd $S/nvram/vm2_VARS.fd
$F check --json --code $O_/OVMF_CODE_4M.fd $S/nvram/*.fd > $S/many.json 2>/dev/null
ok 'check --json over several files: one object a file, the counts' python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["checked"] == 3 and d["failed"] == 1 and d["ok"] is False, d
assert [f["ok"] for f in d["files"]] == [True, True, False] and d["files"][1]["live"] == 31, d["files"]' $S/many.json

# --- the FTW working block header as EDK2 judges it: byte for byte, only Crc and the
# two state bits left out (a reserved byte changed: invalid, whatever the CRC field says)
cp $O_/OVMF_VARS_4M.fd $S/ftw-reserved.fd
printf '\xfe' | dd of=$S/ftw-reserved.fd bs=1 seek=$((0x41015)) conv=notrunc status=none
t 1 err "fdsplit: $S/ftw-reserved.fd: FTW working block CRC 0x642caf2c, expected 0xa5a270ec" $F check $S/ftw-reserved.fd
t 1 err 'fails fdsplit check (above): refusing to migrate it' $F migrate $S/ftw-reserved.fd --template $O_/OVMF_VARS.fd -o $S/no.fd
t 1 err "is not valid and the spare holds no copy of it: OVMF starts an empty write queue" $F check $S/ftw-reserved.fd

# --- stores caught in the middle of a write (tests/gen: gen_vars_torn), read as OVMF reads
# them at boot: its flash driver first, then the FTW restart, then the variable driver
G=$GEN
# the variable driver's reclaim, cut while OVMF copied the spare back: 9 of 24 on disk
t 0 out "$G/torn-restart.fd: ok, authenticated varstore 0x20000 bytes, 24 live variables; write in progress: the firmware will restore 24 variables from the spare (SMM builds; 0xe000 bytes to 0x0; 9 live on disk)" \
	$F check $G/torn-restart.fd
t 0 err 'note: on disk, replaced at boot: variable 9 at 0x3010: NameSize 0xffffffff' $F check $G/torn-restart.fd
# measured in tests/migrate: only SMM builds hand the spare to the variable driver before it reads
t 0 err 'warning: a build without SMM (as Debian'"'"'s OVMF_CODE_4M.fd) reads the torn store before FTW restores it' $F check $G/torn-restart.fd
# the same cut in the 4M layout: its working block, spare and store where the 4M store has them
t 0 out "$G/torn-restart-4m.fd: ok, authenticated varstore 0x84000 bytes, 24 live variables; write in progress: the firmware will restore 24 variables from the spare (SMM builds; 0x40000 bytes to 0x0; 9 live on disk)" \
	$F check $G/torn-restart-4m.fd
t 0 out "$S/torn-4m-to-2m.fd: 24 variables from $G/torn-restart-4m.fd"             $F migrate $G/torn-restart-4m.fd --template $O_/OVMF_VARS.fd -o $S/torn-4m-to-2m.fd
t 0 out '  at boot: write in progress: the firmware will restore 24 variables'       $F info $G/torn-restart.fd
t 0 out '  variables: 24 live, 0 deleted, 24 records'                                $F info $G/torn-restart.fd
t 0 out "$S/torn-4m.fd: 24 variables from $G/torn-restart.fd"                       $F migrate $G/torn-restart.fd --template $O_/OVMF_VARS_4M.fd -o $S/torn-4m.fd
t 0 out 'ok, authenticated varstore 0x84000 bytes, 24 live variables'                $F check $S/torn-4m.fd
$F check --json $G/torn-restart.fd > $S/torn.json 2>/dev/null
ok 'check --json: what the firmware does at boot, and the live counts' python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))["files"][0]; b = d["boot"]
assert d["ok"] and d["live"] == 24 and b["action"] == "restart" and b["disk_live"] == 9, d
# restored at boot: not an error; without --code a warning that builds without SMM do not restore it
assert d["errors"] == [] and len(d["warnings"]) == 1 and "without SMM" in d["warnings"][0], d
assert b["target"] == 0 and b["length"] == 0xe000 and len([v for v in b["variables"] if v["live"]]) == 24, b' $S/torn.json
# the spare copy was cut: OVMF drops the write, the store is read as it is
t 0 out 'an interrupted write whose spare copy was not complete: the firmware drops it' $F check $G/torn-discard.fd
t 0 out '24 live variables'                                                          $F check $G/torn-discard.fd
# an interrupted reclaim of the working block itself: restored from the spare
t 0 out "24 live variables; the FTW working block is not valid: the firmware restores it from the spare's copy" $F check $G/torn-workspace.fd
# judged against a CODE: an SMM build (FaultTolerantWritePei) restores before it reads; a
# build without SMM reads the torn store (measured in tests/migrate): check fails for it
t 0 out '  FaultTolerantWritePei: no (a build without SMM'          $F info $O_/OVMF_CODE.fd
t 0 out '  FaultTolerantWritePei: yes (an SMM build'                 $F info $O_/OVMF_CODE_4M.secboot.fd
t 0 out '  FaultTolerantWritePei: no (a build without SMM'          $F info $REF/usr/share/ovmf/OVMF.fd
t 1 err 'the CODE has no FaultTolerantWritePei (a build without SMM): it reads the torn store before FTW restores it' \
	$F check $G/torn-restart.fd --code $O_/OVMF_CODE.fd
t 0 out 'write in progress: the firmware will restore 24 variables from the spare' $F check $G/torn-restart.fd --code $O_/OVMF_CODE.secboot.fd
ok 'check --code an SMM build: no warning left to give' bash -c "! $F check $G/torn-restart.fd --code $O_/OVMF_CODE.secboot.fd 2>&1 >/dev/null | grep -q warning"
t 0 out 'variables: 24 live'                            $F info $G/torn-discard.fd
# cut before the FV header was rewritten: OVMF's flash driver erases the store before FTW runs
t 1 err 'OVMF erases this varstore at boot, every variable lost (its flash driver finds the FV header not valid: FV signature 0xffffffff at 0x28' \
	$F check $G/torn-reformat.fd
t 1 err "note: the interrupted write's copy in the spare holds 24 variables; OVMF does not restore them" $F info $G/torn-reformat.fd
t 1 err 'refusing to migrate a varstore the firmware would erase (above); --force-readable copies the 24 variables of the interrupted write' \
	$F migrate $G/torn-reformat.fd --template $O_/OVMF_VARS_4M.fd -o $S/no.fd
ok 'the refused migration wrote nothing'               test ! -e $S/no.fd
t 0 out "$S/rescued.fd: 24 variables from $G/torn-reformat.fd" $F migrate --force-readable $G/torn-reformat.fd --template $O_/OVMF_VARS_4M.fd -o $S/rescued.fd
t 0 out '24 live variables'                            $F check $S/rescued.fd
# a pending write whose target the firmware cannot reach: no prediction, no migration
t 1 err 'cannot tell what OVMF makes of this varstore at boot: the pending FTW write to Lba 0x1000 (0xe000 bytes) would overwrite the FTW working block or spare at 0xf000' \
	$F check $G/torn-unknown.fd
t 1 err 'refusing to migrate a varstore the firmware would not read as it is'       $F migrate $G/torn-unknown.fd --template $O_/OVMF_VARS_4M.fd -o $S/no.fd
