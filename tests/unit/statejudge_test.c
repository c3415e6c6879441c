/* SPDX-License-Identifier: MIT */
/* Whether a saved VM's blocks load on a firmware set (lib/statejudge.c), block kind by block kind. */
#include <string.h>

#include "diag.h"
#include "romdevs.h"
#include "statejudge.h"
#include "t.h"

static const char TABLE[] =
	"machine bios-256k.bin block=pc.bios\n"
	"e1000 efi-e1000.rom block=e1000.rom\n"
	"e1000-82545em efi-e1000.rom block=e1000.rom\n"
	"VGA vgabios-stdvga.bin block=vga.rom\n"
	"machine bios.bin pc-i440fx-1.4\n"
	"e1000 pxe-e1000.rom pc-i440fx-1.4\n";

static struct romdevs t;
static struct mig_stream s;
static struct block_judgement out[8];

static void add(const char *name, uint64_t used)
{
	snprintf(s.block[s.n].name, MIG_NAME_MAX, "%s", name);
	s.block[s.n++].used = used;
}

static enum lib_result judge(const char *machine, const struct fw_size *set, size_t n, const char *loader, struct diag *d)
{
	snprintf(s.machine, sizeof(s.machine), "%s", machine);
	diag_init(d);
	return state_judge(&s, &t, set, n, loader, out, d);
}

static void test_rules(void)
{
	struct diag d;
	const struct fw_size deb12[] = {
		{ "bios-256k.bin", 262144 }, { "bios.bin", 131072 }, { "efi-e1000.rom", 249856 },
		{ "pxe-e1000.rom", 75264 }, { "vgabios-stdvga.bin", 39936 }, { "OVMF_CODE_4M.fd", 0x37c000 },
	};

	diag_init(&d);
	CHECK(romdevs_parse(TABLE, strlen(TABLE), &t, &d) == LIB_OK, "%s", diag_first(&d));
	memset(&s, 0, sizeof(s));
	add("pc.ram", 0x8000000);
	add("pc.bios", 0x40000);
	add("0000:00:02.0/e1000.rom", 0x40000);      /* 249856 -> pow2ceil 0x40000 */
	add("0000:00:03.0/vga.rom", 0x10000);        /* 39936 -> 0x10000 */
	add("/rom@etc/acpi/tables", 0x20000);
	add("system.flash0", 0x37c000);
	CHECK(judge("pc-i440fx-7.2", deb12, 6, "OVMF_CODE_4M.fd", &d) == LIB_OK && d.n == 0, "%s", diag_first(&d));
	CHECK(out[0].v == BV_NOT_FIRMWARE && out[1].v == BV_SAME && out[2].v == BV_SAME && out[3].v == BV_SAME &&
	      out[4].v == BV_RESIZABLE && out[5].v == BV_SAME, "verdicts %d %d %d %d %d %d", out[0].v, out[1].v,
	      out[2].v, out[3].v, out[4].v, out[5].v);
	CHECK(strstr(out[2].devices, "e1000-82545em") && strstr(out[2].files, "efi-e1000.rom 249856 bytes"),
	      "devices '%s', files '%s'", out[2].devices, out[2].files);
	/* one block past its pow2: Size mismatch, with both sizes */
	{
		const struct fw_size grown[] = { { "bios-256k.bin", 262144 }, { "efi-e1000.rom", 262144 + 512 },
						 { "vgabios-stdvga.bin", 39936 }, { "OVMF_CODE_4M.fd", 0x37d000 } };

		CHECK(judge("pc-i440fx-7.2", grown, 4, "OVMF_CODE_4M.fd", &d) == LIB_REFUSED && out[2].v == BV_CHANGED &&
		      out[2].new_used == 0x80000 && out[5].v == BV_CHANGED &&
		      DIAG_HAS(&d, "0000:00:02.0/e1000.rom: 0x40000 in the saved state, 0x80000 on the new set"),
		      "%s", diag_first(&d));
	}
	/* no CODE named: no verdict; a CODE the set lacks: missing; a file the set lacks: missing */
	CHECK(judge("pc-i440fx-7.2", deb12, 6, NULL, &d) == LIB_REFUSED && out[5].v == BV_UNKNOWN &&
	      DIAG_HAS(&d, "(--code NAME)"), "%s", diag_first(&d));
	CHECK(judge("pc-i440fx-7.2", deb12, 6, "OVMF_CODE_4M.ms.fd", &d) == LIB_REFUSED && out[5].v == BV_MISSING,
	      "%s", diag_first(&d));
	CHECK(judge("pc-i440fx-7.2", deb12, 2, "OVMF_CODE_4M.fd", &d) == LIB_REFUSED && out[2].v == BV_MISSING &&
	      DIAG_HAS(&d, "the new set has no efi-e1000.rom"), "%s", diag_first(&d));
}

/* an older machine type: its own BIOS and ROM files; a ROM block no device maps */
static void test_machine_types_and_unknown(void)
{
	struct diag d;
	const struct fw_size deb12[] = { { "bios-256k.bin", 262144 }, { "bios.bin", 131072 },
					 { "efi-e1000.rom", 249856 }, { "pxe-e1000.rom", 75264 } };

	memset(&s, 0, sizeof(s));
	add("pc.bios", 0x20000);
	add("0000:00:02.0/e1000.rom", 0x20000);
	CHECK(judge("pc-i440fx-1.4", deb12, 4, NULL, &d) == LIB_OK && out[0].v == BV_SAME && out[1].v == BV_SAME,
	      "1.4: bios.bin and pxe-e1000.rom: %s", diag_first(&d));
	CHECK(judge("pc-i440fx-7.2", deb12, 4, NULL, &d) == LIB_REFUSED && out[0].v == BV_CHANGED, "7.2: %s",
	      diag_first(&d));
	memset(&s, 0, sizeof(s));
	add("0000:00:04.0/sungem.rom", 0x10000);
	CHECK(judge("pc-i440fx-7.2", deb12, 4, NULL, &d) == LIB_REFUSED && out[0].v == BV_UNKNOWN &&
	      DIAG_HAS(&d, "no device of the romfile table maps this ROM block"), "%s", diag_first(&d));
}

int main(void)
{
	T_RUN(test_rules);
	T_RUN(test_machine_types_and_unknown);
	return T_END("statejudge");
}
