/* SPDX-License-Identifier: MIT */
/* The device -> romfile table (lib/romdevs.c): what parses, what is refused, who loads a file. */
#include <string.h>

#include "romdevs.h"
#include "t.h"

static struct romdevs t;

static enum lib_result parse(const char *text, struct diag *d)
{
	diag_init(d);
	return romdevs_parse(text, strlen(text), &t, d);
}

static void test_parses_and_lists(void)
{
	struct diag d;
	char buf[64];

	CHECK(parse("# QEMU 7.2\ne1000 efi-e1000.rom\ne1000-82545em efi-e1000.rom\nVGA vgabios-stdvga.bin\n", &d) ==
	      LIB_OK && t.n == 3, "%s", diag_first(&d));
	CHECK(romdevs_for(&t, "efi-e1000.rom", buf, sizeof(buf)) == 2 && !strcmp(buf, "e1000 e1000-82545em"), "'%s'", buf);
	CHECK(romdevs_for(&t, "pxe-e1000.rom", buf, sizeof(buf)) == 0 && buf[0] == '\0', "none: '%s'", buf);
	/* a short buffer: the count is whole, the text cut */
	CHECK(romdevs_for(&t, "efi-e1000.rom", buf, 8) == 2 && strlen(buf) == 7, "cut: '%s'", buf);
}

/* older machine types: a device listed again for the file it loads there, named with them */
static void test_older_machine_types(void)
{
	struct diag d;
	char buf[128];

	CHECK(parse("e1000 efi-e1000.rom\nrtl8139 efi-rtl8139.rom\n"
		    "e1000 pxe-e1000.rom pc-i440fx-1.4\nrtl8139 pxe-rtl8139.rom pc-i440fx-1.4,pc-i440fx-1.5\n", &d) ==
	      LIB_OK && t.n == 4, "%s", diag_first(&d));
	CHECK(romdevs_for(&t, "pxe-e1000.rom", buf, sizeof(buf)) == 1 && !strcmp(buf, "e1000 (pc-i440fx-1.4)"), "'%s'", buf);
	CHECK(romdevs_for(&t, "pxe-rtl8139.rom", buf, sizeof(buf)) == 1 &&
	      !strcmp(buf, "rtl8139 (pc-i440fx-1.4, pc-i440fx-1.5)"), "'%s'", buf);
	CHECK(romdevs_for(&t, "efi-e1000.rom", buf, sizeof(buf)) == 1 && !strcmp(buf, "e1000"), "default: '%s'", buf);
	/* cut inside the machine list: still terminated, the count whole */
	CHECK(romdevs_for(&t, "pxe-rtl8139.rom", buf, 12) == 1 && !strcmp(buf, "rtl8139 (pc"), "cut: '%s'", buf);
}

/* the ROM block a saved VM names, back to the files its devices load on its machine type */
static void test_files_for_block(void)
{
	struct diag d;
	const char *files[4];
	char devs[128];

	CHECK(parse("machine bios-256k.bin block=pc.bios\ne1000 efi-e1000.rom block=e1000.rom\n"
		    "e1000-82545em efi-e1000.rom block=e1000.rom\nne2k_pci efi-ne2k_pci.rom block=ne2000.rom\n"
		    "machine bios.bin isapc,pc-i440fx-1.4\ne1000 pxe-e1000.rom pc-i440fx-1.4\n", &d) == LIB_OK && t.n == 6,
	      "%s", diag_first(&d));
	CHECK(romdevs_files_for_block(&t, "e1000.rom", "pc-i440fx-7.2", files, 4, devs, sizeof(devs)) == 1 &&
	      !strcmp(files[0], "efi-e1000.rom") && !strcmp(devs, "e1000 e1000-82545em"), "7.2: %s, '%s'", files[0], devs);
	CHECK(romdevs_files_for_block(&t, "e1000.rom", "pc-i440fx-1.4", files, 4, devs, sizeof(devs)) == 2 &&
	      !strcmp(files[0], "pxe-e1000.rom") && !strcmp(files[1], "efi-e1000.rom"),
	      "1.4: e1000 loads pxe-e1000.rom, e1000-82545em still efi-e1000.rom");
	CHECK(romdevs_for(&t, "bios.bin", devs, sizeof(devs)) == 1 &&
	      !strcmp(devs, "the machine's BIOS (isapc, pc-i440fx-1.4)"), "bios.bin: '%s'", devs);
	CHECK(romdevs_files_for_block(&t, "pc.bios", "isapc", files, 4, devs, sizeof(devs)) == 1 &&
	      !strcmp(files[0], "bios.bin"), "isapc: bios.bin");
	CHECK(romdevs_files_for_block(&t, "pc.bios", "", files, 4, devs, sizeof(devs)) == 1 &&
	      !strcmp(files[0], "bios-256k.bin"), "no machine type: the default");
	CHECK(romdevs_files_for_block(&t, "pc-i440fx", "pc-i440fx-1.4", files, 4, devs, sizeof(devs)) == 0 &&
	      devs[0] == '\0', "a block no device maps");
	CHECK(romdevs_files_for_block(&t, "e1000.rom", "pc-i440fx-1", files, 4, devs, sizeof(devs)) == 1 &&
	      !strcmp(files[0], "efi-e1000.rom"), "a machine type is matched whole, not as a prefix");
}

static const struct { const char *name, *text, *says; } refused[] = {
	{ "one field", "e1000\n", "line 1: 1 fields, expected DEVICE ROMFILE [block=NAME | MACHINE,...]" },
	{ "four fields", "a b c d\n", "line 1: 4 fields" },
	{ "an empty block", "e1000 efi-e1000.rom block=\n", "block= names no block" },
	{ "a block with a path", "e1000 efi-e1000.rom block=0000:00:02.0/e1000.rom\n", "without the PCI path" },
	{ "an empty machine type", "e1000 pxe-e1000.rom pc-i440fx-1.4,,pc\n", "machine types 'pc-i440fx-1.4,,pc'" },
	{ "a trailing comma", "e1000 pxe-e1000.rom pc-i440fx-1.4,\n", "a comma-separated list" },
	{ "a machine row twice", "e1000 p.rom m1\ne1000 p.rom m2\n", "line 2: device e1000 with p.rom listed again" },
	{ "a directory in ROMFILE", "e1000 ../x.rom\n", "ROMFILE without a directory" },
	{ "a device listed twice", "e1000 a.rom\ne1000 b.rom\n", "line 2: device e1000 listed again" },
	{ "a name of ROMDEVS_NAME_MAX characters",
	  "e1000 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "names under 64 characters" },
};

static void test_refuses(void)
{
	struct diag d;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(parse(refused[i].text, &d) == LIB_REFUSED && DIAG_HAS(&d, refused[i].says), "%s: '%s'",
		      refused[i].name, diag_first(&d));
	/* 63 characters is the longest name */
	CHECK(parse("e1000 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &d) == LIB_OK, "63: %s",
	      diag_first(&d));
}

/* ROMDEVS_MAX entries fit; one more is refused */
static void test_entry_limit(void)
{
	static char text[(ROMDEVS_MAX + 1) * 24];
	struct diag d;
	size_t used = 0;

	for (int i = 0; i < ROMDEVS_MAX; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "dev%d x.rom\n", i);
	CHECK(parse(text, &d) == LIB_OK && t.n == ROMDEVS_MAX, "%zu: %s", t.n, diag_first(&d));
	snprintf(text + used, sizeof(text) - used, "one-more x.rom\n");
	CHECK(parse(text, &d) == LIB_REFUSED && DIAG_HAS(&d, "more than 256 entries"), "'%s'", diag_first(&d));
}

int main(void)
{
	T_RUN(test_parses_and_lists);
	T_RUN(test_older_machine_types);
	T_RUN(test_files_for_block);
	T_RUN(test_refuses);
	T_RUN(test_entry_limit);
	return T_END("romdevs");
}
