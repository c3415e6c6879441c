/* SPDX-License-Identifier: MIT */
/* Slot manifest parser: the real pkg/slots.conf shape, and each kind of bad line. */
#include "diag.h"
#include "slots.h"
#include "t.h"

static struct slot_manifest m;

static void expect_err(const char *text, const char *field)
{
	struct diag d;

	diag_init(&d);
	CHECK(slots_parse(text, strlen(text), &m, &d) == LIB_REFUSED && DIAG_HAS(&d, field),
	      "'%s': wanted '%s', got '%s'", text, field, diag_first(&d));
}

/* The shape of pkg/slots.conf: comments, blank lines, tabs, ids, no final newline. */
static void test_good_manifest(void)
{
	static const char good[] =
		"# comment\n"
		"bios.bin   128K  bios\n"
		"\n"
		"  pxe-e1000.rom 0x20000 optionrom 8086:100E # trailing comment\n"
		"vgabios-isavga.bin\t64KiB\tvga\t-\n"
		"OVMF_CODE.fd 0x1E0000 flash"; /* no final newline */
	const struct slot_entry *e;
	struct diag d;

	diag_init(&d);
	CHECK(slots_parse(good, strlen(good), &m, &d) == LIB_OK, "%s", diag_first(&d));
	CHECK(m.n == 4, "%zu entries", m.n);
	e = slots_find(&m, "/usr/lib/ipxe/qemu/pxe-e1000.rom");
	CHECK(e && e->spec.slot == 0x20000 && e->spec.kind == KIND_OPTROM && e->spec.has_id &&
	      e->spec.vendor == 0x8086 && e->spec.device == 0x100e && e->line == 4, "pxe entry");
	e = slots_find(&m, "vgabios-isavga.bin");
	CHECK(e && !e->spec.has_id && e->spec.kind == KIND_VGA, "isavga");
	e = slots_find(&m, "OVMF_CODE.fd");
	CHECK(e && e->spec.slot == 0x1E0000 && e->spec.kind == KIND_FLASH, "flash");
	CHECK(slots_find(&m, "bios") == NULL && slots_find(&m, "xbios.bin") == NULL, "exact names only");
}

/* Each kind of bad line, refused with the line and the field. */
static void test_bad_lines(void)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "bios.bin 128K\n", "line 1: 2 fields" },
		{ "a 1 bios\nb 1 bios 1:2 extra\n", "line 2: 5 fields" },
		{ "bios.bin 12Q bios\n", "line 1: slot '12Q': unknown unit; a size is a byte count" },
		{ "bios.bin 0K bios\n", "slot '0K': zero" },
		{ "bios.bin 128K rom\n", "unknown kind 'rom'" },
		{ "bios.bin 128K bios 8086:100e\n", "only applies to optionrom" },
		{ "x.rom 128K optionrom 8086:100\n", "PCI id '8086:100'" },
		{ "x.rom 128K optionrom 8086:10000\n", "PCI id" },
		{ "x.rom 128K optionrom 808g:1000\n", "PCI id" },
		{ "x.rom 128K optionrom\nx.rom 64K optionrom\n", "line 2: x.rom listed again (first on line 1)" },
		{ "dir/x.rom 128K optionrom\n", "must be a file name" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(bad[i].text, bad[i].msg);
}

static void test_line_too_long(void)
{
	static char big[600];

	memset(big, 'a', sizeof(big) - 1);
	expect_err(big, "longer than 511 characters");
}

static void test_nul_byte(void)
{
	const char nul[] = "a 1 bios\0b 1 bios\n";
	struct diag d;

	diag_init(&d);
	CHECK(slots_parse(nul, sizeof(nul) - 1, &m, &d) == LIB_REFUSED && DIAG_HAS(&d, "NUL byte"), "NUL");
}

/* SLOTS_MAX entries accepted, one more refused. */
static void test_entry_limit(void)
{
	static char text[SLOTS_MAX * 24 + 64];
	struct diag d;
	size_t n = 0;

	for (int i = 0; i <= SLOTS_MAX; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "f%d.rom 64K optionrom\n", i);
		if (i == SLOTS_MAX - 1) {
			diag_init(&d);
			CHECK(slots_parse(text, n, &m, &d) == LIB_OK && m.n == SLOTS_MAX, "%d entries", SLOTS_MAX);
		}
	}
	diag_init(&d);
	CHECK(slots_parse(text, n, &m, &d) == LIB_REFUSED && DIAG_HAS(&d, "more than 256 entries"), "257");
}

int main(void)
{
	T_RUN(test_good_manifest);
	T_RUN(test_bad_lines);
	T_RUN(test_line_too_long);
	T_RUN(test_nul_byte);
	T_RUN(test_entry_limit);
	return T_END("slots");
}
