/* SPDX-License-Identifier: MIT */
/* Image classification and slot check: BIOS, option ROM, VGA, flash (lib/image.c). */
#include "diag.h"
#include "fuzz.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image_report r;
	static const struct slot_spec specs[] = {
		{ 0x20000, -1, 0, 0, 0 }, { 0x40000, 1, 1, 0x8086, 0x100e }, { 0x10000, 2, 0, 0, 0 },
		{ 0x20000, 0, 0, 0, 0 }, { 0x84000, 3, 0, 0, 0 }, { 0, -1, 0, 0, 0 },
	};
	struct diag d;

	diag_init(&d);
	image_analyse(data, size, &r, &d);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct check_opts o = { 2048, (int)(i & 1), (int)(i >> 1 & 1) };
		struct diag c;

		diag_init(&c);
		image_check(&r, &specs[i], &o, &c);
		if (specs[i].slot)
			(void)image_free(&r, specs[i].slot);
	}
	return 0;
}
