/* SPDX-License-Identifier: MIT */
/* EFI GUIDs: the on-disk byte order (u32 LE, u16 LE, u16 LE, u8[8]) and names. */
#ifndef FWSLOT_GUID_H
#define FWSLOT_GUID_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define GUID_STR_LEN 37 /* 36 characters and a NUL */

/* the on-disk bytes of a GUID written as {d1, d2, d3, {d4[8]}}, for initializers */
#define GUID_BYTES(d1, d2, d3, a, b, c, d, e, f, g, h) { \
	(uint8_t)(d1), (uint8_t)((d1) >> 8), (uint8_t)((d1) >> 16), (uint8_t)((d1) >> 24), \
	(uint8_t)(d2), (uint8_t)((d2) >> 8), (uint8_t)(d3), (uint8_t)((d3) >> 8), \
	a, b, c, d, e, f, g, h }

struct guid_name {
	uint8_t bytes[16];
	const char *name;
};

/* Formats the 16 bytes at g as "fff12b8d-7696-4c8b-a985-2747075b4f50". */
void guid_format(const uint8_t g[16], char out[GUID_STR_LEN]);
/* Parses the text form into the on-disk byte order; returns LIB_OK or LIB_REFUSED. */
enum lib_result guid_parse(const char *s, uint8_t out[16]);
/* The well-known name of a GUID (EFI global variable, image security database,
 * firmware file systems, ...), or NULL. */
const char *guid_name(const uint8_t g[16]);
int guid_eq(const uint8_t a[16], const uint8_t b[16]);

/* GUIDs the parsers test for, in on-disk byte order. */
extern const uint8_t GUID_SYSTEM_NV_DATA_FV[16];  /* fff12b8d-7696-4c8b-a985-2747075b4f50 */
extern const uint8_t GUID_FFS2[16];               /* 8c8ce578-8a3d-4f1c-9935-896185c32dd3 */
extern const uint8_t GUID_FFS3[16];               /* 5473c07a-3dcb-4dca-bd6f-1e9689e7349a */
extern const uint8_t GUID_AUTH_VARIABLE[16];      /* aaf32c78-947b-439a-a180-2e144ec37792 */
extern const uint8_t GUID_VARIABLE[16];           /* ddcf3616-3275-4164-98b6-fe85707ffe7d */
extern const uint8_t GUID_FTW_WORKING[16];        /* 9e58292b-7c68-497d-a0ce-6500fd9f1b95 */
extern const uint8_t GUID_OVMF_TABLE_FOOTER[16];  /* 96b582de-1fb2-45f7-baea-a366c55a082d */
extern const uint8_t GUID_TDX_METADATA_OFF[16];   /* e47a6535-984a-4798-865e-4685a7bf8ec2 */
extern const uint8_t GUID_TDX_METADATA[16];       /* e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae */

#endif
