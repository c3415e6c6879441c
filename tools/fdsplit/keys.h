/* SPDX-License-Identifier: MIT */
/* fdsplit info's Secure Boot keys and boot options, text and JSON. */
#ifndef FDSPLIT_KEYS_H
#define FDSPLIT_KEYS_H

#include <stdio.h>

#include "fdsplit.h"
#include "secboot.h"

/* p[0..len): the buffer vs was parsed from; sb: sb_read of it. */
void keys_text(FILE *f, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb);
void keys_json(struct json *j, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb);

#endif
