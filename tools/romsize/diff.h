/* SPDX-License-Identifier: MIT */
/* romsize diff: compare the QEMU regions of two firmware trees. */
#ifndef ROMSIZE_DIFF_H
#define ROMSIZE_DIFF_H

#include "romdevs.h"
#include "slots.h"
#include "statejudge.h"

struct diff_tables {
	const struct slot_manifest *slots; /* names the firmware files */
	const struct romdevs *devs;        /* names the devices that load them */
	int allow_removed;                 /* removed images are listed, not failed */
	int overlay;                       /* NEW is a package installed over OLD */
	const char *code;                  /* a saved state's CODE file name (--code) */
	const char *machine;               /* its machine type, when the stream names none (--machine) */
};

/*
 * Finds the firmware files QEMU would load from each tree, sizes their RAM
 * blocks as QEMU does (pc.bios and pflash: file size; PCI ROM: pow2ceil) and
 * compares VARS template layouts. Prints a line per changed, removed, added or
 * resized image and a summary (or JSON). Returns 0 when no QEMU-visible size
 * or layout changed and nothing was removed, 1 otherwise, 2 on I/O trouble.
 */
int cmd_diff(const struct diff_tables *t, const char *old_root, const char *new_root, int json);

/*
 * The firmware files QEMU would find in a tree, by name and size (as diff
 * collects them): *set and *names malloc'd (free both). 0, or 2 on trouble.
 */
int diff_file_sizes(const struct diff_tables *t, const char *root, struct fw_size **set, size_t *n,
		    char (**names)[SLOTS_NAME_MAX]);

/*
 * romsize diff STATE NEW: a saved VM (a QEMU migration stream, a libvirt
 * save image, a qcow2 image's internal snapshots) against the tree NEW:
 * whether each state's RAM blocks load on NEW's files (state.c). Returns 0
 * when every state loads, 1 when one does not (or cannot be judged), 2 on
 * trouble.
 */
int cmd_diff_state(const struct diff_tables *t, const char *state, const char *new_root, int json);

#endif
