/* SPDX-License-Identifier: MIT */
/* The RAM-block list of a QEMU migration stream (lib/migstream.c), as QEMU 7.2 writes it. */
#include <string.h>

#include "diag.h"
#include "migstream.h"
#include "t.h"

/* the first 0xe3 bytes of `migrate "exec:cat > f"` from -M pc -m 128 -device e1000 (QEMU 7.2.22) */
static const uint8_t PC72[] = {
	0x51, 0x45, 0x56, 0x4d, 0x00, 0x00, 0x00, 0x03, 0x07, 0x00, 0x00, 0x00, 0x0d, 'p', 'c', '-',
	'i', '4', '4', '0', 'f', 'x', '-', '7', '.', '2', 0x01, 0x00, 0x00, 0x00, 0x02, 0x03,
	'r', 'a', 'm', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x08,
	0x0c, 0x20, 0x04, 0x06, 'p', 'c', '.', 'r', 'a', 'm', 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
	0x00, 0x00, 0x14, '/', 'r', 'o', 'm', '@', 'e', 't', 'c', '/', 'a', 'c', 'p', 'i',
	'/', 't', 'a', 'b', 'l', 'e', 's', 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x07,
	'p', 'c', '.', 'b', 'i', 'o', 's', 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x16,
	'0', '0', '0', '0', ':', '0', '0', ':', '0', '2', '.', '0', '/', 'e', '1', '0',
	'0', '0', '.', 'r', 'o', 'm', 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x06, 'p',
	'c', '.', 'r', 'o', 'm', 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x15, '/', 'r',
	'o', 'm', '@', 'e', 't', 'c', '/', 't', 'a', 'b', 'l', 'e', '-', 'l', 'o', 'a',
	'd', 'e', 'r', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x12, '/', 'r', 'o', 'm',
	'@', 'e', 't', 'c', '/', 'a', 'c', 'p', 'i', '/', 'r', 's', 'd', 'p', 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x7e, 0x00,
	0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x02,
};

static struct mig_stream s;

static enum lib_result parse(const uint8_t *p, size_t len, int *short_read, struct diag *d)
{
	diag_init(d);
	return mig_stream_parse(p, len, &s, short_read, d);
}

static void test_qemu72_pc(void)
{
	struct diag d;
	int sr;

	CHECK(parse(PC72, sizeof(PC72), &sr, &d) == LIB_OK, "%s", diag_first(&d));
	CHECK(s.has_config && !strcmp(s.machine, "pc-i440fx-7.2") && s.total == 0x80c2000 && s.n == 7,
	      "machine '%s', total 0x%llx, %zu blocks", s.machine, (unsigned long long)s.total, s.n);
	CHECK(!strcmp(s.block[2].name, "pc.bios") && s.block[2].used == 0x40000, "pc.bios 0x40000");
	CHECK(!strcmp(s.block[3].name, "0000:00:02.0/e1000.rom") && s.block[3].used == 0x40000, "e1000.rom 0x40000");
	CHECK(s.end == 0xe3, "the list ends at 0x%llx, where the first page chunk starts (0xe3)", (unsigned long long)s.end);
}

/* every prefix shorter than the list is a short read, never a verdict on the bytes */
static void test_every_prefix(void)
{
	struct diag d;
	size_t bad = 0;
	int sr;

	for (size_t n = 8; n < 0xe3; n++)
		if (parse(PC72, n, &sr, &d) != LIB_REFUSED || !sr || !DIAG_HAS(&d, "the stream ends at"))
			bad++;
	CHECK(bad == 0, "%zu of %d prefixes not reported as short", bad, 0xe3 - 8);
	CHECK(parse(PC72, 4, &sr, &d) == LIB_REFUSED, "4 bytes");
}

/* machine types 2.3 and older: no configuration, no footer (QEMU 7.2, -M pc-i440fx-2.3) */
static void test_no_configuration(void)
{
	static uint8_t b[sizeof(PC72)];
	struct diag d;
	int sr;
	size_t n = 8;

	memcpy(b, PC72, 8);
	memcpy(b + n, PC72 + 26, 0xde - 26); /* from the ram section to EOS, without the footer */
	n += 0xde - 26;
	CHECK(parse(b, n, &sr, &d) == LIB_OK && !s.has_config && s.machine[0] == '\0' && s.n == 7 && s.end == n,
	      "%s; end 0x%llx of 0x%zx", diag_first(&d), (unsigned long long)s.end, n);
}

/* x-ignore-shared: the capabilities subsection, then an address after every block */
static void test_x_ignore_shared(void)
{
	static uint8_t b[512];
	static const char sub[] = "configuration/capabilities", cap[] = "x-ignore-shared";
	struct diag d;
	int sr;
	size_t n = 26, at = 51; /* header and configuration; the first block */

	memcpy(b, PC72, n);
	b[n++] = MIG_SUBSECTION;
	b[n++] = sizeof(sub) - 1;
	memcpy(b + n, sub, sizeof(sub) - 1);
	n += sizeof(sub) - 1;
	memcpy(b + n, "\0\0\0\1\0\0\0\1", 8);
	n += 8;
	b[n++] = sizeof(cap) - 1;
	memcpy(b + n, cap, sizeof(cap) - 1);
	n += sizeof(cap) - 1;
	memcpy(b + n, PC72 + 26, at - 26);
	n += at - 26;
	while (at < 0xd6) { /* each block record, then its address */
		size_t len = 1 + PC72[at] + 8;

		memcpy(b + n, PC72 + at, len);
		n += len;
		at += len;
		memset(b + n, 0, 8);
		n += 8;
	}
	memcpy(b + n, PC72 + 0xd6, 0xe3 - 0xd6);
	n += 0xe3 - 0xd6;
	CHECK(parse(b, n, &sr, &d) == LIB_OK && s.x_ignore_shared && s.n == 7 && s.block[6].used == 0x1000,
	      "%s", diag_first(&d));
	b[n - 6] = 0x11; /* the EOS record, now something else */
	CHECK(parse(b, n, &sr, &d) == LIB_REFUSED && DIAG_HAS(&d, "expected EOS"), "%s", diag_first(&d));
}

/* postcopy: OPEN_RETURN_PATH, PING and POSTCOPY_ADVISE before the first section */
static void test_postcopy_commands(void)
{
	static uint8_t b[512];
	static const uint8_t cmds[] = { 0x08, 0, 1, 0, 0, 0x08, 0, 2, 0, 4, 0, 0, 0, 1,
					0x08, 0, 3, 0, 16, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0 };
	struct diag d;
	int sr;
	size_t n = 26;

	memcpy(b, PC72, n);
	memcpy(b + n, cmds, sizeof(cmds));
	n += sizeof(cmds);
	memcpy(b + n, PC72 + 26, sizeof(PC72) - 26);
	n += sizeof(PC72) - 26;
	CHECK(parse(b, n, &sr, &d) == LIB_OK && s.postcopy == 1 && s.n == 7, "%s", diag_first(&d));
}

static const struct { const char *name; size_t off; uint8_t v; const char *says; } broken[] = {
	{ "magic", 0, 'X', "not a QEMU migration stream" },
	{ "version 2", 7, 2, "stream version 2, expected 3" },
	{ "a section type", 26, 0x09, "byte 0x09 at 0x1a: not a section start or a command" },
	{ "the first section's name", 32, 'x', "is 'xam', not 'ram'" },
	{ "MEM_SIZE flag", 50, 0x08, "expected MEM_SIZE" },
	{ "a block past the total", 60, 0x7f, "past the total" },
	{ "an empty name", 51, 0, "empty name" },
	{ "the footer", 0xdf, 0x03, "expected 0x7e, section 2" },
};

static void test_refusals(void)
{
	static uint8_t b[sizeof(PC72)];
	struct diag d;
	int sr;

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		memcpy(b, PC72, sizeof(b));
		b[broken[i].off] = broken[i].v;
		CHECK(parse(b, sizeof(b), &sr, &d) == LIB_REFUSED && !sr && DIAG_HAS(&d, broken[i].says),
		      "%s: '%s'", broken[i].name, diag_first(&d));
	}
}

int main(void)
{
	T_RUN(test_qemu72_pc);
	T_RUN(test_every_prefix);
	T_RUN(test_no_configuration);
	T_RUN(test_x_ignore_shared);
	T_RUN(test_postcopy_commands);
	T_RUN(test_refusals);
	return T_END("migstream");
}
