/* SPDX-License-Identifier: MIT */
/* romsize blame: the largest sections and symbols of the ELF an image was linked from. */
#ifndef FWSLOT_BLAME_H
#define FWSLOT_BLAME_H

/* Prints the TOP largest allocated sections and symbols. Returns the exit status. */
int cmd_blame(const char *path, unsigned top, int json);

#endif
