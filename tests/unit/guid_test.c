/* SPDX-License-Identifier: MIT */
/* GUIDs as EFI stores them and as people write them (lib/guid.c). */
#include "diag.h"
#include "guid.h"
#include "t.h"

/* the varstore FV's GUID: fff12b8d-7696-4c8b-a985-2747075b4f50, as stored (first three fields little-endian) */
static const char NV_TEXT[] = "fff12b8d-7696-4c8b-a985-2747075b4f50";

static void test_round_trip_and_names(void)
{
	uint8_t g[16];
	char s[GUID_STR_LEN];

	CHECK(guid_parse(NV_TEXT, g) == LIB_OK && guid_eq(g, GUID_SYSTEM_NV_DATA_FV), "parses to the stored bytes");
	CHECK(g[0] == 0x8d && g[3] == 0xff && g[4] == 0x96 && g[8] == 0xa9, "little-endian fields: %02x %02x", g[0], g[4]);
	guid_format(g, s);
	CHECK(!strcmp(s, NV_TEXT), "formats back: %s", s);
	CHECK(guid_parse("FFF12B8D-7696-4C8B-A985-2747075B4F50", g) == LIB_OK && guid_eq(g, GUID_SYSTEM_NV_DATA_FV),
	      "upper case too");
	CHECK(guid_name(GUID_SYSTEM_NV_DATA_FV) != NULL, "a known GUID has a name");
	g[15] ^= 1;
	CHECK(guid_name(g) == NULL && !guid_eq(g, GUID_SYSTEM_NV_DATA_FV), "one bit off: no name, not equal");
}

static const char *const refused[] = {
	"fff12b8d-7696-4c8b-a985-2747075b4f5",    /* one digit short */
	"fff12b8d-7696-4c8b-a985-2747075b4f500",  /* one digit long */
	"fff12b8d7696-4c8b-a985-2747075b4f50-",   /* a dash moved */
	"fff12b8d-7696-4c8b-a985-2747075b4f5g",   /* not a hex digit */
	"",
};

static void test_refused(void)
{
	uint8_t g[16];

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(guid_parse(refused[i], g) == LIB_REFUSED, "'%s' refused", refused[i]);
}

int main(void)
{
	T_RUN(test_round_trip_and_names);
	T_RUN(test_refused);
	return T_END("guid");
}
