/* SPDX-License-Identifier: MIT */
/* The device -> default romfile table (pkg/romdevs.conf): which QEMU devices load a firmware file. */
#ifndef FWSLOT_ROMDEVS_H
#define FWSLOT_ROMDEVS_H
/*
 * Text, one entry per line, '#' starts a comment:
 *   DEVICE  ROMFILE  [block=NAME]    the file QEMU loads for it by default, and
 *                                    the name of the ROM block it maps for it
 *                                    (after the device's PCI path: e1000.rom)
 *   DEVICE  ROMFILE  MACHINE[,...]   the file it loads on these (older)
 *                                    machine types instead (pc-i440fx-1.4:
 *                                    e1000 pxe-e1000.rom)
 * DEVICE is a QEMU device type (e1000, virtio-net-pci, VGA), ROMFILE a file
 * name (qom-get .../romfile). Generated from QEMU itself by
 * tests/qemu/romdevs.py.
 */
#include <stddef.h>

#include "diag.h"

#define ROMDEVS_MAX      256
#define ROMDEVS_NAME_MAX 64
#define ROMDEVS_MACHINES_MAX 256
#define ROMDEVS_MACHINE "machine" /* the DEVICE of the rows for the BIOS each machine type loads (pc.bios) */

struct romdev {
	char device[ROMDEVS_NAME_MAX];
	char romfile[ROMDEVS_NAME_MAX];
	char machines[ROMDEVS_MACHINES_MAX]; /* "" for the default; else comma-separated machine types */
	char block[ROMDEVS_NAME_MAX];        /* default rows: the ROM block's name, "" when not given */
};

struct romdevs {
	size_t n;
	struct romdev e[ROMDEVS_MAX];
};

/* Parses text[0..len). Errors name the line. Returns LIB_OK, or LIB_REFUSED. */
enum lib_result romdevs_parse(const char *text, size_t len, struct romdevs *t, struct diag *d);

/* Writes the devices that load file (a file name, no directory), blank-separated,
 * into buf ("" when none); one that loads it on older machine types only is
 * followed by them: "e1000 (pc-i440fx-1.4)"; the machine's own BIOS is "the
 * machine's BIOS". Returns how many. Truncates at bufsz. */
size_t romdevs_for(const struct romdevs *t, const char *file, char *buf, size_t bufsz);

/*
 * The files that devices mapping ROM block `block` ("e1000.rom") load on
 * `machine` (a machine type; "" or one no row names: the default files):
 * up to max distinct names into files[], their devices blank-separated into
 * devs. Returns how many distinct files (0: no device maps that block).
 */
size_t romdevs_files_for_block(const struct romdevs *t, const char *block, const char *machine,
			       const char **files, size_t max, char *devs, size_t devsz);

#endif
