/* SPDX-License-Identifier: MIT */
/* A minimal streaming JSON writer for the tools' --json output. */
#ifndef FWSLOT_JSON_H
#define FWSLOT_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH 16

struct json {
	FILE *f;
	int depth;
	int count[JSON_DEPTH]; /* members written at each level */
};

void json_init(struct json *j, FILE *f);
/* Starts a tool's document on f: { "TOOL": VERSION, "command": COMMAND, ... */
void json_doc(struct json *j, FILE *f, const char *tool, unsigned version, const char *command);
/* key may be NULL inside arrays and at the top level. */
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_end(struct json *j, char close);   /* '}' or ']' */
void json_str(struct json *j, const char *key, const char *v); /* NULL writes null */
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_done(struct json *j);
/* Ends a document whose last member is an array ("files", "states"): the array, "ok", the document. */
void json_done_files(struct json *j, int ok);

#endif
