/* SPDX-License-Identifier: MIT */
/* Size strings (lib/size.c): parse, and what is printed parses back to the same value. */
#include <string.h>

#include "fuzz.h"
#include "size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[80], out[64];
	uint64_t v, back;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (size_parse(s, &v) == SIZE_OK) {
		size_format_arg(v, out, sizeof(out));
		FUZZ_ASSERT(size_parse(out, &back) == SIZE_OK && back == v);
		size_format(v, out, sizeof(out));
	}
	return 0;
}
