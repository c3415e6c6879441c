/* SPDX-License-Identifier: MIT */
/* A running VM's "info ramblock" table (lib/ramtable.c), as QEMU 7.2 prints it and as later versions widen it. */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "ramtable.h"
#include "t.h"

#define HEAD "              Block Name    PSize              Offset               Used              Total\r\n"

static struct mig_stream s;

static enum lib_result parse(const char *text, struct diag *d)
{
	diag_init(d);
	return ramtable_parse((const uint8_t *)text, strlen(text), &s, d);
}

static void test_qemu_7_2(void)
{
	struct diag d;
	static const char t[] = HEAD
		"                  pc.ram    4 KiB  0x0000000000000000 0x0000000008000000 0x0000000008000000\r\n"
		"    /rom@etc/acpi/tables    4 KiB  0x0000000009100000 0x0000000000020000 0x0000000000200000\r\n"
		"  0000:00:02.0/e1000.rom    4 KiB  0x0000000008080000 0x0000000000040000 0x0000000000040000\r\n"
		"0000:00:1f.0/very-long-device-name/x.rom    2 MiB  0x0000000008080000 0x0000000000001000 0x0000000000001000\n";

	CHECK(ramtable_detect((const uint8_t *)t, sizeof(t) - 1), "the header is recognised");
	CHECK(parse(t, &d) == LIB_OK && s.n == 4, "four rows: %zu (%s)", s.n, diag_first(&d));
	CHECK(!strcmp(s.block[2].name, "0000:00:02.0/e1000.rom") && s.block[2].used == 0x40000,
	      "a ROM block and its used length: %s 0x%llx", s.block[2].name, (unsigned long long)s.block[2].used);
	CHECK(s.block[1].used == 0x20000, "Used, not Total, for a resizable block");
	CHECK(!strcmp(s.block[3].name, "0000:00:1f.0/very-long-device-name/x.rom"), "a name past 24 columns");
	CHECK(!s.has_config && !s.machine[0], "no machine type: the caller gives it");
}

static void test_later_columns_and_names(void)
{
	struct diag d;
	static const char t[] =
		"              Block Name    PSize              Offset               Used              Total                HVA  RO\n"
		"                 pc.bios    4 KiB  0x0000000008000000 0x0000000000040000 0x0000000000040000 0x00007f0123456000  ro\n";

	CHECK(parse(t, &d) == LIB_OK && s.n == 1 && s.block[0].used == 0x40000, "HVA and RO columns after Total");
	CHECK(parse(HEAD "  my rom    4 KiB  0x0 0x1000 0x1000\n", &d) == LIB_OK && !strcmp(s.block[0].name, "my rom"),
	      "a name with a blank: '%s'", s.block[0].name);
}

static void test_refused(void)
{
	static char big[300 * 100 + 200];
	char name[400];
	struct diag d;

	CHECK(!ramtable_detect((const uint8_t *)"QEVM", 4), "a stream is not a table");
	CHECK(parse("Block Name PSize Used Offset\n pc.ram 4 KiB 0x0 0x1000\n", &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "line 1: not the header"), "columns in another order: %s", diag_first(&d));
	CHECK(parse(HEAD, &d) == LIB_REFUSED && DIAG_HAS(&d, "without rows"), "a header alone");
	CHECK(parse(HEAD "  pc.ram 4 KiB 0x0\n", &d) == LIB_REFUSED && DIAG_HAS(&d, "line 2: no block name"),
	      "a row without Used: %s", diag_first(&d));
	CHECK(parse(HEAD "  0x0 0x1000\n", &d) == LIB_REFUSED, "a row without a name and PSize");
	CHECK(parse(HEAD "  pc.ram 4 KiB 0x0 0x10000000000000000\n", &d) == LIB_REFUSED, "Used of 17 hex digits");
	CHECK(parse(HEAD "  pc.ram 4 KiB 0x0 0xfffffffffffffffff0\n", &d) == LIB_REFUSED, "Used of 18 hex digits");
	memset(name, 'a', sizeof(name));
	/* QEMU's idstr is char[256]: 255 bytes fit, 256 do not */
	snprintf(name + 256, sizeof(name) - 256, " 4 KiB 0x0 0x1000\n");
	snprintf(big, sizeof(big), HEAD "%s", name);
	CHECK(parse(big, &d) == LIB_REFUSED && DIAG_HAS(&d, "a block name of 256 bytes"), "a 256-byte name: %s",
	      diag_first(&d));
	snprintf(name + 255, sizeof(name) - 255, " 4 KiB 0x0 0x1000\n");
	snprintf(big, sizeof(big), HEAD "%s", name);
	CHECK(parse(big, &d) == LIB_OK && strlen(s.block[0].name) == 255, "a 255-byte name fits");
	/* 257 rows: one past the limit; 256: the limit */
	{
		size_t k = (size_t)snprintf(big, sizeof(big), HEAD);

		for (int i = 0; i < 257; i++)
			k += (size_t)snprintf(big + k, sizeof(big) - k, " b%d 4 KiB 0x0 0x1000\n", i);
		CHECK(parse(big, &d) == LIB_REFUSED && DIAG_HAS(&d, "more than 256"), "257 rows: %s", diag_first(&d));
		*strrchr(big, ' ') = 0;
		*strrchr(big, '\n') = 0;
		CHECK(parse(big, &d) == LIB_OK && s.n == 256, "256 rows: %zu", s.n);
	}
}

int main(void)
{
	T_RUN(test_qemu_7_2);
	T_RUN(test_later_columns_and_names);
	T_RUN(test_refused);
	return T_END("ramtable");
}
