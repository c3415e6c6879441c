/* SPDX-License-Identifier: MIT */
/* Firmware volume header parser (see fv.h). */
#include "fv.h"

#include <string.h>

#include "bytes.h"

/* A structural defect, reported: the header cannot be used at all. */
static enum fv_result unusable(enum lib_result reported)
{
	(void)reported;
	return FV_UNUSABLE;
}

/* A defect that leaves the header usable, reported. */
static enum fv_result defective(enum lib_result reported)
{
	(void)reported;
	return FV_DEFECTIVE;
}

int fv_is_at(const uint8_t *p, size_t len, uint64_t off)
{
	uint32_t sig;

	/* off first: off + 0x28 would wrap for an off near UINT64_MAX */
	return off <= len && rd_le32(p, len, off + FV_SIGNATURE, &sig) == 0 && sig == FV_SIG;
}

uint16_t fv_sum16(const uint8_t *p, size_t n)
{
	uint16_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s = (uint16_t)(s + (uint16_t)(p[i] | p[i + 1] << 8));
	return s;
}

enum fv_result fv_parse(const uint8_t *p, size_t len, uint64_t off, struct fv_header *h,
	     const char *what, struct diag *d)
{
	const unsigned long long o = (unsigned long long)off;
	uint32_t sig = 0;
	uint64_t total = 0;
	enum fv_result rc = FV_OK;

	memset(h, 0, sizeof(*h));
	h->offset = off;
	if (!in_bounds(len, off, FV_HEADER_MIN))
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: header truncated: %llu bytes, need %d",
				what, o, off <= len ? (unsigned long long)(len - off) : 0ULL,
				FV_HEADER_MIN));
	rd_le32(p, len, off + FV_SIGNATURE, &sig);
	if (sig != FV_SIG)
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: signature 0x%08x, expected \"_FVH\" (0x%08x)",
				what, o, sig, FV_SIG));
	memcpy(h->fs_guid, p + off + FV_FS_GUID, 16);
	rd_le64(p, len, off + FV_LENGTH, &h->fv_length);
	rd_le32(p, len, off + FV_ATTRIBUTES, &h->attributes);
	rd_le16(p, len, off + FV_HEADER_LENGTH, &h->header_length);
	rd_le16(p, len, off + FV_CHECKSUM, &h->checksum);
	rd_le16(p, len, off + FV_EXT_HDR_OFF, &h->ext_header_off);
	rd_u8(p, len, off + FV_REVISION, &h->revision);

	if (h->header_length < FV_HEADER_MIN || h->header_length % 2)
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: HeaderLength 0x%x, expected an even value >= 0x%x",
				what, o, h->header_length, FV_HEADER_MIN));
	if (!in_bounds(len, off, h->header_length))
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: HeaderLength 0x%x runs past the end of the file (0x%zx)",
				what, o, h->header_length, len));
	if (h->fv_length < h->header_length)
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: FvLength 0x%llx is smaller than HeaderLength 0x%x",
				what, o, (unsigned long long)h->fv_length, h->header_length));
	if (!in_bounds(len, off, h->fv_length))
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: FvLength 0x%llx runs past the end of the file (0x%zx) by 0x%llx",
				what, o, (unsigned long long)h->fv_length, len,
				(unsigned long long)(h->fv_length - (len - off))));
	if (h->revision != 2)
		rc = defective(diag_add(d, DIAG_ERROR, "%s at 0x%llx: Revision %u, expected 2", what, o, h->revision));

	/* block map: entries until {0,0}, all inside HeaderLength */
	for (uint64_t bo = FV_BLOCK_MAP;; bo += FV_BLOCK_ENTRY) {
		uint32_t num = 0, blen = 0;
		uint64_t prod;

		if (bo + FV_BLOCK_ENTRY > h->header_length)
			return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: block map runs past HeaderLength 0x%x without a {0,0} terminator",
					what, o, h->header_length));
		rd_le32(p, len, off + bo, &num);
		rd_le32(p, len, off + bo + 4, &blen);
		if (num == 0 && blen == 0)
			break;
		if (num == 0 || blen == 0)
			return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: block map entry %zu {NumBlocks %u, Length 0x%x} has a zero field",
					what, o, h->nblocks, num, blen));
		if (h->nblocks == FV_MAX_BLOCKMAP)
			return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: more than %d block map entries",
					what, o, FV_MAX_BLOCKMAP));
		h->blocks[h->nblocks].num = num;
		h->blocks[h->nblocks].length = blen;
		h->nblocks++;
		/* each product fits in 64 bits; the sum saturates instead of wrapping */
		prod = (uint64_t)num * blen;
		total = total > UINT64_MAX - prod ? UINT64_MAX : total + prod;
	}
	h->blockmap_bytes = total;
	if (h->nblocks == 0)
		return unusable(diag_add(d, DIAG_ERROR, "%s at 0x%llx: block map is empty", what, o));
	if (total != h->fv_length)
		rc = defective(diag_add(d, DIAG_ERROR, "%s at 0x%llx: block map covers 0x%llx bytes, FvLength is 0x%llx",
			      what, o, (unsigned long long)total, (unsigned long long)h->fv_length));

	h->checksum_ok = fv_sum16(p + off, h->header_length) == 0;
	if (!h->checksum_ok)
		rc = defective(diag_add(d, DIAG_ERROR, "%s at 0x%llx: header checksum 0x%04x does not sum to zero (sum 0x%04x)",
			      what, o, h->checksum, fv_sum16(p + off, h->header_length)));
	return rc;
}
