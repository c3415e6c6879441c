/* SPDX-License-Identifier: MIT */
/* QEMU's "info ramblock" table read into a stream's block list. */
#include "ramtable.h"

#include <string.h>

#include "bytes.h"

#define MAX_TOKENS 16

struct line {
	const char *tok[MAX_TOKENS];
	size_t len[MAX_TOKENS];
	size_t n;                /* tokens kept; a line with more is cut */
};

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* splits p[0..n) at blanks */
static void split(const char *p, size_t n, struct line *l)
{
	size_t i = 0;

	l->n = 0;
	while (i < n && l->n < MAX_TOKENS) {
		while (i < n && blank(p[i]))
			i++;
		if (i == n)
			break;
		l->tok[l->n] = p + i;
		while (i < n && !blank(p[i]))
			i++;
		l->len[l->n] = (size_t)(p + i - l->tok[l->n]);
		l->n++;
	}
}

static int is(const struct line *l, size_t i, const char *w)
{
	return i < l->n && l->len[i] == strlen(w) && !memcmp(l->tok[i], w, l->len[i]);
}

/* "0x" and 1 to 16 hex digits: its value */
static int hex(const struct line *l, size_t i, uint64_t *v)
{
	const char *t = l->tok[i];

	if (i >= l->n || l->len[i] < 3 || l->len[i] > 18 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X'))
		return -1;
	*v = 0;
	for (size_t k = 2; k < l->len[i]; k++) {
		int h = hex_digit(t[k]);

		if (h < 0)
			return -1;
		*v = *v << 4 | (uint64_t)h;
	}
	return 0;
}

int ramtable_detect(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (blank((char)p[i]) || p[i] == '\n'))
		i++;
	return len - i >= 10 && !memcmp(p + i, "Block Name", 10);
}

enum lib_result ramtable_parse(const uint8_t *p, size_t len, struct mig_stream *s, struct diag *d)
{
	const char *t = (const char *)p;
	size_t off = 0, lineno = 0;
	int header = 0;

	memset(s, 0, sizeof(*s));
	while (off < len) {
		const char *nl = memchr(t + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (t + off)) : len - off;
		struct line l;
		uint64_t offset, used;
		size_t at = 0, namelen = 0;

		lineno++;
		split(t + off, n, &l);
		off += n + (nl != NULL);
		if (l.n == 0)
			continue;
		if (!header) {
			/* "Block Name PSize Offset Used ...": Offset then Used after the name's two words */
			if (!is(&l, 0, "Block") || !is(&l, 1, "Name") || !is(&l, 3, "Offset") || !is(&l, 4, "Used"))
				return diag_add(d, DIAG_ERROR, "line %zu: not the header of QEMU's info ramblock table (Block Name, PSize, Offset, Used, ...)",
						lineno);
			header = 1;
			continue;
		}
		/* the first hex field is Offset, the next Used; PSize's two words before it; the name before those */
		while (at < l.n && hex(&l, at, &offset) < 0)
			at++;
		if (at < 3 || at + 1 >= l.n || hex(&l, at + 1, &used) < 0)
			return diag_add(d, DIAG_ERROR, "line %zu: no block name, PSize, Offset and Used in it", lineno);
		if (s->n == MIG_BLOCKS_MAX)
			return diag_add(d, DIAG_ERROR, "line %zu: more than %d RAM blocks", lineno, MIG_BLOCKS_MAX);
		namelen = (size_t)(l.tok[at - 3] + l.len[at - 3] - l.tok[0]);
		if (namelen >= MIG_NAME_MAX)
			return diag_add(d, DIAG_ERROR, "line %zu: a block name of %zu bytes (QEMU's are under %d)", lineno,
					namelen, MIG_NAME_MAX);
		memcpy(s->block[s->n].name, l.tok[0], namelen);
		s->block[s->n].name[namelen] = '\0';
		s->block[s->n].used = used;
		s->total += used; /* 16 hex digits at most each, at most 256 of them: reported, not trusted */
		s->n++;
	}
	if (!header)
		return diag_add(d, DIAG_ERROR, "no info ramblock table in it");
	if (s->n == 0)
		return diag_add(d, DIAG_ERROR, "an info ramblock table without rows");
	s->end = len;
	return LIB_OK;
}
