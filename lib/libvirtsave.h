/* SPDX-License-Identifier: MIT */
/* libvirt's save image header (virsh save, managed save): where the QEMU stream starts, and what the domain XML names. */
#ifndef FWSLOT_LIBVIRTSAVE_H
#define FWSLOT_LIBVIRTSAVE_H
/*
 * libvirt 9.0 src/qemu/qemu_saveimage.h l.27-44, qemu_saveimage.c
 * (virQEMUSaveDataWrite l.136, qemuSaveImageOpen l.431); 11.3
 * qemuSaveImageReadHeader. Written raw in the host's byte order (libvirt
 * swaps when the version reads wrong), 92 bytes:
 *   0  magic[16] "LibvirtQemudSave" ("LibvirtQemudPart" while written)
 *   16 u32 version (2)   20 u32 data_len   24 u32 was_running
 *   28 u32 format (0 raw, 1 gzip, 2 bzip2, 3 xz, 4 lzop, 5 zstd, 6 sparse)
 *   32 u32 cookieOffset  36 u32 unused[14]
 * then data_len bytes: the domain XML, NUL-terminated, a cookie, padding;
 * the QEMU stream starts at 92 + data_len, compressed as format says.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define LIBVIRT_SAVE_HDR      92
#define LIBVIRT_SAVE_DATA_MAX (16u << 20)

enum libvirt_format { LV_RAW, LV_GZIP, LV_BZIP2, LV_XZ, LV_LZOP, LV_ZSTD, LV_SPARSE, LV_FORMATS };

struct libvirt_save {
	uint32_t version, data_len, format;
	uint64_t stream_off;      /* 92 + data_len */
	char machine[128];        /* <type machine='...'>, "" when absent */
	char loader[256];         /* the <loader> file's base name, "" when absent */
};

/*
 * Reads the header from p[0..len) (at least 92 bytes; with the XML when
 * len reaches 92 + data_len). LIB_OK, or LIB_REFUSED: not a save image, one
 * still being written, a version or data length libvirt refuses, or a
 * format other than raw, gzip, xz or sparse (h->format says which).
 */
enum lib_result libvirt_save_parse(const uint8_t *p, size_t len, struct libvirt_save *h, struct diag *d);

const char *libvirt_format_name(uint32_t format);

#endif
