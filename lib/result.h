/* SPDX-License-Identifier: MIT */
/* What a lib/ parser or check says of its input, by name; the diag says why. */
#ifndef FWSLOT_RESULT_H
#define FWSLOT_RESULT_H

/*
 * Tools turn these into the exit status (tools/common/cli.h, cli_exit):
 * LIB_OK 0, LIB_REFUSED 1, LIB_NO_MEMORY 2.
 */
enum lib_result {
	LIB_OK = 0,         /* well-formed, or the check passed (warnings and notes aside) */
	LIB_REFUSED = -1,   /* the input breaks a rule: a DIAG_ERROR names each one; what
			     * could be parsed stays filled in for reporting */
	LIB_NO_MEMORY = -2, /* an allocation failed (a DIAG_ERROR says how much): the input
			     * was not judged; no fault of its bytes */
};

/* The worse of two: LIB_NO_MEMORY over LIB_REFUSED over LIB_OK. */
static inline enum lib_result lib_worse(enum lib_result a, enum lib_result b)
{
	return a < b ? a : b;
}

#endif
