/* SPDX-License-Identifier: MIT */
/* The UEFI compression format (LZ77 + Huffman), decoded with every length checked. */
#ifndef FWSLOT_EFIDECOMP_H
#define FWSLOT_EFIDECOMP_H
/*
 * Source: UEFI Specification 2.10, chapter 19 "Compression Algorithm
 * Specification"; EDK2 MdePkg/Library/BaseUefiDecompressLib (the reference
 * decoder, checked against, not copied). A PCI option ROM's EFI image with
 * CompressionType 1 (EDK2 `EfiRom -ec`, current iPXE) holds this format.
 *
 * Stream:
 *   0x00 u32 CompSize   bytes of bit stream after this 8-byte header
 *   0x04 u32 OrigSize   bytes it decodes to
 *   0x08 bit stream, most significant bit first, in blocks:
 *        u16 block size (symbols), then three code-length tables: the extra
 *        set T (TBIT 5 bits of count), the char+length set C (CBIT 9), the
 *        position set P (PBIT bits: 4 for EFI 1.1/UEFI, 5 for Tiano), then
 *        the symbols. C < 256 is a literal; C >= 256 copies C - 253 bytes
 *        from a distance decoded with P.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define EFICOMP_HDR_SIZE   8
#define EFICOMP_COMP_OFF   0x00
#define EFICOMP_ORIG_OFF   0x04
#define EFICOMP_PBIT_EFI   4   /* UEFI / EFI 1.1 */
#define EFICOMP_PBIT_TIANO 5

/*
 * Reads the header of the stream at p[0..len): *comp and *orig. Returns LIB_OK,
 * or LIB_REFUSED (with a DIAG_ERROR) when the header or the CompSize bytes it announces do
 * not fit in len.
 */
enum lib_result efi_decomp_header(const uint8_t *p, size_t len, uint32_t *comp, uint32_t *orig, struct diag *d);

/*
 * Decodes the stream at p[0..len) into out[0..orig) (orig from the header,
 * out_len must equal it), pbit EFICOMP_PBIT_EFI or EFICOMP_PBIT_TIANO. Never
 * reads past len nor writes past out_len, whatever the bytes say. Returns LIB_OK,
 * or LIB_REFUSED with a DIAG_ERROR naming what was wrong (a bad table, a
 * distance before the start of the output, a stream that ended early).
 * Allocates its 13 KiB of tables for the call (LIB_NO_MEMORY when it cannot);
 * keeps no state between calls.
 */
enum lib_result efi_decompress(const uint8_t *p, size_t len, int pbit, uint8_t *out, size_t out_len, struct diag *d);

#endif
