/* SPDX-License-Identifier: MIT */
/* size_parse / size_format: every accepted spelling, and the limits around 2^48. */
#include <stdint.h>

#include "diag.h"
#include "size.h"
#include "t.h"

int main(void)
{
	static const struct { const char *s; int ok; uint64_t v; } cases[] = {
		{ "65536", 1, 65536 }, { "64K", 1, 65536 }, { "64k", 1, 65536 },
		{ "64KiB", 1, 65536 }, { "64KB", 1, 65536 }, { "0x10000", 1, 65536 },
		{ "0X10000", 1, 65536 }, { "2M", 1, 2097152 }, { "2MiB", 1, 2097152 },
		{ "1G", 1, 1073741824 }, { "0x1E0000", 1, 0x1E0000 }, { "1", 1, 1 },
		/* the 2^48 limit: limit - 1, limit, limit + 1 */
		{ "0xffffffffffff", 1, 0xffffffffffffULL }, { "0x1000000000000", 1, 1ULL << 48 },
		{ "0x1000000000001", 0, 0 },
		{ "274877906943K", 1, 274877906943ULL << 10 }, { "274877906944K", 1, 1ULL << 48 },
		{ "274877906945K", 0, 0 },
		{ "18446744073709551616", 0, 0 }, { "99999999999999999999999", 0, 0 },
		{ "", 0, 0 }, { "0", 0, 0 }, { "0K", 0, 0 }, { "K", 0, 0 }, { "-1", 0, 0 },
		{ "+1", 0, 0 }, { "64 K", 0, 0 }, { "64Kb", 0, 0 }, { "64KK", 0, 0 },
		{ "0x10K", 0, 0 }, { "0x", 0, 0 }, { "1.5M", 0, 0 }, { "64T", 0, 0 },
	};
	static const struct { uint64_t v; const char *human, *arg; } fmt[] = {
		{ 131072, "128 KiB", "128K" }, { 2097152, "2 MiB", "2M" },
		{ 131584, "131584 bytes", "131584" }, { 1536, "1536 bytes", "1536" },
		{ 0x1E0000, "1920 KiB", "1920K" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int rc = size_parse(cases[i].s, &v);

		CHECK((rc == 0) == cases[i].ok, "'%s': rc %d", cases[i].s, rc);
		if (cases[i].ok)
			CHECK(v == cases[i].v, "'%s': %llu", cases[i].s, (unsigned long long)v);
	}
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		uint64_t back = 0;

		size_format(fmt[i].v, buf, sizeof(buf));
		CHECK(strcmp(buf, fmt[i].human) == 0, "%s", buf);
		size_format_arg(fmt[i].v, buf, sizeof(buf));
		CHECK(strcmp(buf, fmt[i].arg) == 0, "%s", buf);
		/* the argument form must parse back to the same value */
		CHECK(size_parse(buf, &back) == 0 && back == fmt[i].v, "%s", buf);
	}
	return T_END("size");
}
