/* SPDX-License-Identifier: MIT */
/* fdsplit info's Secure Boot keys and boot options, text and JSON. */
#ifndef FDSPLIT_KEYS_H
#define FDSPLIT_KEYS_H

#include <stdio.h>

#include "bootstore.h"
#include "fdsplit.h"
#include "keyaudit.h"
#include "secboot.h"

/* p[0..len): the buffer vs was parsed from; sb: sb_read of it. */
void keys_text(FILE *f, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb);
void keys_json(struct json *j, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb);

/* A varstore's keys, loaded for audit and update-keys: the store OVMF reads at boot. */
struct store_keys {
	const char *path;
	struct file f;
	struct boot_store bs;
	struct sb_state sb;
	int read;                /* bs and sb hold the store */
	int rc;                  /* 0; 1 refused (d says why); 2 I/O trouble or out of memory */
	struct diag d;
};

/* Loads path and reads its keys into s (store_keys_free it whatever the result); returns s->rc. */
int store_keys_load(const char *path, struct store_keys *s);
void store_keys_free(struct store_keys *s);

/* a certificate entry's common name (its subject when it has none), or a hash's type */
void key_entry_name(const struct store_keys *s, const struct key_entry *e, char *out, size_t n);
/* " KEK: name; db: name, name; dbx: 442 hashes" for entries of s */
void key_entries_text(FILE *f, const struct store_keys *s, const struct key_entry *v, size_t n);

#endif
