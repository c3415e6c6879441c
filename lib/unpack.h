/* SPDX-License-Identifier: MIT */
/* The first bytes of compressed data, bounded on both sides: how much is read and how much comes out. */
#ifndef FWSLOT_UNPACK_H
#define FWSLOT_UNPACK_H
/*
 * Saved VMs come compressed: a libvirt save image's stream as libvirt wrote it
 * (`virsh save` with save_image_format: gzip, bzip2, xz, zstd; qemu_saveimage.c
 * runs the program, which writes its own container), a qcow2 cluster as QEMU
 * wrote it (block/qcow2-threads.c: zlib as raw deflate with a 4 KiB window,
 * inflateInit2(-12), or one zstd frame, padded to a 512-byte sector). The
 * real libraries decode them (zlib, libbz2, liblzma, libzstd), allocating
 * through lib/'s malloc so out of memory is reported like any other; what a
 * header can ask for is capped (UNPACK_MEMORY: xz's dictionary, zstd's
 * window), so a hostile header cannot inflate an allocation.
 */
#include <lzma.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define UNPACK_MEMORY (64u << 20) /* what a decoder may allocate, whatever its header asks */

enum unpack_format {
	UNPACK_GZIP,    /* gzip members (RFC 1952) */
	UNPACK_BZIP2,   /* bzip2 streams */
	UNPACK_XZ,      /* .xz streams */
	UNPACK_ZSTD,    /* zstd frames */
	UNPACK_DEFLATE, /* raw deflate, 4 KiB window: a qcow2 zlib cluster */
};

/* Reads n bytes at off into buf; 0, or -1 when they are not all there (as qcow2_read_fn). */
typedef int (*unpack_read_fn)(void *ctx, uint64_t off, uint8_t *buf, size_t n);

const char *unpack_format_name(enum unpack_format f);

/* liblzma through lib/'s malloc (out of memory inside liblzma is lib/'s to report); fvmodule.c uses it too */
extern const lzma_allocator unpack_lzma_allocator;

/*
 * Decodes the compressed bytes at [off, off + in_len), read through rd a
 * chunk at a time, into out until cap bytes are out, the data ends, or in_len
 * bytes are read, whichever comes first; *got: bytes out, *ended: 1 when the
 * data ended (the last stream or frame closed and no input is left). LIB_OK
 * (a prefix of the whole when *got == cap); LIB_REFUSED naming the format and
 * what the library said, with the offset; LIB_NO_MEMORY.
 */
enum lib_result unpack_prefix(enum unpack_format f, unpack_read_fn rd, void *ctx, uint64_t off, uint64_t in_len,
			      uint8_t *out, size_t cap, size_t *got, int *ended, struct diag *d);

#endif
