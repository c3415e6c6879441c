/* SPDX-License-Identifier: MIT */
/* size_parse / size_format: every accepted spelling, each refusal by name, the limits around 2^48. */
#include <stdint.h>

#include "diag.h"
#include "size.h"
#include "t.h"

/* What each spelling parses to, or which refusal it is. */
static const struct { const char *s; enum size_result want; uint64_t v; } parse_cases[] = {
	/* accepted spellings */
	{ "65536", SIZE_OK, 65536 },         { "64K", SIZE_OK, 65536 },      { "64k", SIZE_OK, 65536 },
	{ "64KiB", SIZE_OK, 65536 },         { "64KB", SIZE_OK, 65536 },     { "0x10000", SIZE_OK, 65536 },
	{ "0X10000", SIZE_OK, 65536 },       { "2M", SIZE_OK, 2097152 },     { "2MiB", SIZE_OK, 2097152 },
	{ "1G", SIZE_OK, 1073741824 },       { "0x1E0000", SIZE_OK, 0x1E0000 }, { "1", SIZE_OK, 1 },
	{ "0x1B", SIZE_OK, 0x1B },           /* B is a hex digit, not a unit */
	/* the 2^48 limit: limit - 1, limit, limit + 1, in bytes and in K */
	{ "0xffffffffffff", SIZE_OK, 0xffffffffffffULL }, { "0x1000000000000", SIZE_OK, 1ULL << 48 },
	{ "0x1000000000001", SIZE_TOO_LARGE, 0 },
	{ "274877906943K", SIZE_OK, 274877906943ULL << 10 }, { "274877906944K", SIZE_OK, 1ULL << 48 },
	{ "274877906945K", SIZE_TOO_LARGE, 0 },
	{ "18446744073709551616", SIZE_TOO_LARGE, 0 }, { "99999999999999999999999", SIZE_TOO_LARGE, 0 },
	/* no digits: empty, signs, a unit alone, a bare 0x */
	{ "", SIZE_NO_DIGITS, 0 },   { "K", SIZE_NO_DIGITS, 0 }, { "-1", SIZE_NO_DIGITS, 0 },
	{ "+1", SIZE_NO_DIGITS, 0 }, { "0x", SIZE_NO_DIGITS, 0 }, { NULL, SIZE_NO_DIGITS, 0 },
	/* zero, in any unit */
	{ "0", SIZE_ZERO, 0 }, { "0K", SIZE_ZERO, 0 }, { "0x0", SIZE_ZERO, 0 },
	/* text after the digits that is no unit */
	{ "64 K", SIZE_BAD_UNIT, 0 }, { "64Kb", SIZE_BAD_UNIT, 0 }, { "64KK", SIZE_BAD_UNIT, 0 },
	{ "1.5M", SIZE_BAD_UNIT, 0 }, { "64T", SIZE_BAD_UNIT, 0 },  { "12Q", SIZE_BAD_UNIT, 0 },
	/* a unit after hex digits */
	{ "0x10K", SIZE_HEX_UNIT, 0 }, { "0x1M", SIZE_HEX_UNIT, 0 }, { "0x10KiB", SIZE_HEX_UNIT, 0 },
};

static void test_parse_table(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const char *s = parse_cases[i].s;
		uint64_t v = 0xdead;
		enum size_result r = size_parse(s, &v);

		CHECK(r == parse_cases[i].want, "'%s': %s, expected %s", s ? s : "(null)", size_result_text(r),
		      size_result_text(parse_cases[i].want));
		if (parse_cases[i].want == SIZE_OK)
			CHECK(v == parse_cases[i].v, "'%s': %llu", s, (unsigned long long)v);
		else
			CHECK(v == 0xdead, "'%s': the output is left alone on refusal", s ? s : "(null)");
	}
}

/* Every refusal has words for a message; no two share them. */
static void test_result_texts(void)
{
	const enum size_result all[] = { SIZE_NO_DIGITS, SIZE_BAD_UNIT, SIZE_HEX_UNIT, SIZE_ZERO, SIZE_TOO_LARGE };

	CHECK(*size_result_text(SIZE_OK) == 0, "SIZE_OK has no text");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK(*size_result_text(all[i]) != 0, "result %d has a text", (int)all[i]);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(size_result_text(all[i]), size_result_text(all[j])) != 0, "results %d and %d",
			      (int)all[i], (int)all[j]);
	}
}

/* size_format is for people, size_format_arg for command lines: it parses back. */
static void test_format_round_trip(void)
{
	static const struct { uint64_t v; const char *human, *arg; } fmt[] = {
		{ 131072, "128 KiB", "128K" },          { 2097152, "2 MiB", "2M" },
		{ 131584, "131584 bytes", "131584" },  { 1536, "1536 bytes", "1536" },
		{ 0x1E0000, "1920 KiB", "1920K" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		uint64_t back = 0;

		size_format(fmt[i].v, buf, sizeof(buf));
		CHECK(strcmp(buf, fmt[i].human) == 0, "%s", buf);
		size_format_arg(fmt[i].v, buf, sizeof(buf));
		CHECK(strcmp(buf, fmt[i].arg) == 0, "%s", buf);
		CHECK(size_parse(buf, &back) == SIZE_OK && back == fmt[i].v, "%s", buf);
	}
}

int main(void)
{
	T_RUN(test_parse_table);
	T_RUN(test_result_texts);
	T_RUN(test_format_round_trip);
	return T_END("size");
}
