/* SPDX-License-Identifier: MIT */
/* romsize's text and JSON rendering of an analysed image. */
#ifndef ROMSIZE_REPORT_H
#define ROMSIZE_REPORT_H

#include <stdio.h>

#include "diag.h"
#include "image.h"
#include "json.h"

/* Text form: a summary line, then one indented line per image or detail. */
void report_text(FILE *f, const char *file, const struct image_report *r, uint64_t slot);
/* One JSON object (an element of "files"); slot 0 is written as null. */
void report_json(struct json *j, const char *file, const struct image_report *r,
		 uint64_t slot, int ok, const struct diag *d);

#endif
