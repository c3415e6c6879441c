/* SPDX-License-Identifier: MIT */
/* Fixture builders (see romgen.h), shared by unit tests and the CLI fixture writer. */
#include "romgen.h"

#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "efidecomp.h"
#include "fv.h"
#include "fvmodule.h"
#include "guid.h"
#include "optrom.h"
#include "ovmfcode.h"
#include "varstore.h"

void gen_fix_checksum(uint8_t *out, uint32_t init_size)
{
	uint8_t s = 0;

	out[GEN_CSUM_OFF] = 0;
	for (uint32_t i = 0; i < init_size; i++)
		s = (uint8_t)(s + out[i]);
	out[GEN_CSUM_OFF] = (uint8_t)(0x100 - s);
}

void gen_pe(uint8_t *out, uint16_t machine, uint16_t subsystem)
{
	memset(out, 0, GEN_PE_SIZE);
	out[0] = 'M';
	out[1] = 'Z';
	wr_le32(out + PE_DOS_LFANEW, GEN_PE_LFANEW);
	wr_le32(out + GEN_PE_LFANEW, PE_SIG);
	wr_le16(out + GEN_PE_LFANEW + PE_MACHINE, machine);
	wr_le16(out + GEN_PE_LFANEW + PE_OPT_HDR + PE_OPT_SUBSYSTEM, subsystem);
}

struct bitw {
	uint8_t *p;
	size_t cap, n;   /* bytes */
	unsigned nbits;  /* bits used in p[n] */
	int full;
};

static void put_bits(struct bitw *w, uint32_t v, unsigned nbits)
{
	while (nbits--) {
		if (w->n >= w->cap) {
			w->full = 1;
			return;
		}
		if (w->nbits == 0)
			w->p[w->n] = 0;
		if (v >> nbits & 1)
			w->p[w->n] |= (uint8_t)(0x80 >> w->nbits);
		if (++w->nbits == 8) {
			w->nbits = 0;
			w->n++;
		}
	}
}

/* one block's tables: T symbols 10 (length 8) and 11 (length 9), each 1 bit;
 * C lengths 8 for 0..254, 9 for 255 and 256; P: the single position 0 */
static void put_tables(struct bitw *w, uint16_t nsym)
{
	put_bits(w, nsym, 16);
	put_bits(w, 12, 5);                  /* T: 12 lengths */
	for (int i = 0; i < 12; i++) {
		put_bits(w, i >= 10 ? 1 : 0, 3);
		if (i == 2)
			put_bits(w, 0, 2);   /* no extra zeros after the third */
	}
	put_bits(w, 257, 9);                 /* C: 257 lengths */
	for (int i = 0; i < 257; i++)
		put_bits(w, i >= 255, 1);
	put_bits(w, 0, EFICOMP_PBIT_EFI);    /* P: one symbol for every position */
	put_bits(w, 0, EFICOMP_PBIT_EFI);
}

size_t gen_efi_compress(uint8_t *out, size_t cap, const uint8_t *data, size_t n, int rle)
{
	struct bitw w = { out, cap, EFICOMP_HDR_SIZE, 0, 0 };
	size_t i = 0;

	if (cap < EFICOMP_HDR_SIZE)
		return 0;
	while (i < n) {
		/* symbols of this block, counted first: at most 65535 */
		size_t j = i, nsym = 0;

		while (j < n && nsym < 0xFFFF) {
			j += rle && j > 0 && j + 3 <= n && data[j] == data[j - 1] && data[j + 1] == data[j - 1] &&
			     data[j + 2] == data[j - 1] ? 3 : 1;
			nsym++;
		}
		put_tables(&w, (uint16_t)nsym);
		for (; i < j;) {
			if (rle && i > 0 && i + 3 <= n && data[i] == data[i - 1] && data[i + 1] == data[i - 1] &&
			    data[i + 2] == data[i - 1]) {
				put_bits(&w, 511, 9); /* match of 3, position 0 = distance 1 */
				i += 3;
			} else {
				if (data[i] == 255)
					put_bits(&w, 510, 9);
				else
					put_bits(&w, data[i], 8);
				i++;
			}
		}
	}
	if (w.nbits)
		w.n++;
	if (w.full)
		return 0;
	wr_le32(out + EFICOMP_COMP_OFF, (uint32_t)(w.n - EFICOMP_HDR_SIZE));
	wr_le32(out + EFICOMP_ORIG_OFF, (uint32_t)n);
	return w.n;
}

void gen_image(uint8_t *out, const struct gen_image *g)
{
	uint8_t *pcir = out + GEN_PCIR_OFF;

	out[0] = 0x55;
	out[1] = 0xAA;
	if (g->code_type == ROM_CODE_EFI) {
		wr_le16(out + ROM_EFI_INIT_SIZE, (uint16_t)(g->length / ROM_UNIT));
		wr_le32(out + ROM_EFI_SIG_OFF, ROM_EFI_SIG);
		wr_le16(out + ROM_EFI_SUBSYSTEM, 11);
		wr_le16(out + ROM_EFI_MACHINE, 0x8664);
		wr_le16(out + ROM_EFI_COMPRESS, 0);
		wr_le16(out + ROM_EFI_PE_OFF, GEN_EFI_PE);
		gen_pe(out + GEN_EFI_PE, 0x8664, 11);
	} else {
		out[ROM_LEGACY_SIZE] = (uint8_t)(g->length / ROM_UNIT);
		out[3] = 0xCB; /* init entry: retf */
	}
	if (g->pcir) {
		wr_le16(out + ROM_PCIR_PTR, GEN_PCIR_OFF);
		memcpy(pcir, "PCIR", 4);
		wr_le16(pcir + PCIR_VENDOR, g->vendor);
		wr_le16(pcir + PCIR_DEVICE, g->device);
		wr_le16(pcir + PCIR_STRUCT_LEN, 0x1C);
		pcir[PCIR_REVISION] = 3;
		pcir[PCIR_CLASS + 2] = g->class_base;
		wr_le16(pcir + PCIR_IMAGE_LEN, (uint16_t)(g->length / ROM_UNIT));
		pcir[PCIR_CODE_TYPE] = g->code_type;
		pcir[PCIR_INDICATOR] = g->last ? PCIR_LAST_IMAGE : 0;
	}
	if (g->class_base == 0x03)
		memcpy(out + 0x1E, "IBM", 3);
	if (g->code_type == ROM_CODE_X86)
		gen_fix_checksum(out, g->length);
}

void gen_bios(uint8_t *out, size_t size, size_t lead_zero)
{
	static const uint8_t reset[16] = { 0xEA, 0x5B, 0xE0, 0x00, 0xF0, '0', '6', '/',
					   '2', '3', '/', '9', '9', 0x00, 0xFC, 0x00 };

	memset(out, 0, size);
	for (size_t i = lead_zero; i < size - 16; i++)
		out[i] = (uint8_t)(0x90 + (i & 7)); /* not zero: marks where code starts */
	memcpy(out + size - 16, reset, 16);
}

/* An FFS2 volume of fvlen bytes at off, HeaderLength 0x48, valid checksum. */
void gen_code_fv(uint8_t *img, size_t off, uint64_t fvlen)
{
	uint8_t *h = img + off;

	memset(h, 0, 0x48);
	memcpy(h + FV_FS_GUID, GUID_FFS2, 16);
	wr_le64(h + FV_LENGTH, fvlen);
	wr_le32(h + FV_SIGNATURE, FV_SIG);
	wr_le32(h + FV_ATTRIBUTES, 0x0004FEFF);
	wr_le16(h + FV_HEADER_LENGTH, 0x48);
	h[FV_REVISION] = 2;
	wr_le32(h + FV_BLOCK_MAP, (uint32_t)(fvlen / 0x1000));
	wr_le32(h + FV_BLOCK_MAP + 4, 0x1000);
	wr_le16(h + FV_CHECKSUM, (uint16_t)(0x10000 - fv_sum16(h, 0x48)));
}

/*
 * The table, as at the top of OVMF's reset vector (entries end at end - 0x32):
 *   [TDX offset entry: u32 from_end, u16 len 22, GUID]
 *   [SEV-like entry:   4 data bytes, u16 len 22, GUID 11..11]
 *   u16 table length, footer GUID at end - 0x30
 * and a TDX descriptor "TDVF" with two sections (BFV, CFV) at GEN_CODE_TDVF_OFF.
 */
void gen_code_table(uint8_t *img, uint16_t table_len_delta, uint32_t tdx_from_end, uint32_t nsec, uint32_t tdvf_len)
{
	size_t foot = GEN_CODE_SIZE - 0x30, pos = foot - 2;
	static const uint8_t other[16] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
					   0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 };

	memcpy(img + foot, GUID_OVMF_TABLE_FOOTER, 16);
	/* entry 1 (nearest the footer): some other GUID with 4 data bytes */
	memcpy(img + pos - 16, other, 16);
	wr_le16(img + pos - 18, 22);
	wr_le32(img + pos - 22, 0xdeadbeef);
	pos -= 22;
	/* entry 2: the TDX metadata offset */
	memcpy(img + pos - 16, GUID_TDX_METADATA_OFF, 16);
	wr_le16(img + pos - 18, 22);
	wr_le32(img + pos - 22, tdx_from_end);
	pos -= 22;
	wr_le16(img + foot - 2, (uint16_t)(foot + 16 - pos + table_len_delta));

	/* the descriptor, with the metadata GUID right before it */
	memcpy(img + GEN_CODE_TDVF_OFF - 16, GUID_TDX_METADATA, 16);
	memcpy(img + GEN_CODE_TDVF_OFF, "TDVF", 4);
	wr_le32(img + GEN_CODE_TDVF_OFF + 4, tdvf_len);
	wr_le32(img + GEN_CODE_TDVF_OFF + 8, 1);
	wr_le32(img + GEN_CODE_TDVF_OFF + 12, nsec);
	/* BFV: the code, raw 0x1000 bytes at 0x2000 */
	wr_le32(img + GEN_CODE_TDVF_OFF + 16, 0x2000);
	wr_le32(img + GEN_CODE_TDVF_OFF + 20, 0x1000);
	wr_le64(img + GEN_CODE_TDVF_OFF + 24, 0xfffff000);
	wr_le64(img + GEN_CODE_TDVF_OFF + 32, 0x1000);
	wr_le32(img + GEN_CODE_TDVF_OFF + 40, TDX_TYPE_BFV);
	/* CFV: the varstore, raw 0 / 0x20000, mapped at 0xffe00000 */
	wr_le32(img + GEN_CODE_TDVF_OFF + 48, 0);
	wr_le32(img + GEN_CODE_TDVF_OFF + 52, 0x20000);
	wr_le64(img + GEN_CODE_TDVF_OFF + 56, 0xffe00000);
	wr_le64(img + GEN_CODE_TDVF_OFF + 64, 0x20000);
	wr_le32(img + GEN_CODE_TDVF_OFF + 72, TDX_TYPE_CFV);
}

void gen_code_good(uint8_t *img)
{
	memset(img, 0xFF, GEN_CODE_SIZE);
	gen_code_fv(img, 0, 0x1000);
	gen_code_fv(img, 0x1000, 0x1000);
	gen_code_table(img, 0, GEN_CODE_SIZE - GEN_CODE_TDVF_OFF, 2, 16 + 2 * 32);
}

static void fix_fv_sum(uint8_t *b)
{
	wr_le16(b + FV_CHECKSUM, 0);
	wr_le16(b + FV_CHECKSUM, (uint16_t)(0x10000 - fv_sum16(b, 0x48)));
}

void gen_vars_empty(uint8_t *b, size_t len)
{
	uint8_t *ftw = b + len / 2 - OVMF_FTW_WORK_SIZE;

	memset(b, 0xFF, len);
	memset(b, 0, 0x48);
	memcpy(b + FV_FS_GUID, GUID_SYSTEM_NV_DATA_FV, 16);
	wr_le64(b + FV_LENGTH, len);
	wr_le32(b + FV_SIGNATURE, FV_SIG);
	wr_le32(b + FV_ATTRIBUTES, OVMF_FV_ATTRIBUTES);
	wr_le16(b + FV_HEADER_LENGTH, 0x48);
	b[FV_REVISION] = 2;
	wr_le32(b + FV_BLOCK_MAP, (uint32_t)(len / OVMF_BLOCK_SIZE));
	wr_le32(b + FV_BLOCK_MAP + 4, OVMF_BLOCK_SIZE);
	fix_fv_sum(b);
	memcpy(b + 0x48, GUID_AUTH_VARIABLE, 16);
	wr_le32(b + 0x48 + VS_SIZE_OFF, (uint32_t)(len / 2 - 2 * OVMF_BLOCK_SIZE - 0x48));
	b[0x48 + VS_FORMAT_OFF] = VS_FORMATTED;
	b[0x48 + VS_STATE_OFF] = VS_HEALTHY;
	memset(b + 0x48 + 0x16, 0, 6);
	memcpy(ftw, GUID_FTW_WORKING, 16);
	wr_le64(ftw + FTW_QUEUE_SIZE_OFF, OVMF_FTW_WORK_SIZE - FTW_HDR_SIZE);
	ftw[FTW_STATE_OFF] = FTW_VALID_STATE;
	wr_le32(ftw + FTW_CRC_OFF, ftw_header_crc(ftw));
}

size_t gen_var_add(uint8_t *b, size_t off, const char *name, uint8_t state, uint32_t dsize)
{
	uint32_t nsize = (uint32_t)(strlen(name) + 1) * 2;

	memset(b + off, 0, VAR_HDR_AUTH);
	wr_le16(b + off, VAR_START_ID);
	b[off + VAR_STATE_OFF] = state;
	wr_le32(b + off + VAR_ATTR_OFF, 7);
	wr_le32(b + off + VAR_AUTH_NSIZE_OFF, nsize);
	wr_le32(b + off + VAR_AUTH_DSIZE_OFF, dsize);
	for (size_t i = 0; name[i]; i++) {
		b[off + VAR_HDR_AUTH + 2 * i] = (uint8_t)name[i];
		b[off + VAR_HDR_AUTH + 2 * i + 1] = 0;
	}
	b[off + VAR_HDR_AUTH + nsize - 2] = 0;
	b[off + VAR_HDR_AUTH + nsize - 1] = 0;
	memset(b + off + VAR_HDR_AUTH + nsize, 0xA5, dsize);
	return (off + VAR_HDR_AUTH + nsize + dsize + 3) & ~(size_t)3;
}

size_t gen_ftw_write(uint8_t *b, size_t q, uint8_t flags, uint64_t nwrites, uint64_t priv, const uint8_t *rec_flags)
{
	memset(b + q, 0, FTW_WRITE_HDR_SIZE);
	b[q] = flags;
	wr_le64(b + q + FTW_NWRITES_OFF, nwrites);
	wr_le64(b + q + FTW_PRIVSIZE_OFF, priv);
	q += FTW_WRITE_HDR_SIZE;
	for (uint64_t i = 0; rec_flags && i < nwrites; i++) {
		memset(b + q, 0, FTW_RECORD_SIZE + priv);
		b[q] = rec_flags[i];
		q += FTW_RECORD_SIZE + priv;
	}
	return q;
}

size_t gen_vars_transitions(uint8_t *b, size_t len)
{
	const size_t rec = VAR_HDR_AUTH + 4;
	size_t n = 0;

	memset(b, 0xFF, len);
	gen_vars_empty(b, 0x20000 <= len ? 0x20000 : len); /* FV and store headers of the 2M template */
	memset(b + 0x20000 / 2 - OVMF_FTW_WORK_SIZE, 0xFF, OVMF_FTW_WORK_SIZE); /* its FTW block is data now */
	wr_le64(b + FV_LENGTH, len);
	wr_le32(b + FV_BLOCK_MAP, (uint32_t)(len / OVMF_BLOCK_SIZE));
	wr_le32(b + 0x48 + VS_SIZE_OFF, (uint32_t)(len - 0x48));
	fix_fv_sum(b);
	for (size_t off = 0x48 + VS_HDR_SIZE; off + rec <= len; off += rec, n++) {
		memset(b + off, 0, rec);
		wr_le16(b + off, VAR_START_ID);
		b[off + VAR_STATE_OFF] = VAR_IN_DELETED_TRANSITION & VAR_ADDED;
		wr_le32(b + off + VAR_AUTH_NSIZE_OFF, 4);
		b[off + VAR_HDR_AUTH] = 'V';
		b[off + VAR_AUTH_GUID_OFF] = (uint8_t)n; /* a few GUIDs */
	}
	return n;
}

void gen_vars_torn(uint8_t *b, enum gen_torn kind)
{
	gen_vars_torn_len(b, GEN_TORN_LEN, kind);
}

void gen_vars_torn_len(uint8_t *b, size_t len, enum gen_torn kind)
{
	const size_t spare = len / 2, ws = spare - OVMF_FTW_WORK_SIZE;
	const size_t region = ws - OVMF_EVENT_LOG_SIZE; /* FV header + store: the reclaim's target */
	/* record flags: SpareComplete set (bit 1 clear), destination not; or neither */
	const uint8_t spare_done = 0xFD, writing = 0xFF;
	size_t off = 0x48 + VS_HDR_SIZE, cut = 0, rec;
	char name[16];

	gen_vars_empty(b, len);
	for (int i = 0; i < GEN_TORN_VARS; i++) {
		if (i == GEN_TORN_CUT)
			cut = off + 8; /* after StartId, State and Attributes */
		snprintf(name, sizeof(name), "Torn%02d", i);
		off = gen_var_add(b, off, name, VAR_ADDED, GEN_TORN_DATA);
	}
	if (kind == GEN_TORN_WORKSPACE) {
		/* FtwReclaimWorkSpace stopped after WorkingBlockInvalid: the new work space is in the spare */
		memcpy(b + spare, b + ws, OVMF_FTW_WORK_SIZE);
		b[ws + FTW_STATE_OFF] = 0xFC;
		return;
	}
	rec = gen_ftw_write(b, ws + FTW_HDR_SIZE, 0xFC, 1, 0, kind == GEN_TORN_DISCARD ? &writing : &spare_done) -
	      FTW_RECORD_SIZE;
	/* the variable driver's reclaim: Lba 0, Offset HeaderLength, Length Size, target = spare - spare */
	wr_le64(b + rec + 0x08, kind == GEN_TORN_UNKNOWN ? 0x1000 : 0);
	wr_le64(b + rec + 0x10, 0x48);
	wr_le64(b + rec + 0x18, region - 0x48);
	wr_le64(b + rec + 0x20, (uint64_t)-(int64_t)spare);
	if (kind == GEN_TORN_DISCARD) {
		memcpy(b + spare, b, region / 2); /* the spare copy stopped half way */
		return;
	}
	memcpy(b + spare, b, region);
	/* FlushSpareBlockToTargetBlock erases the target, then writes it block by block */
	memset(b + (kind == GEN_TORN_REFORMAT ? 0 : cut), 0xFF, region - (kind == GEN_TORN_REFORMAT ? 0 : cut));
}

size_t gen_lzma_section(uint8_t *img, size_t imglen, size_t off, const uint8_t *data, size_t n)
{
	/* EE4E5898-3914-4259-9D6E-DC7BD79403CF, as stored */
	static const uint8_t lzma_guid[16] = {
		0x98, 0x58, 0x4e, 0xee, 0x14, 0x39, 0x59, 0x42, 0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf
	};
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	uint8_t *out;
	size_t size;

	if (off > imglen || imglen - off <= GUIDED_HDR_SIZE)
		return 0;
	out = img + off + GUIDED_HDR_SIZE;
	lzma_lzma_preset(&opt, 6);
	if (lzma_alone_encoder(&s, &opt) != LZMA_OK)
		return 0;
	s.next_in = data;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = imglen - off - GUIDED_HDR_SIZE;
	if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END) {
		lzma_end(&s);
		return 0;
	}
	size = GUIDED_HDR_SIZE + (imglen - off - GUIDED_HDR_SIZE - s.avail_out);
	lzma_end(&s);
	wr_le64(out + 5, n); /* EDK2 writes the size (the encoder leaves it unknown) */
	img[off] = (uint8_t)size;
	img[off + 1] = (uint8_t)(size >> 8);
	img[off + 2] = (uint8_t)(size >> 16);
	img[off + 3] = SECTION_GUID_DEFINED;
	memcpy(img + off + 4, lzma_guid, 16);
	wr_le16(img + off + GUIDED_DATA_OFF, GUIDED_HDR_SIZE);
	return size;
}

int gen_mem_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
	const struct gen_mem *m = ctx;

	if (off > m->n || n > m->n - off)
		return -1;
	memcpy(buf, m->p + off, n);
	return 0;
}

size_t gen_deflate(int wbits, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return cap - z.avail_out;
}
