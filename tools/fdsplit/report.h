/* SPDX-License-Identifier: MIT */
/* fdsplit's text and JSON rendering of varstores and CODE images. */
#ifndef FDSPLIT_REPORT_H
#define FDSPLIT_REPORT_H

#include <stdio.h>

#include "bootstore.h"
#include "json.h"
#include "ovmfcode.h"
#include "varstore.h"

void vars_text(FILE *f, const struct varstore *vs);
/* the variable lines and their summary line, as vars_text prints them */
void vars_list_text(FILE *f, const struct varstore *vs);
void code_text(FILE *f, const struct ovmf_code *c, uint64_t len);
void vars_json(struct json *j, const struct varstore *vs);
/* the variables as an array under key, as vars_json writes them */
void vars_list_json(struct json *j, const char *key, const struct varstore *vs);
void code_json(struct json *j, const struct ovmf_code *c, uint64_t len);
/* "boot": what OVMF's start-up does with a store (clause: boot_store_clause's) */
void boot_json(struct json *j, const struct boot_store *bs, const char *clause);

#endif
