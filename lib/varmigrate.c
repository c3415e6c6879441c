/* SPDX-License-Identifier: MIT */
/* Variable store migration (see varmigrate.h). */
#include "varmigrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* One record to write: where its bytes are and in which header format. */
struct rec {
	const uint8_t *hdr, *name, *data;
	int auth;
	uint32_t attributes, nsize, dsize;
	const uint8_t *guid;
};

static struct rec rec_of(const uint8_t *p, const struct varstore *vs, const struct variable *v)
{
	struct rec r;
	const size_t h = vs->authenticated ? VAR_HDR_AUTH : VAR_HDR_PLAIN;

	r.hdr = p + v->offset;
	r.auth = vs->authenticated;
	r.attributes = v->attributes;
	r.nsize = v->name_size;
	r.dsize = v->data_size;
	r.guid = v->guid;
	r.name = r.hdr + h;
	r.data = r.name + v->name_size;
	return r;
}

/* Same variable: GUID and the UCS-2 name bytes. */
static int same_var(const struct rec *a, const struct rec *b)
{
	return a->nsize == b->nsize && memcmp(a->guid, b->guid, 16) == 0 &&
	       memcmp(a->name, b->name, a->nsize) == 0;
}

static int preferred(const struct migrate_opts *o, const char *name)
{
	for (size_t i = 0; o && i < o->nprefer; i++)
		if (strcmp(o->prefer_template[i], name) == 0)
			return 1;
	return 0;
}

static uint64_t align4(uint64_t v)
{
	return (v + VAR_HEADER_ALIGN - 1) & ~(uint64_t)(VAR_HEADER_ALIGN - 1);
}

/* Writes r at out + off in the target format; off + size is known to fit. */
static void put_rec(uint8_t *out, uint64_t off, const struct rec *r, int auth)
{
	uint8_t *h = out + off;
	const size_t hs = auth ? VAR_HDR_AUTH : VAR_HDR_PLAIN;

	if (r->auth == auth) {
		memcpy(h, r->hdr, hs);
	} else {
		/* plain -> authenticated: no count, time or key index to carry */
		memset(h, 0, hs);
		wr_le16(h, VAR_START_ID);
		wr_le32(h + VAR_ATTR_OFF, r->attributes);
		wr_le32(h + (auth ? VAR_AUTH_NSIZE_OFF : VAR_PLAIN_NSIZE_OFF), r->nsize);
		wr_le32(h + (auth ? VAR_AUTH_DSIZE_OFF : VAR_PLAIN_DSIZE_OFF), r->dsize);
		memcpy(h + (auth ? VAR_AUTH_GUID_OFF : VAR_PLAIN_GUID_OFF), r->guid, 16);
	}
	h[VAR_STATE_OFF] = VAR_ADDED;
	memcpy(h + hs, r->name, r->nsize);
	memcpy(h + hs + r->nsize, r->data, r->dsize);
}

static void note_replaced(struct migrate_report *r, const char *name)
{
	size_t n = strlen(r->replaced_names);

	if (n + 1 < sizeof(r->replaced_names))
		snprintf(r->replaced_names + n, sizeof(r->replaced_names) - n, "%s%s", n ? ", " : "", name);
}

/* A candidate record: from the template (origin 0) or the old store (1), at its index there. */
struct cand {
	struct rec r;
	int origin;
	size_t pos;
	const char *name;
	int drop;
};

static int by_var_then_place(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = memcmp(x->r.guid, y->r.guid, 16);

	if (c)
		return c;
	if (x->r.nsize != y->r.nsize)
		return x->r.nsize < y->r.nsize ? -1 : 1;
	c = memcmp(x->r.name, y->r.name, x->r.nsize);
	if (c)
		return c;
	if (x->origin != y->origin)
		return x->origin - y->origin;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_place(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->origin != y->origin)
		return x->origin - y->origin;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

enum lib_result varstore_migrate(const uint8_t *o, const struct varstore *ovs, const uint8_t *t, size_t tlen,
		     const struct varstore *tvs, const struct migrate_opts *opts, uint8_t *out,
		     struct migrate_report *r, struct diag *d)
{
	const int auth = tvs->authenticated;
	const size_t hs = auth ? VAR_HDR_AUTH : VAR_HDR_PLAIN;
	const uint64_t start = tvs->fv.header_length + VS_HDR_SIZE, end = tvs->store_end;
	struct cand *c;
	size_t n = 0;
	uint64_t off, need = 0;
	enum lib_result rc = LIB_OK;

	memset(r, 0, sizeof(*r));
	if (end > tlen || start > end)
		return diag_add(d, DIAG_ERROR, "template: variable store 0x%llx-0x%llx outside its 0x%zx bytes",
				(unsigned long long)start, (unsigned long long)end, tlen);
	c = malloc((tvs->nvars + ovs->nvars + 1) * sizeof(*c));
	if (!c)
		return diag_no_memory(d, "out of memory for %zu variables", tvs->nvars + ovs->nvars);
	for (int origin = 0; origin < 2; origin++) {
		const struct varstore *vs = origin ? ovs : tvs;

		for (size_t i = 0; i < vs->nvars; i++)
			if (vs->vars[i].live)
				c[n++] = (struct cand){ rec_of(origin ? o : t, vs, &vs->vars[i]), origin, i,
							vs->vars[i].name, 0 };
	}
	/* one copy of each variable: the old store's first (OVMF finds the first),
	 * over the template's unless the name is one to prefer from the template */
	qsort(c, n, sizeof(*c), by_var_then_place);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, first_old = n;

		while (j < n && same_var(&c[i].r, &c[j].r))
			j++;
		for (size_t k = i; k < j; k++)
			if (c[k].origin == 1 && first_old == n)
				first_old = k;
		for (size_t k = i; k < j; k++) {
			if (c[k].origin == 0 && first_old < j && !preferred(opts, c[k].name)) {
				c[k].drop = 1;
				r->replaced++;
				note_replaced(r, c[k].name);
			} else if (c[k].origin == 1 && c[i].origin == 0 && preferred(opts, c[i].name)) {
				c[k].drop = 1;
				r->preferred++;
			} else if (c[k].origin == 1 && k != first_old) {
				c[k].drop = 1;
				r->duplicates++;
			}
		}
		i = j;
	}
	qsort(c, n, sizeof(*c), by_place);
	for (size_t i = 0; i < n; i++) {
		if (c[i].drop)
			continue;
		if (!auth && c[i].r.auth && (c[i].r.attributes & VAR_ATTR_AUTH_MASK)) {
			rc = diag_add(d, DIAG_ERROR, "variable %s: authenticated (attributes 0x%x), the template's store is plain",
				      c[i].name, c[i].r.attributes);
			continue;
		}
		if (c[i].origin)
			r->copied++;
		else
			r->kept++;
		/* where the record would end, as written below (sizes < 2^33: no wrap) */
		need = align4(need ? need : start) + hs + c[i].r.nsize + c[i].r.dsize;
	}
	if (need < start)
		need = start;
	if (rc == 0 && need > end)
		rc = diag_add(d, DIAG_ERROR, "%zu live variables take 0x%llx bytes, the template's store holds 0x%llx (Size 0x%x): %llu bytes too many",
			      r->copied + r->kept, (unsigned long long)(need - start), (unsigned long long)(end - start),
			      tvs->store_size, (unsigned long long)(need - end));
	if (rc == 0) {
		memcpy(out, t, tlen);
		memset(out + start, 0xFF, end - start);
		off = start;
		for (size_t i = 0; i < n; i++) {
			if (c[i].drop)
				continue;
			off = align4(off);
			put_rec(out, off, &c[i].r, auth);
			off += hs + c[i].r.nsize + c[i].r.dsize;
		}
		r->used = off - start;
		r->free = end - off;
	}
	free(c);
	return rc;
}
