/* SPDX-License-Identifier: MIT */
/* File I/O for the tools' mains: whole-file reads and atomic writes. */
#ifndef FWSLOT_IO_H
#define FWSLOT_IO_H

#include <stddef.h>
#include <stdint.h>

#define IO_MAX_FILE (UINT64_C(256) << 20) /* firmware images are far smaller */

/*
 * Reads the whole regular file into a malloc'd buffer (caller frees). On error
 * returns -1 and writes "what happened" (no file name) into err.
 */
int io_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errsz);

/*
 * Writes the concatenation of nparts buffers to path atomically: an unnamed
 * O_TMPFILE in the same directory, fsync, then linked as path (new file) or
 * linked as "path.tmp.PID" and renamed over path (existing file), fsync of
 * the directory. The target never holds partial data; a process killed while
 * writing leaves no file (only a kill between that link and the rename leaves
 * path.tmp.PID); on error the temp file is removed.
 * A part with data == NULL is len bytes of the byte `fill`.
 */
struct io_part {
	const uint8_t *data;
	size_t len;
	uint8_t fill;
};
int io_write_atomic(const char *path, const struct io_part *parts, size_t nparts,
		    char *err, size_t errsz);

/* 1 if a and b name the same existing file (same device and inode). */
int io_same_file(const char *a, const char *b);

#endif
