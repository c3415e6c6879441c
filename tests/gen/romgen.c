/* SPDX-License-Identifier: MIT */
/* Fixture builders (see romgen.h), shared by unit tests and the CLI fixture writer. */
#include "romgen.h"

#include <string.h>

#include "bytes.h"
#include "optrom.h"

void gen_fix_checksum(uint8_t *out, uint32_t init_size)
{
	uint8_t s = 0;

	out[GEN_CSUM_OFF] = 0;
	for (uint32_t i = 0; i < init_size; i++)
		s = (uint8_t)(s + out[i]);
	out[GEN_CSUM_OFF] = (uint8_t)(0x100 - s);
}

void gen_image(uint8_t *out, const struct gen_image *g)
{
	uint8_t *pcir = out + GEN_PCIR_OFF;

	out[0] = 0x55;
	out[1] = 0xAA;
	if (g->code_type == ROM_CODE_EFI) {
		wr_le16(out + ROM_EFI_INIT_SIZE, (uint16_t)(g->length / ROM_UNIT));
		wr_le32(out + ROM_EFI_SIG_OFF, ROM_EFI_SIG);
		wr_le16(out + ROM_EFI_SUBSYSTEM, 11);
		wr_le16(out + ROM_EFI_MACHINE, 0x8664);
		wr_le16(out + ROM_EFI_COMPRESS, 0);
		wr_le16(out + ROM_EFI_PE_OFF, GEN_EFI_PE);
		out[GEN_EFI_PE] = 'M';
		out[GEN_EFI_PE + 1] = 'Z';
	} else {
		out[ROM_LEGACY_SIZE] = (uint8_t)(g->length / ROM_UNIT);
		out[3] = 0xCB; /* init entry: retf */
	}
	if (g->pcir) {
		wr_le16(out + ROM_PCIR_PTR, GEN_PCIR_OFF);
		memcpy(pcir, "PCIR", 4);
		wr_le16(pcir + PCIR_VENDOR, g->vendor);
		wr_le16(pcir + PCIR_DEVICE, g->device);
		wr_le16(pcir + PCIR_STRUCT_LEN, 0x1C);
		pcir[PCIR_REVISION] = 3;
		pcir[PCIR_CLASS + 2] = g->class_base;
		wr_le16(pcir + PCIR_IMAGE_LEN, (uint16_t)(g->length / ROM_UNIT));
		pcir[PCIR_CODE_TYPE] = g->code_type;
		pcir[PCIR_INDICATOR] = g->last ? PCIR_LAST_IMAGE : 0;
	}
	if (g->class_base == 0x03)
		memcpy(out + 0x1E, "IBM", 3);
	if (g->code_type == ROM_CODE_X86)
		gen_fix_checksum(out, g->length);
}

void gen_bios(uint8_t *out, size_t size, size_t lead_zero)
{
	static const uint8_t reset[16] = { 0xEA, 0x5B, 0xE0, 0x00, 0xF0, '0', '6', '/',
					   '2', '3', '/', '9', '9', 0x00, 0xFC, 0x00 };

	memset(out, 0, size);
	for (size_t i = lead_zero; i < size - 16; i++)
		out[i] = (uint8_t)(0x90 + (i & 7)); /* not zero: marks where code starts */
	memcpy(out + size - 16, reset, 16);
}
