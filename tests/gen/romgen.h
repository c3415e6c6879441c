/* SPDX-License-Identifier: MIT */
/* Builders for tiny, valid firmware images; tests corrupt them field by field. */
#ifndef ROMGEN_H
#define ROMGEN_H

#include <stddef.h>
#include <stdint.h>

#define GEN_PCIR_OFF 0x40   /* where the builder puts the PCIR structure */
#define GEN_CSUM_OFF 0x06   /* checksum fix-up byte, as iPXE and SeaBIOS keep it */
#define GEN_EFI_PE   0x60   /* where the builder puts the "MZ" of an EFI image */

struct gen_image {
	uint32_t length;        /* bytes, a multiple of 512 */
	uint8_t code_type;      /* 0 x86, 3 EFI */
	uint16_t vendor, device;
	uint8_t class_base;     /* 0x02 network, 0x03 display */
	int last;
	int pcir;               /* 0: ISA style, no PCIR */
};

#define GEN_PE_LFANEW 0x40 /* "PE\0\0" this far after the MZ */
#define GEN_PE_SIZE   0x100 /* bytes of the minimal PE header gen_pe writes */

/* A minimal PE/COFF header at out: MZ, e_lfanew, PE signature, machine, subsystem. */
void gen_pe(uint8_t *out, uint16_t machine, uint16_t subsystem);

/*
 * Encodes data[0..n) in the UEFI compression format at out[0..cap): header,
 * then blocks whose tables give literals 0..254 8-bit codes, 255 and the
 * 3-byte match a 9-bit code, and one position (distance 1). Runs of a byte
 * become matches when rle is set. Returns the bytes written, 0 if cap is short.
 */
size_t gen_efi_compress(uint8_t *out, size_t cap, const uint8_t *data, size_t n, int rle);

/* Writes one image at out[0..length) (caller zeroed it) with a valid checksum. */
void gen_image(uint8_t *out, const struct gen_image *g);
/* Recomputes the legacy checksum byte of the image at out. */
void gen_fix_checksum(uint8_t *out, uint32_t init_size);
/* A BIOS image of size bytes: zeros, some code, a far jmp F000:E05B on top. */
void gen_bios(uint8_t *out, size_t size, size_t lead_zero);

/*
 * An OVMF CODE image of GEN_CODE_SIZE bytes, laid out as EDK2's
 * ResetVectorVtf0.asm and IntelTdxMetadata.asm do: volumes from offset 0, the
 * reset-vector GUID table read backwards from end - 0x30, and a TDX
 * descriptor "TDVF" at GEN_CODE_TDVF_OFF.
 */
#define GEN_CODE_SIZE 0x4000
#define GEN_CODE_TDVF_OFF 0x3000
/* An FFS2 volume of fvlen bytes at off, HeaderLength 0x48, valid checksum. */
void gen_code_fv(uint8_t *img, size_t off, uint64_t fvlen);
/*
 * The GUID table (a TDX offset entry tdx_from_end, another entry, the length
 * plus table_len_delta, the footer) and a TDX descriptor of tdvf_len bytes
 * with nsec sections (BFV, CFV).
 */
void gen_code_table(uint8_t *img, uint16_t table_len_delta, uint32_t tdx_from_end, uint32_t nsec, uint32_t tdvf_len);
/* A well-formed CODE: 0xFF, two 4 KiB volumes, the table, TDX with a CFV. */
void gen_code_good(uint8_t *img);

/*
 * An empty authenticated OVMF varstore of len bytes (0x20000 for the 2M
 * layout, 0x84000 for 4M), as the templates ship: FV header, store header,
 * event log, FTW working block at len/2 - 0x1000 (empty queue), spare erased.
 */
void gen_vars_empty(uint8_t *b, size_t len);
/* Appends an authenticated variable (attributes 7, data 0xA5 x dsize) at off;
 * returns the next 4-aligned offset. */
size_t gen_var_add(uint8_t *b, size_t off, const char *name, uint8_t state, uint32_t dsize);
/* A write header at q in the FTW queue with nwrites records (flags from
 * rec_flags, the rest zero) of priv private bytes; returns the offset after it. */
size_t gen_ftw_write(uint8_t *b, size_t q, uint8_t flags, uint64_t nwrites, uint64_t priv, const uint8_t *rec_flags);

/*
 * A varstore of len bytes (a multiple of 0x1000) whose store is full of
 * 64-byte records in deleted transition, none with a live copy (names "V",
 * a few GUIDs): the worst case for resolving transitions. Returns how many.
 */
size_t gen_vars_transitions(uint8_t *b, size_t len);

/*
 * Varstores caught in the middle of a write, built the way OVMF leaves them
 * (GEN_TORN_VARS variables of GEN_TORN_DATA bytes; 2M layout, or the 4M one
 * with gen_vars_torn_len and GEN_TORN_LEN_4M):
 *   RESTART   the variable driver's reclaim: the new store is in the spare,
 *             SpareComplete is set, and the target was cut while OVMF rewrote
 *             it: variable GEN_TORN_CUT's header is half erased, all after it too
 *   DISCARD   the spare copy was still being written: target untouched
 *   REFORMAT  as RESTART, cut before the FV header was rewritten
 *   WORKSPACE the working block marked invalid while the spare holds its copy
 *   UNKNOWN   a spare-complete write whose Lba lies past the varstore
 */
enum gen_torn { GEN_TORN_RESTART, GEN_TORN_DISCARD, GEN_TORN_REFORMAT, GEN_TORN_WORKSPACE, GEN_TORN_UNKNOWN };
#define GEN_TORN_LEN  0x20000
#define GEN_TORN_VARS 24
#define GEN_TORN_DATA 0x500
#define GEN_TORN_CUT  9
#define GEN_TORN_LEN_4M 0x84000
void gen_vars_torn(uint8_t *b, enum gen_torn kind);
void gen_vars_torn_len(uint8_t *b, size_t len, enum gen_torn kind);

/*
 * A GUID-defined LZMA section (EDK2's ".lzma" format, the uncompressed size
 * written in) at img[off..imglen) holding data[0..n); returns its size, 0 when
 * it does not fit.
 */
size_t gen_lzma_section(uint8_t *img, size_t imglen, size_t off, const uint8_t *data, size_t n);

/*
 * A file in memory for lib/'s read callbacks (unpack_prefix, qcow2_open,
 * the saved-state readers): bytes [0, n) of p; a read past n fails (-1),
 * as a read past the end of a cut file does.
 */
struct gen_mem {
	const uint8_t *p;
	size_t n;
};
int gen_mem_read(void *ctx, uint64_t off, uint8_t *buf, size_t n);

/*
 * in[0, n) deflated by zlib (level 6) with window bits wbits (16 + MAX_WBITS:
 * gzip; -12: raw deflate, as a qcow2 cluster); its length in out (cap bytes).
 */
size_t gen_deflate(int wbits, const uint8_t *in, size_t n, uint8_t *out, size_t cap);

#endif
