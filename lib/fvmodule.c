/* SPDX-License-Identifier: MIT */
/* FILE_GUID search through OVMF's LZMA-compressed volumes (see fvmodule.h). */
#define _GNU_SOURCE /* memmem */
#include "fvmodule.h"

#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "unpack.h"

/* EE4E5898-3914-4259-9D6E-DC7BD79403CF, as stored */
static const uint8_t GUID_LZMA_SECTION[16] = {
	0x98, 0x58, 0x4e, 0xee, 0x14, 0x39, 0x59, 0x42, 0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf
};
const uint8_t GUID_FTW_PEI[16] = {
	0x64, 0x30, 0xc3, 0xaa, 0xd0, 0x9e, 0x89, 0x4b, 0xa5, 0xad, 0x3e, 0xa7, 0x67, 0x96, 0x0b, 0x22
};


/*
 * Decodes one ".lzma" stream of n bytes; returns the output (malloc'd) or
 * NULL, with *nomem set when that is for want of memory.
 */
static uint8_t *lzma_decode(const uint8_t *in, size_t n, size_t *out_len, struct diag *d, uint64_t at, int *nomem)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint64_t size = 0;
	uint8_t *out;
	lzma_ret r;

	if (n < LZMA_HDR_SIZE)
		return NULL;
	rd_le64(in, n, 5, &size);
	if (size == 0 || size > LZMA_OUT_MAX) {
		diag_add(d, DIAG_NOTE, "LZMA section at 0x%llx: uncompressed size 0x%llx (limit 0x%x)",
			 (unsigned long long)at, (unsigned long long)size, LZMA_OUT_MAX);
		return NULL;
	}
	if (!(out = malloc((size_t)size))) {
		*nomem = diag_no_memory(d, "LZMA section at 0x%llx: out of memory for its 0x%llx bytes",
					(unsigned long long)at, (unsigned long long)size) == LIB_NO_MEMORY;
		return NULL;
	}
	s.allocator = &unpack_lzma_allocator; /* lib/'s malloc: out of memory in liblzma is reported and tested */
	r = lzma_alone_decoder(&s, UINT64_C(1) << 30);
	if (r != LZMA_OK) {
		free(out);
		if (r == LZMA_MEM_ERROR)
			*nomem = diag_no_memory(d, "LZMA section at 0x%llx: out of memory for liblzma's decoder",
						(unsigned long long)at) == LIB_NO_MEMORY;
		return NULL;
	}
	s.next_in = in;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = (size_t)size;
	r = lzma_code(&s, LZMA_FINISH);
	*out_len = (size_t)size - s.avail_out;
	lzma_end(&s);
	if (r == LZMA_MEM_ERROR) {
		free(out);
		*nomem = diag_no_memory(d, "LZMA section at 0x%llx: out of memory inside liblzma after 0x%zx bytes",
					(unsigned long long)at, *out_len) == LIB_NO_MEMORY;
		return NULL;
	}
	if (r != LZMA_STREAM_END && !(r == LZMA_OK && *out_len == size)) {
		diag_add(d, DIAG_NOTE, "LZMA section at 0x%llx: liblzma stops with error %d after 0x%zx bytes",
			 (unsigned long long)at, (int)r, *out_len);
		free(out);
		return NULL;
	}
	return out;
}

enum fv_module_result fv_find_module(const uint8_t *p, size_t len, const uint8_t guid[16], struct diag *d)
{
	int decoded = 0, nomem = 0;

	/* a GUID-defined section's GUID sits 4 bytes in: look for it, then check the header around it */
	for (size_t o = 4; len >= 16 && o <= len - 16; o++) {
		uint32_t size;
		uint16_t data_off = 0;
		uint64_t start = o - 4;
		uint8_t *out;
		size_t n = 0;
		int hit;

		if (memcmp(p + o, GUID_LZMA_SECTION, 16) != 0 || p[start + 3] != SECTION_GUID_DEFINED)
			continue;
		size = (uint32_t)(p[start] | p[start + 1] << 8 | p[start + 2] << 16);
		if (rd_le16(p, len, start + GUIDED_DATA_OFF, &data_off) < 0 || data_off < GUIDED_HDR_SIZE ||
		    size <= data_off || !in_bounds(len, start, size))
			continue; /* the GUID bytes, but not a section that fits */
		out = lzma_decode(p + start + data_off, size - data_off, &n, d, start, &nomem);
		if (nomem)
			return FV_MODULE_NO_MEMORY;
		if (!out)
			continue;
		decoded++;
		hit = n >= 16 && memmem(out, n, guid, 16) != NULL;
		free(out);
		if (hit)
			return FV_MODULE_FOUND;
		o = start + size - 1; /* past this section */
	}
	if (decoded)
		return FV_MODULE_ABSENT;
	diag_add(d, DIAG_NOTE, "no LZMA-compressed volume could be decoded: cannot tell which modules the CODE holds");
	return FV_MODULE_UNDECODED;
}
