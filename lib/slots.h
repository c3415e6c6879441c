/* SPDX-License-Identifier: MIT */
/* The slot manifest (pkg/slots.conf): which size, kind and PCI id each shipped image has. */
#ifndef FWSLOT_SLOTS_H
#define FWSLOT_SLOTS_H
/*
 * Text, one entry per line, fields separated by blanks, '#' starts a comment:
 *   NAME  SLOT  KIND  [VENDOR:DEVICE | -]
 * NAME is a file name without a directory; SLOT a size string (size.h);
 * KIND bios, optionrom, vga or flash; the PCI id in hex, optionrom/vga only.
 */
#include <stddef.h>

#include "diag.h"
#include "image.h"

#define SLOTS_MAX      256
#define SLOTS_NAME_MAX 128

struct slot_entry {
	char name[SLOTS_NAME_MAX];
	struct slot_spec spec;
	unsigned line;
};

struct slot_manifest {
	size_t n;
	struct slot_entry e[SLOTS_MAX];
};

/* Parses text[0..len) (need not be NUL-terminated). Errors name the line:
 * "line 12: unknown kind 'rom'". Returns LIB_OK, or LIB_REFUSED with nothing usable. */
enum lib_result slots_parse(const char *text, size_t len, struct slot_manifest *m, struct diag *d);

/* The entry whose NAME equals the last path component of path, or NULL. */
const struct slot_entry *slots_find(const struct slot_manifest *m, const char *path);

#endif
