/* SPDX-License-Identifier: MIT */
/* UEFI decompression (see efidecomp.h): canonical Huffman tables over a 32-bit bit buffer. */
#include "efidecomp.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#define BITBUF_BITS 32
#define MAXMATCH    256
#define THRESHOLD   3
#define CODE_BIT    16
#define NC          (0xFF + MAXMATCH + 2 - THRESHOLD) /* 510 char+length symbols */
#define CBIT        9
#define TBIT        5
#define MAXNP       31                                /* (1 << max PBIT) - 1 */
#define NT          (CODE_BIT + 3)                    /* 19 */
#define NPT         MAXNP                             /* max(NT, MAXNP) */
#define NODES       (2 * NC - 1)
#define CTABLE_BITS 12
#define PTABLE_BITS 8

struct dec {
	const uint8_t *src;
	size_t src_len, in;       /* bytes of the bit stream, next byte */
	uint32_t bitbuf, subbitbuf;
	unsigned bitcount;
	int overrun;              /* bits were asked for after the stream's end */
	uint16_t left[NODES], right[NODES];
	uint8_t clen[NC], ptlen[NPT];
	uint16_t ctable[1 << CTABLE_BITS], pttable[1 << PTABLE_BITS];
	unsigned block_left;
	int pbit;
};

/* Shifts n bits out of bitbuf and refills from the stream (zeros past its end,
 * as the reference decoder does; a stream that needs them is flagged). */
static void fill(struct dec *s, unsigned n)
{
	uint64_t buf = (uint64_t)s->bitbuf << n;

	while (n > s->bitcount) {
		n -= s->bitcount;
		buf |= (uint64_t)s->subbitbuf << n;
		if (s->in < s->src_len) {
			s->subbitbuf = s->src[s->in++];
		} else {
			s->subbitbuf = 0;
			s->overrun++;
		}
		s->bitcount = 8;
	}
	s->bitcount -= n;
	buf |= s->subbitbuf >> s->bitcount;
	s->bitbuf = (uint32_t)buf;
}

static uint32_t bits(struct dec *s, unsigned n)
{
	uint32_t v = n ? s->bitbuf >> (BITBUF_BITS - n) : 0;

	fill(s, n);
	return v;
}

/* Builds a lookup table of 2^tbits entries for nchar code lengths; longer
 * codes continue in the left/right tree. Returns -1 for lengths that do not
 * form a complete prefix code. */
static enum lib_result make_table(struct dec *s, unsigned nchar, const uint8_t *len, unsigned tbits, uint16_t *table)
{
	uint32_t count[17] = { 0 }, start[18], weight[17];
	const unsigned ju = 16 - tbits;
	const uint32_t tsize = 1u << tbits;
	unsigned avail = nchar;

	for (unsigned i = 0; i < nchar; i++) {
		if (len[i] > 16)
			return LIB_REFUSED;
		count[len[i]]++;
	}
	start[0] = start[1] = 0;
	for (unsigned i = 1; i <= 16; i++)
		start[i + 1] = start[i] + (count[i] << (16 - i));
	if (start[17] != 1u << 16)
		return LIB_REFUSED;
	for (unsigned i = 1; i <= 16; i++) {
		if (i <= tbits) {
			start[i] >>= ju;
			weight[i] = 1u << (tbits - i);
		} else {
			weight[i] = 1u << (16 - i);
		}
	}
	/* entries no code of length <= tbits reaches start empty (tree roots) */
	for (uint32_t i = start[tbits + 1] >> ju; i && i < tsize; i++)
		table[i] = 0;
	for (unsigned ch = 0; ch < nchar; ch++) {
		unsigned l = len[ch];
		uint32_t next;

		if (l == 0)
			continue;
		next = start[l] + weight[l];
		if (l <= tbits) {
			if (start[l] >= next || next > tsize)
				return LIB_REFUSED;
			for (uint32_t i = start[l]; i < next; i++)
				table[i] = (uint16_t)ch;
		} else {
			uint32_t code = start[l];
			uint16_t *ptr = &table[code >> ju];

			if ((code >> ju) >= tsize)
				return LIB_REFUSED;
			for (unsigned k = l - tbits; k; k--) {
				if (*ptr == 0) {
					if (avail >= NODES)
						return LIB_REFUSED;
					s->right[avail] = s->left[avail] = 0;
					*ptr = (uint16_t)avail++;
				}
				if (*ptr < nchar || *ptr >= NODES)
					return LIB_REFUSED; /* a code is the prefix of another */
				ptr = (code & (1u << (15 - tbits))) ? &s->right[*ptr] : &s->left[*ptr];
				code <<= 1;
			}
			*ptr = (uint16_t)ch;
		}
		start[l] = next;
	}
	return LIB_OK;
}

/* Follows the tree below a table entry; -1 when it leads nowhere. */
static int walk(const struct dec *s, unsigned v, unsigned nchar, unsigned tbits)
{
	uint32_t mask = 1u << (BITBUF_BITS - 1 - tbits);

	for (unsigned depth = 0; v >= nchar; depth++) {
		if (v >= NODES || depth > 16)
			return -1;
		v = (s->bitbuf & mask) ? s->right[v] : s->left[v];
		mask >>= 1;
	}
	return (int)v;
}

/* Code lengths of the T or P set: nn symbols, count in nbit bits; after
 * `special` lengths a 2-bit run of zeros follows (T only). */
static enum lib_result read_ptlen(struct dec *s, unsigned nn, unsigned nbit, unsigned special)
{
	unsigned n = bits(s, nbit), i = 0;

	if (n > NPT || nn > NPT)
		return LIB_REFUSED;
	if (n == 0) {
		uint32_t c = bits(s, nbit);

		if (c >= nn)
			return LIB_REFUSED;
		for (unsigned k = 0; k < (1u << PTABLE_BITS); k++)
			s->pttable[k] = (uint16_t)c;
		memset(s->ptlen, 0, nn);
		return LIB_OK;
	}
	while (i < n) {
		unsigned c = s->bitbuf >> (BITBUF_BITS - 3);

		if (c == 7) {
			uint32_t mask = 1u << (BITBUF_BITS - 1 - 3);

			while (mask & s->bitbuf) {
				mask >>= 1;
				if (++c > 16)
					return LIB_REFUSED; /* no code is longer than 16 bits */
			}
		}
		fill(s, c < 7 ? 3 : c - 3);
		s->ptlen[i++] = (uint8_t)c;
		if (i == special) {
			for (uint32_t z = bits(s, 2); z && i < NPT; z--)
				s->ptlen[i++] = 0;
		}
	}
	while (i < nn)
		s->ptlen[i++] = 0;
	return make_table(s, nn, s->ptlen, PTABLE_BITS, s->pttable);
}

static enum lib_result read_clen(struct dec *s)
{
	unsigned n = bits(s, CBIT), i = 0;

	if (n == 0) {
		uint32_t c = bits(s, CBIT);

		if (c >= NC)
			return LIB_REFUSED;
		memset(s->clen, 0, NC);
		for (unsigned k = 0; k < (1u << CTABLE_BITS); k++)
			s->ctable[k] = (uint16_t)c;
		return LIB_OK;
	}
	if (n > NC)
		return LIB_REFUSED;
	while (i < n) {
		int c = walk(s, s->pttable[s->bitbuf >> (BITBUF_BITS - PTABLE_BITS)], NT, PTABLE_BITS);

		if (c < 0)
			return LIB_REFUSED;
		fill(s, s->ptlen[c]);
		if (c <= 2) {
			uint32_t z = c == 0 ? 1 : c == 1 ? bits(s, 4) + 3 : bits(s, CBIT) + 20;

			for (; z && i < NC; z--)
				s->clen[i++] = 0;
		} else {
			s->clen[i++] = (uint8_t)(c - 2);
		}
	}
	memset(s->clen + i, 0, NC - i);
	return make_table(s, NC, s->clen, CTABLE_BITS, s->ctable);
}

static int decode_c(struct dec *s, struct diag *d)
{
	int c;

	if (s->block_left == 0) {
		s->block_left = bits(s, 16);
		if (read_ptlen(s, NT, TBIT, 3) != LIB_OK)
			return diag_add(d, DIAG_ERROR, "EFI compression: bad extra-set code lengths at stream byte %zu", s->in);
		if (read_clen(s) != LIB_OK)
			return diag_add(d, DIAG_ERROR, "EFI compression: bad char/length code lengths at stream byte %zu", s->in);
		if (read_ptlen(s, MAXNP, (unsigned)s->pbit, 0) != LIB_OK)
			return diag_add(d, DIAG_ERROR, "EFI compression: bad position code lengths at stream byte %zu", s->in);
	}
	s->block_left = (s->block_left - 1) & 0xFFFF; /* a block size of 0 means 65536 */
	c = walk(s, s->ctable[s->bitbuf >> (BITBUF_BITS - CTABLE_BITS)], NC, CTABLE_BITS);
	if (c < 0)
		return diag_add(d, DIAG_ERROR, "EFI compression: no char/length code matches at stream byte %zu", s->in);
	fill(s, s->clen[c]);
	return c;
}

static enum lib_result decode_p(struct dec *s, uint32_t *pos)
{
	int v = walk(s, s->pttable[s->bitbuf >> (BITBUF_BITS - PTABLE_BITS)], MAXNP, PTABLE_BITS);

	if (v < 0)
		return LIB_REFUSED;
	fill(s, s->ptlen[v]);
	*pos = v > 1 ? (1u << (v - 1)) + bits(s, (unsigned)v - 1) : (uint32_t)v;
	return LIB_OK;
}

enum lib_result efi_decomp_header(const uint8_t *p, size_t len, uint32_t *comp, uint32_t *orig, struct diag *d)
{
	if (rd_le32(p, len, EFICOMP_COMP_OFF, comp) < 0 || rd_le32(p, len, EFICOMP_ORIG_OFF, orig) < 0)
		return diag_add(d, DIAG_ERROR, "EFI compression: header needs %d bytes, %zu there",
				EFICOMP_HDR_SIZE, len);
	if (!in_bounds(len, EFICOMP_HDR_SIZE, *comp))
		return diag_add(d, DIAG_ERROR, "EFI compression: CompSize %u runs past the %zu bytes there by %llu",
				*comp, len - EFICOMP_HDR_SIZE,
				(unsigned long long)((uint64_t)*comp - (len - EFICOMP_HDR_SIZE)));
	return LIB_OK;
}

static enum lib_result decode(struct dec *s, uint32_t comp, uint8_t *out, size_t out_len, struct diag *d)
{
	size_t o = 0;

	fill(s, BITBUF_BITS);
	while (o < out_len) {
		int c = decode_c(s, d);

		if (c < 0)
			return LIB_REFUSED;
		if (c < 256) {
			out[o++] = (uint8_t)c;
		} else {
			uint32_t n = (uint32_t)c - (256 - THRESHOLD), dist;

			if (decode_p(s, &dist) != LIB_OK)
				return diag_add(d, DIAG_ERROR, "EFI compression: no position code matches at stream byte %zu", s->in);
			if (dist >= o)
				return diag_add(d, DIAG_ERROR, "EFI compression: copy from %u bytes back at output offset %zu (before the start)",
						dist + 1, o);
			for (size_t from = o - dist - 1; n && o < out_len; n--)
				out[o++] = out[from++];
		}
		/* the bit buffer reads up to 5 bytes ahead of what it decodes: past that the stream was cut */
		if (s->overrun > 5)
			return diag_add(d, DIAG_ERROR, "EFI compression: stream of %u bytes ended at output offset %zu of %zu",
					comp, o, out_len);
	}
	return LIB_OK;
}

enum lib_result efi_decompress(const uint8_t *p, size_t len, int pbit, uint8_t *out, size_t out_len, struct diag *d)
{
	struct dec *s;
	uint32_t comp, orig;
	enum lib_result rc;

	if (efi_decomp_header(p, len, &comp, &orig, d) != LIB_OK)
		return LIB_REFUSED;
	if (orig != out_len)
		return diag_add(d, DIAG_ERROR, "EFI compression: OrigSize %u, output buffer %zu", orig, out_len);
	s = calloc(1, sizeof(*s)); /* 13 KiB of tables */
	if (!s)
		return diag_no_memory(d, "EFI compression: out of memory for the decoder's tables (%zu bytes)", sizeof(*s));
	s->src = p + EFICOMP_HDR_SIZE;
	s->src_len = comp;
	s->pbit = pbit;
	rc = decode(s, comp, out, out_len, d);
	free(s);
	return rc;
}
