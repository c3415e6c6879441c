/* SPDX-License-Identifier: MIT */
/* romsize diff: compare the QEMU regions of two firmware trees. */
#ifndef ROMSIZE_DIFF_H
#define ROMSIZE_DIFF_H

#include "romdevs.h"
#include "slots.h"

struct diff_tables {
	const struct slot_manifest *slots; /* names the firmware files */
	const struct romdevs *devs;        /* names the devices that load them */
	int allow_removed;                 /* removed images are listed, not failed */
	int overlay;                       /* NEW is a package installed over OLD */
};

/*
 * Finds the firmware files QEMU would load from each tree, sizes their RAM
 * blocks as QEMU does (pc.bios and pflash: file size; PCI ROM: pow2ceil) and
 * compares VARS template layouts. Prints a line per changed, removed, added or
 * resized image and a summary (or JSON). Returns 0 when no QEMU-visible size
 * or layout changed and nothing was removed, 1 otherwise, 2 on I/O trouble.
 */
int cmd_diff(const struct diff_tables *t, const char *old_root, const char *new_root, int json);

#endif
