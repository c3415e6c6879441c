/* SPDX-License-Identifier: MIT */
/* OVMF CODE image parser (see ovmfcode.h). */
#include "ovmfcode.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "guid.h"
#include "varstore.h"

const char *tdx_type_name(uint32_t t)
{
	static const char *const n[] = { "BFV", "CFV", "TD_HOB", "TempMem", "PermMem", "Payload", "PayloadParam" };

	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "other";
}

uint64_t ovmf_vars_size_for_code(uint64_t code_len, const char **layout)
{
	/* OvmfPkg/Include/Fdf/OvmfPkgDefines.fdf.inc */
	static const struct { uint64_t code, vars; const char *name; } known[] = {
		{ 0xE0000, 0x20000, "1M" }, { 0x1E0000, 0x20000, "2M" }, { 0x37C000, 0x84000, "4M" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].code == code_len) {
			*layout = known[i].name;
			return known[i].vars;
		}
	*layout = NULL;
	return 0;
}

static enum lib_result parse_tdx(const uint8_t *p, size_t len, uint32_t from_end, struct ovmf_code *c, struct diag *d)
{
	uint32_t sig = 0, tlen = 0, nsec = 0;
	uint64_t o;

	/* the descriptor needs its 16-byte GUID before it, inside the image */
	if (len < GUID_SIZE || from_end > len - GUID_SIZE || from_end < GUID_SIZE)
		return diag_add(d, DIAG_ERROR, "TDX metadata offset 0x%x from the end is outside the image (0x%zx)", from_end, len);
	o = len - from_end;
	if (!guid_eq(p + o - GUID_SIZE, GUID_TDX_METADATA))
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: no TDX metadata GUID before it", (unsigned long long)o);
	if (!in_bounds(len, o, TDVF_HDR_SIZE))
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: the %d-byte \"TDVF\" header runs past the image end 0x%zx",
				(unsigned long long)o, TDVF_HDR_SIZE, len);
	rd_le32(p, len, o + TDVF_SIG_OFF, &sig);
	rd_le32(p, len, o + TDVF_LEN_OFF, &tlen);
	rd_le32(p, len, o + TDVF_VERSION_OFF, &c->tdx_version);
	rd_le32(p, len, o + TDVF_NSEC_OFF, &nsec);
	if (sig != TDVF_SIG)
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: signature 0x%08x, expected 0x%08x (\"TDVF\")",
				(unsigned long long)o, sig, TDVF_SIG);
	if (nsec > TDX_MAX_SECTIONS)
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: %u sections, at most %d",
				(unsigned long long)o, nsec, TDX_MAX_SECTIONS);
	if ((uint64_t)TDVF_HDR_SIZE + (uint64_t)nsec * TDX_SECTION_SIZE > tlen)
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: %u sections take 0x%llx bytes with the header, more than its length 0x%x",
				(unsigned long long)o, nsec,
				(unsigned long long)(TDVF_HDR_SIZE + (uint64_t)nsec * TDX_SECTION_SIZE), tlen);
	if (!in_bounds(len, o, tlen))
		return diag_add(d, DIAG_ERROR, "TDX metadata at 0x%llx: its length 0x%x runs past the image end 0x%zx",
				(unsigned long long)o, tlen, len);
	c->has_tdx = 1;
	c->tdx_off = o;
	for (uint32_t i = 0; i < nsec; i++) {
		struct tdx_section *s = &c->sec[c->nsections++];
		uint64_t so = o + TDVF_HDR_SIZE + (uint64_t)i * TDX_SECTION_SIZE;

		rd_le32(p, len, so + TDX_SEC_RAW_OFF, &s->raw_offset);
		rd_le32(p, len, so + TDX_SEC_RAW_SIZE, &s->raw_size);
		rd_le64(p, len, so + TDX_SEC_MEM_BASE, &s->mem_base);
		rd_le64(p, len, so + TDX_SEC_MEM_SIZE, &s->mem_size);
		rd_le32(p, len, so + TDX_SEC_TYPE, &s->type);
		rd_le32(p, len, so + TDX_SEC_ATTR, &s->attributes);
		if (s->type == TDX_TYPE_CFV && !c->has_cfv) {
			c->has_cfv = 1;
			c->cfv = *s;
		}
	}
	return LIB_OK;
}

static enum lib_result parse_table(const uint8_t *p, size_t len, struct ovmf_code *c, struct diag *d)
{
	uint64_t foot, start, pos;

	if (len < OVMF_TABLE_FOOTER_FROM_END + 2)
		return LIB_OK;
	foot = len - OVMF_TABLE_FOOTER_FROM_END;
	if (!guid_eq(p + foot, GUID_OVMF_TABLE_FOOTER))
		return LIB_OK; /* no table: not an error (IA32X64 builds have none) */
	rd_le16(p, len, foot - 2, &c->table_len);
	if (c->table_len < GUID_ENTRY_TAIL || c->table_len > foot + GUID_SIZE)
		return diag_add(d, DIAG_ERROR, "GUID table: length 0x%x does not fit before 0x%llx",
				c->table_len, (unsigned long long)foot);
	c->has_table = 1;
	start = foot + GUID_SIZE - c->table_len;   /* first byte of the table */
	pos = foot - 2;                     /* end of the entries */
	/* each step moves back by at least 18 bytes: at most table_len / 18 entries */
	while (pos - start >= GUID_ENTRY_TAIL) {
		uint16_t elen = 0;
		uint64_t eo;

		rd_le16(p, len, pos - GUID_ENTRY_TAIL, &elen);
		if (elen < GUID_ENTRY_TAIL || elen > pos - start)
			return diag_add(d, DIAG_ERROR, "GUID table: entry at 0x%llx has length 0x%x (must be 18..0x%llx)",
					(unsigned long long)(pos - GUID_ENTRY_TAIL), elen, (unsigned long long)(pos - start));
		eo = pos - elen;
		if (c->nentries == GUID_TABLE_MAX)
			return diag_add(d, DIAG_ERROR, "GUID table: more than %d entries", GUID_TABLE_MAX);
		memcpy(c->entry[c->nentries].guid, p + pos - GUID_SIZE, GUID_SIZE);
		c->entry[c->nentries].len = elen;
		c->entry[c->nentries].offset = eo;
		c->nentries++;
		if (guid_eq(p + pos - GUID_SIZE, GUID_TDX_METADATA_OFF)) {
			uint32_t from_end = 0;

			if (elen < GUID_ENTRY_TAIL + 4)
				return diag_add(d, DIAG_ERROR, "GUID table: TDX metadata entry length 0x%x has no offset", elen);
			rd_le32(p, len, pos - GUID_ENTRY_TAIL - 4, &from_end);
			if (parse_tdx(p, len, from_end, c, d) != LIB_OK)
				return LIB_REFUSED;
		}
		pos = eo;
	}
	return LIB_OK;
}

enum lib_result ovmf_code_parse(const uint8_t *p, size_t len, struct ovmf_code *c, struct diag *d)
{
	uint64_t off = 0;
	enum lib_result rc = LIB_OK;

	memset(c, 0, sizeof(*c));
	/* the volumes back to back; FvLength >= HeaderLength >= 0x48 guarantees progress */
	while (off < len && fv_is_at(p, len, off)) {
		char what[40];

		if (c->nfv == CODE_MAX_FVS)
			return diag_add(d, DIAG_ERROR, "more than %d firmware volumes", CODE_MAX_FVS);
		snprintf(what, sizeof(what), "CODE firmware volume %zu", c->nfv);
		enum fv_result r = fv_parse(p, len, off, &c->fv[c->nfv], what, d);

		if (r == FV_UNUSABLE)
			return LIB_REFUSED;
		if (r == FV_DEFECTIVE)
			rc = LIB_REFUSED;
		off += c->fv[c->nfv++].fv_length;
	}
	if (c->nfv == 0)
		return diag_add(d, DIAG_ERROR, "CODE: no firmware volume at 0x0 (no \"_FVH\" at 0x28)");
	if (parse_table(p, len, c, d) != LIB_OK)
		rc = LIB_REFUSED;
	return rc;
}

enum lib_result ovmf_code_expects(const struct ovmf_code *c, uint64_t code_len, uint64_t vars_len,
				  struct diag *d, char *how, size_t howsz)
{
	if (c->has_cfv) {
		uint64_t want_base = UINT64_C(0x100000000) - code_len - vars_len;

		snprintf(how, howsz, "CODE's TDX metadata: varstore raw 0x%x bytes at 0x%llx",
			 c->cfv.raw_size, (unsigned long long)c->cfv.mem_base);
		if (c->cfv.raw_size != vars_len)
			return diag_add(d, DIAG_ERROR, "FvLength 0x%llx, CODE expects 0x%x (TDX metadata CFV raw size)",
					(unsigned long long)vars_len, c->cfv.raw_size);
		if (c->cfv.mem_base != want_base)
			return diag_add(d, DIAG_ERROR, "varstore would map at 0x%llx (4 GiB - CODE 0x%llx - VARS 0x%llx), CODE expects 0x%llx",
					(unsigned long long)want_base, (unsigned long long)code_len,
					(unsigned long long)vars_len, (unsigned long long)c->cfv.mem_base);
		return LIB_OK;
	}
	{
		const char *layout;
		uint64_t want = ovmf_vars_size_for_code(code_len, &layout);

		if (!want)
			return diag_add(d, DIAG_ERROR, "CODE of 0x%llx bytes has no TDX metadata and is not a known layout (1M 0xe0000, 2M 0x1e0000, 4M 0x37c000): cannot tell its varstore",
					(unsigned long long)code_len);
		snprintf(how, howsz, "judged by CODE size 0x%llx (%s layout): CODE has no TDX metadata",
			 (unsigned long long)code_len, layout);
		if (want != vars_len)
			return diag_add(d, DIAG_ERROR, "FvLength 0x%llx, CODE expects 0x%llx (%s layout, by CODE size 0x%llx)",
					(unsigned long long)vars_len, (unsigned long long)want, layout,
					(unsigned long long)code_len);
	}
	return LIB_OK;
}

enum ovmf_kind ovmf_classify(const uint8_t *p, size_t len, uint64_t *vars_len)
{
	uint64_t fvlen = 0;

	*vars_len = 0;
	if (!fv_is_at(p, len, 0)) {
		uint64_t ws = ovmf_ftw_work_off(len);

		if (len >= 4 * OVMF_FTW_WORK_SIZE && in_bounds(len, ws, 16) && guid_eq(p + ws, GUID_FTW_WORKING))
			return OVMF_VARS;
		return OVMF_OTHER;
	}
	if (!guid_eq(p + FV_FS_GUID, GUID_SYSTEM_NV_DATA_FV))
		return OVMF_CODE;
	rd_le64(p, len, FV_LENGTH, &fvlen); /* in bounds: fv_is_at saw the header's first 0x30 bytes */
	*vars_len = fvlen;
	if (fvlen < len && fv_is_at(p, len, fvlen))
		return OVMF_UNIFIED;
	return OVMF_VARS;
}
