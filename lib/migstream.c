/* SPDX-License-Identifier: MIT */
/* The RAM-block list at the start of a QEMU migration stream (see migstream.h). */
#include "migstream.h"

#include <string.h>

#include "bytes.h"

/* A read position in the stream; the first read past the end stops everything. */
struct cur {
	const uint8_t *p;
	size_t len;
	uint64_t off;
	const char *at;     /* what was being read when the bytes ran out */
	int out;
};

static uint64_t take(struct cur *c, unsigned n, const char *what)
{
	uint64_t v = 0;

	if (c->out || !in_bounds(c->len, c->off, n)) {
		if (!c->out)
			c->at = what;
		c->out = 1;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | c->p[c->off + i];
	c->off += n;
	return v;
}

/* A counted string (u8 length, bytes, no NUL) into out[MIG_NAME_MAX]. */
static size_t take_name(struct cur *c, char out[MIG_NAME_MAX], const char *what)
{
	size_t n = (size_t)take(c, 1, what);

	out[0] = '\0';
	if (c->out || !in_bounds(c->len, c->off, n)) {
		if (!c->out)
			c->at = what;
		c->out = 1;
		return 0;
	}
	memcpy(out, c->p + c->off, n);
	out[n] = '\0';
	c->off += n;
	return n;
}

static enum lib_result ran_out(const struct cur *c, int *short_read, struct diag *d)
{
	*short_read = 1;
	return diag_add(d, DIAG_ERROR, "the stream ends at 0x%llx inside %s: the block list needs more of it",
			(unsigned long long)c->len, c->at ? c->at : "a record");
}

/* vmstate_configuration: the machine type and the subsections that change the record layout. */
static enum lib_result configuration(struct cur *c, struct mig_stream *s, struct diag *d)
{
	uint64_t n = take(c, 4, "the configuration's length");

	if (!c->out && (n == 0 || n >= MIG_NAME_MAX))
		return diag_add(d, DIAG_ERROR, "configuration at 0x8: machine type of %llu bytes (1 to %d)",
				(unsigned long long)n, MIG_NAME_MAX - 1);
	if (c->out || !in_bounds(c->len, c->off, n)) {
		c->at = "the machine type";
		c->out = 1;
		return LIB_OK;
	}
	memcpy(s->machine, c->p + c->off, (size_t)n);
	s->machine[n] = '\0';
	c->off += n;
	s->has_config = 1;
	while (!c->out && in_bounds(c->len, c->off, 1) && c->p[c->off] == MIG_SUBSECTION) {
		char name[MIG_NAME_MAX];
		uint64_t at = c->off;

		c->off++;
		take_name(c, name, "a configuration subsection's name");
		take(c, 4, "a configuration subsection's version");
		if (!strcmp(name, "configuration/target-page-bits")) {
			take(c, 4, "target-page-bits");
		} else if (!strcmp(name, "configuration/uuid")) {
			take(c, 16, "the uuid subsection");
		} else if (!strcmp(name, "configuration/capabilities")) {
			uint64_t k = take(c, 4, "the capability count");

			if (!c->out && k > MIG_CAPS_MAX)
				return diag_add(d, DIAG_ERROR, "configuration at 0x%llx: %llu capabilities (at most %d)",
						(unsigned long long)at, (unsigned long long)k, MIG_CAPS_MAX);
			for (uint64_t i = 0; i < k && !c->out; i++) {
				char cap[MIG_NAME_MAX];

				take_name(c, cap, "a capability's name");
				if (!strcmp(cap, "x-ignore-shared"))
					s->x_ignore_shared = 1;
				else if (!strcmp(cap, "mapped-ram"))
					return diag_add(d, DIAG_ERROR, "a mapped-ram stream (QEMU 9.0+, libvirt's 'sparse' format): its block list is spread over the file; not read");
			}
		} else if (!c->out) {
			return diag_add(d, DIAG_ERROR, "configuration subsection '%.60s' at 0x%llx: unknown, so the block list cannot be found",
					name, (unsigned long long)at);
		}
	}
	return LIB_OK;
}

/* The first section must be "ram"; commands before it are skipped (postcopy's is read). */
static enum lib_result to_ram_section(struct cur *c, struct mig_stream *s, uint32_t *id, struct diag *d)
{
	for (unsigned cmds = 0; !c->out;) {
		uint64_t at = c->off;
		uint8_t type = (uint8_t)take(c, 1, "a section type");
		char name[MIG_NAME_MAX];

		if (c->out)
			return LIB_OK;
		if (type == MIG_COMMAND) {
			uint64_t cmd = take(c, 2, "a command"), n = take(c, 2, "a command's length");

			if (++cmds > MIG_COMMANDS_MAX)
				return diag_add(d, DIAG_ERROR, "more than %d commands before the first section", MIG_COMMANDS_MAX);
			if (cmd == MIG_CMD_POSTCOPY_ADVISE && n == 16) {
				uint64_t summary = take(c, 8, "postcopy's page-size summary"), page = take(c, 8, "postcopy's page size");

				/* the per-block page size is only written when some block's differs */
				s->postcopy = summary != page ? 2 : 1;
			} else if (!c->out && !in_bounds(c->len, c->off, n)) {
				c->at = "a command's data";
				c->out = 1;
			} else {
				c->off += n;
			}
			continue;
		}
		if (type != MIG_SECTION_START && type != MIG_SECTION_FULL)
			return diag_add(d, DIAG_ERROR, "byte 0x%02x at 0x%llx: not a section start or a command",
					type, (unsigned long long)at);
		*id = (uint32_t)take(c, 4, "a section id");
		take_name(c, name, "a section's name");
		take(c, 8, "a section's instance and version");
		if (c->out)
			return LIB_OK;
		if (strcmp(name, "ram") != 0)
			return diag_add(d, DIAG_ERROR, "the first section at 0x%llx is '%.60s', not 'ram': a layout this reader does not know",
					(unsigned long long)at, name);
		return LIB_OK;
	}
	return LIB_OK;
}

enum lib_result mig_stream_parse(const uint8_t *p, size_t len, struct mig_stream *s, int *short_read, struct diag *d)
{
	struct cur c = { p, len, 0, NULL, 0 };
	uint32_t id = 0;
	uint64_t v, sum = 0;
	enum lib_result rc;

	memset(s, 0, sizeof(*s));
	*short_read = 0;
	if (take(&c, 4, "the magic") != MIG_MAGIC || c.out)
		return diag_add(d, DIAG_ERROR, "not a QEMU migration stream: no \"QEVM\" at 0x0");
	v = take(&c, 4, "the version");
	if (c.out)
		return ran_out(&c, short_read, d);
	if (v != MIG_VERSION)
		return diag_add(d, DIAG_ERROR, "stream version %llu, expected %d", (unsigned long long)v, MIG_VERSION);
	if (in_bounds(len, c.off, 1) && p[c.off] == MIG_CONFIGURATION) {
		c.off++;
		if ((rc = configuration(&c, s, d)) != LIB_OK)
			return rc;
	}
	if ((rc = to_ram_section(&c, s, &id, d)) != LIB_OK)
		return rc;
	v = take(&c, 8, "the RAM total");
	if (c.out)
		return ran_out(&c, short_read, d);
	if ((v & RAM_FLAG_MASK) != RAM_FLAG_MEM_SIZE)
		return diag_add(d, DIAG_ERROR, "the ram section starts with flags 0x%llx at 0x%llx, expected MEM_SIZE 0x%x",
				(unsigned long long)(v & RAM_FLAG_MASK), (unsigned long long)(c.off - 8), RAM_FLAG_MEM_SIZE);
	s->total = v & ~(uint64_t)RAM_FLAG_MASK;
	while (sum < s->total) {
		struct mig_block *b;
		uint64_t at = c.off;

		if (s->n == MIG_BLOCKS_MAX)
			return diag_add(d, DIAG_ERROR, "more than %d RAM blocks", MIG_BLOCKS_MAX);
		b = &s->block[s->n];
		if (!take_name(&c, b->name, "a RAM block's name") && !c.out)
			return diag_add(d, DIAG_ERROR, "RAM block %zu at 0x%llx: empty name", s->n, (unsigned long long)at);
		b->used = take(&c, 8, "a RAM block's length");
		if (c.out)
			return ran_out(&c, short_read, d);
		if (b->used > s->total - sum)
			return diag_add(d, DIAG_ERROR, "RAM block '%.60s' at 0x%llx: 0x%llx bytes, past the total 0x%llx (0x%llx left)",
					b->name, (unsigned long long)at, (unsigned long long)b->used,
					(unsigned long long)s->total, (unsigned long long)(s->total - sum));
		sum += b->used;
		s->n++;
		/* postcopy with huge pages somewhere: a page size after a block whose own differs
		 * from the host's; it starts with 0x00 where a name's length byte never does, and
		 * after the last block its low bits are clear where the EOS record's are not */
		if (s->postcopy == 2 && in_bounds(len, c.off, 8)) {
			uint64_t next = 0;

			rd_be64(p, len, c.off, &next);
			if (sum < s->total ? p[c.off] == 0 : (next & RAM_FLAG_MASK) == 0 && next)
				c.off += 8;
		}
		if (s->x_ignore_shared)
			take(&c, 8, "a RAM block's address (x-ignore-shared)");
	}
	for (unsigned k = 0;; k++) {
		v = take(&c, 8, "the block list's end (EOS)");
		if (c.out)
			return ran_out(&c, short_read, d);
		if (v == RAM_FLAG_EOS)
			break;
		if (v != RAM_FLAG_MULTIFD_FLUSH || k > 4)
			return diag_add(d, DIAG_ERROR, "record 0x%llx at 0x%llx after the block list, expected EOS 0x%x",
					(unsigned long long)v, (unsigned long long)(c.off - 8), RAM_FLAG_EOS);
	}
	if (s->has_config) { /* send-section-footer goes with send-configuration (both off in hw_compat_2_3) */
		uint64_t f = take(&c, 1, "the section footer"), fid = take(&c, 4, "the section footer's id");

		if (c.out)
			return ran_out(&c, short_read, d);
		if (f != MIG_FOOTER || fid != id)
			return diag_add(d, DIAG_ERROR, "footer 0x%02llx, section %llu at 0x%llx, expected 0x7e, section %u",
					(unsigned long long)f, (unsigned long long)fid, (unsigned long long)(c.off - 5), id);
	}
	s->end = c.off;
	return LIB_OK;
}
