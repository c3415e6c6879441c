/* SPDX-License-Identifier: MIT */
/* PCI option ROM chain walker (see optrom.h for the layout). */
#include "optrom.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "efidecomp.h"

const char *optrom_code_type_name(uint8_t t)
{
	switch (t) {
	case ROM_CODE_X86: return "x86";
	case ROM_CODE_OPENFW: return "openfirmware";
	case ROM_CODE_HPPA: return "hppa";
	case ROM_CODE_EFI: return "efi";
	default: return "other";
	}
}

const char *optrom_efi_machine_name(uint16_t m)
{
	switch (m) {
	case 0x014C: return "ia32";
	case 0x0200: return "ia64";
	case 0x0EBC: return "ebc";
	case 0x8664: return "x64";
	case 0x01C2: return "arm";
	case 0xAA64: return "aarch64";
	case 0x5064: return "riscv64";
	default: return "other";
	}
}

static uint8_t sum8(const uint8_t *p, uint64_t n)
{
	uint8_t s = 0;

	for (uint64_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The PE/COFF image an EFI ROM image carries: MZ, PE signature, machine and
 * subsystem equal to the ROM header's. how is "" or " (decompressed)". */
static enum lib_result check_pe(const uint8_t *pe, uint64_t n, struct optrom_image *im, size_t idx, const char *how,
		    struct diag *d)
{
	uint32_t lfanew = 0, sig = 0;

	if (!in_bounds(n, 0, 2) || pe[0] != 'M' || pe[1] != 'Z')
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: EFI image header offset 0x%x does not point at a PE image (MZ)%s",
				idx, (unsigned long long)im->offset, im->efi_pe_off, how);
	if (rd_le32(pe, n, PE_DOS_LFANEW, &lfanew) < 0 || rd_le32(pe, n, lfanew, &sig) < 0 || sig != PE_SIG ||
	    rd_le16(pe, n, (uint64_t)lfanew + PE_MACHINE, &im->pe_machine) < 0 ||
	    rd_le16(pe, n, (uint64_t)lfanew + PE_OPT_HDR + PE_OPT_SUBSYSTEM, &im->pe_subsystem) < 0)
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: EFI image%s: no PE header at e_lfanew 0x%x (image %llu bytes)",
				idx, (unsigned long long)im->offset, how, lfanew, (unsigned long long)n);
	im->efi_pe_ok = 1;
	if (im->pe_machine != im->efi_machine)
		return diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: PE machine 0x%04x%s, the ROM header says 0x%04x",
				idx, (unsigned long long)im->offset, im->pe_machine, how, im->efi_machine);
	if (im->pe_subsystem != im->efi_subsystem)
		return diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: PE subsystem %u%s, the ROM header says %u",
				idx, (unsigned long long)im->offset, im->pe_subsystem, how, im->efi_subsystem);
	return LIB_OK;
}

/* An EFI-compressed image: decode it (bounded) and check the PE image inside. */
static enum lib_result check_compressed(const uint8_t *c, uint64_t n, struct optrom_image *im, size_t idx, struct diag *d)
{
	uint32_t comp, orig;
	uint8_t *out;
	enum lib_result rc;

	if (efi_decomp_header(c, n, &comp, &orig, d) != LIB_OK)
		return diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: EFI image: compressed stream does not fit its %llu bytes",
				idx, (unsigned long long)im->offset, (unsigned long long)n);
	im->efi_stored = (uint64_t)comp + EFICOMP_HDR_SIZE;
	if (orig == 0 || orig > ROM_EFI_MAX_IMAGE)
		return diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: EFI image decompresses to %u bytes (1 to %u allowed)",
				idx, (unsigned long long)im->offset, orig, ROM_EFI_MAX_IMAGE);
	out = malloc(orig);
	if (!out)
		return diag_no_memory(d, "image %zu at 0x%llx: out of memory for the %u bytes it decompresses to",
				      idx, (unsigned long long)im->offset, orig);
	rc = efi_decompress(c, n, EFICOMP_PBIT_EFI, out, orig, d);
	if (rc == LIB_OK) {
		im->efi_size = orig;
		rc = check_pe(out, orig, im, idx, " (decompressed)", d);
	} else if (rc == LIB_REFUSED) {
		rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: EFI image does not decompress",
			      idx, (unsigned long long)im->offset);
	}
	free(out);
	return rc;
}

/* EFI header fields; the image is known to hold ROM_HDR_MIN bytes. */
static enum lib_result parse_efi(const uint8_t *img, uint64_t ilen, struct optrom_image *im,
		     size_t idx, struct diag *d)
{
	uint32_t sig = 0;
	uint16_t isz = 0;
	enum lib_result rc = LIB_OK;

	rd_le32(img, ilen, ROM_EFI_SIG_OFF, &sig);
	rd_le16(img, ilen, ROM_EFI_INIT_SIZE, &isz);
	rd_le16(img, ilen, ROM_EFI_SUBSYSTEM, &im->efi_subsystem);
	rd_le16(img, ilen, ROM_EFI_MACHINE, &im->efi_machine);
	rd_le16(img, ilen, ROM_EFI_COMPRESS, &im->efi_compression);
	rd_le16(img, ilen, ROM_EFI_PE_OFF, &im->efi_pe_off);
	im->is_efi = 1;
	im->init_size = (uint64_t)isz * ROM_UNIT;
	if (sig != ROM_EFI_SIG)
		rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: EFI signature 0x%x, expected 0x%x",
			      idx, (unsigned long long)im->offset, sig, ROM_EFI_SIG);
	if (isz == 0 || im->init_size > ilen)
		rc = diag_add(d, DIAG_ERROR,
			      "image %zu at 0x%llx: EFI initialization size %llu bytes, image length %llu",
			      idx, (unsigned long long)im->offset,
			      (unsigned long long)im->init_size, (unsigned long long)ilen);
	if (!in_bounds(ilen, im->efi_pe_off, 1) || im->efi_pe_off >= im->init_size)
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: EFI image header offset 0x%x is outside the initialization size %llu",
				idx, (unsigned long long)im->offset, im->efi_pe_off, (unsigned long long)im->init_size);
	if (rc < 0)
		return rc;
	im->efi_stored = (im->init_size < ilen ? im->init_size : ilen) - im->efi_pe_off;
	if (im->efi_compression == ROM_EFI_UNCOMPRESSED) {
		im->efi_size = im->efi_stored;
		rc = check_pe(img + im->efi_pe_off, im->efi_stored, im, idx, "", d);
	} else if (im->efi_compression == ROM_EFI_COMPRESSED) {
		rc = check_compressed(img + im->efi_pe_off, im->efi_stored, im, idx, d);
	}
	if (im->efi_compression > 1)
		rc = lib_worse(rc, diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: EFI compression type %u unknown",
					    idx, (unsigned long long)im->offset, im->efi_compression));
	return rc;
}

/* PCIR structure of the image at off; fills length, ids, type, last flag. */
static enum lib_result parse_pcir(const uint8_t *p, size_t len, struct optrom_image *im,
		      size_t idx, struct diag *d)
{
	const uint64_t off = im->offset;
	const uint64_t avail = len - off;     /* caller checked off < len */
	const uint8_t *img = p + off;
	const uint16_t po = im->pcir_off;
	uint32_t sig = 0;
	uint16_t ilen = 0;
	uint8_t cls[3];

	if (!in_bounds(avail, po, PCIR_MIN_LEN))
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: PCIR pointer 0x%x runs past the end of the file (%zu bytes)",
				idx, (unsigned long long)off, po, len);
	rd_le32(img, avail, po, &sig);
	if (sig != PCIR_SIG)
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: PCIR pointer 0x%x: no \"PCIR\" signature there",
				idx, (unsigned long long)off, po);
	im->has_pcir = 1;
	rd_le16(img, avail, po + PCIR_VENDOR, &im->vendor);
	rd_le16(img, avail, po + PCIR_DEVICE, &im->device);
	rd_le16(img, avail, po + PCIR_STRUCT_LEN, &im->pcir_len);
	rd_u8(img, avail, po + PCIR_REVISION, &im->pcir_rev);
	memcpy(cls, img + po + PCIR_CLASS, 3);
	im->class_code = (uint32_t)cls[2] << 16 | (uint32_t)cls[1] << 8 | cls[0];
	rd_le16(img, avail, po + PCIR_IMAGE_LEN, &ilen);
	rd_le16(img, avail, po + PCIR_CODE_REV, &im->code_rev);
	rd_u8(img, avail, po + PCIR_CODE_TYPE, &im->code_type);
	rd_u8(img, avail, po + PCIR_INDICATOR, &im->indicator);
	im->last = (im->indicator & PCIR_LAST_IMAGE) != 0;
	im->length = (uint64_t)ilen * ROM_UNIT;

	if (im->pcir_len < PCIR_MIN_LEN)
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: PCIR structure length 0x%x, expected at least 0x%x",
				idx, (unsigned long long)off, im->pcir_len, PCIR_MIN_LEN);
	if (ilen == 0)
		return diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: PCIR image length 0",
				idx, (unsigned long long)off);
	if (!in_bounds(avail, 0, im->length))
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: PCIR image length %llu runs past the end of the file (%zu bytes) by %llu bytes",
				idx, (unsigned long long)off, (unsigned long long)im->length, len,
				(unsigned long long)(im->length - avail));
	if ((uint64_t)po + im->pcir_len > im->length)
		return diag_add(d, DIAG_ERROR,
				"image %zu at 0x%llx: PCIR structure at 0x%x (length 0x%x) runs past the image length %llu",
				idx, (unsigned long long)off, po, im->pcir_len,
				(unsigned long long)im->length);
	return LIB_OK;
}

enum lib_result optrom_parse(const uint8_t *p, size_t len, struct optrom *r, struct diag *d)
{
	uint64_t off = 0;
	enum lib_result rc = LIB_OK;
	int nomem = 0;

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return diag_add(d, DIAG_ERROR, "empty file");

	for (;;) {
		struct optrom_image *im;
		uint16_t sig = 0;
		uint8_t sz8 = 0;
		size_t idx = r->n;

		if (off == len) {
			rc = diag_add(d, DIAG_ERROR,
				      "last-image flag missing: chain ends at 0x%llx (end of file) after image %zu",
				      (unsigned long long)off, idx - 1);
			break;
		}
		if (r->n == OPTROM_MAX_IMAGES) {
			rc = diag_add(d, DIAG_ERROR, "more than %d images in the chain (image %zu at 0x%llx)",
				      OPTROM_MAX_IMAGES, idx, (unsigned long long)off);
			break;
		}
		im = &r->img[r->n];
		memset(im, 0, sizeof(*im));
		im->offset = off;
		if (rd_le16(p, len, off + ROM_SIG_OFF, &sig) < 0 || sig != ROM_SIG) {
			if (in_bounds(len, off, 2))
				rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: signature 0x%04x, expected 0x%04x (bytes 55 aa)",
					      idx, (unsigned long long)off, sig, ROM_SIG);
			else
				rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: signature truncated (%zu bytes left)",
					      idx, (unsigned long long)off, (size_t)(len - off));
			break;
		}
		if (!in_bounds(len, off, ROM_HDR_MIN)) {
			rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: header truncated: %zu bytes, need %d",
				      idx, (unsigned long long)off, (size_t)(len - off), ROM_HDR_MIN);
			break;
		}
		rd_u8(p, len, off + ROM_LEGACY_SIZE, &sz8);
		rd_le16(p, len, off + ROM_PCIR_PTR, &im->pcir_off);
		r->n++;

		if (im->pcir_off == 0) {
			/* ISA-style ROM (SeaVGABIOS isavga, ramfb): no PCIR, one image */
			if (idx != 0) {
				rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: PCIR pointer 0 (only a lone ISA-style ROM may omit it)",
					      idx, (unsigned long long)off);
				break;
			}
			im->length = im->init_size = (uint64_t)sz8 * ROM_UNIT;
			im->last = 1;
			im->checksum_applies = 1;
			if (sz8 == 0) {
				rc = diag_add(d, DIAG_ERROR, "image 0 at 0x0: size byte 0 (no PCIR, so it is the image length)");
				break;
			}
			if (!in_bounds(len, off, im->length)) {
				rc = diag_add(d, DIAG_ERROR, "image 0 at 0x0: size byte says %llu bytes, file has %zu (short by %llu)",
					      (unsigned long long)im->length, len,
					      (unsigned long long)(im->length - len));
				break;
			}
		} else {
			if (parse_pcir(p, len, im, idx, d) != LIB_OK) {
				rc = LIB_REFUSED;
				break;
			}
			if (im->code_type == ROM_CODE_EFI) {
				enum lib_result er = parse_efi(p + off, im->length, im, idx, d);

				nomem |= er == LIB_NO_MEMORY;
				rc = lib_worse(rc, er);
			} else {
				im->init_size = (uint64_t)sz8 * ROM_UNIT;
				im->checksum_applies = im->code_type == ROM_CODE_X86;
				if (sz8 == 0)
					rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: size byte 0",
						      idx, (unsigned long long)off);
				else if (im->init_size > im->length)
					rc = diag_add(d, DIAG_ERROR,
						      "image %zu at 0x%llx: size byte says %llu bytes, more than the PCIR image length %llu",
						      idx, (unsigned long long)off,
						      (unsigned long long)im->init_size,
						      (unsigned long long)im->length);
			}
			if (im->pcir_rev != 0 && im->pcir_rev != 3)
				diag_add(d, DIAG_WARN, "image %zu at 0x%llx: PCIR revision %u unknown (0 = PCI 2.x, 3 = 3.0)",
					 idx, (unsigned long long)off, im->pcir_rev);
		}
		if (im->checksum_applies && im->init_size && im->init_size <= im->length) {
			im->checksum = sum8(p + off, im->init_size);
			if (im->checksum != 0)
				rc = diag_add(d, DIAG_ERROR,
					      "image %zu at 0x%llx: legacy checksum 0x%02x over %llu bytes, expected 0x00",
					      idx, (unsigned long long)off, im->checksum,
					      (unsigned long long)im->init_size);
		}
		off += im->length;
		r->used = off;
		if (im->last) {
			r->complete = 1;
			break;
		}
	}

	r->trailing = len - r->used;
	r->trailing_pad = r->trailing == 0 ||
			  bytes_all(p, len, r->used, r->trailing, 0x00) ||
			  bytes_all(p, len, r->used, r->trailing, 0xFF);
	if (r->complete && !r->trailing_pad)
		diag_add(d, DIAG_WARN, "%llu bytes after the last image at 0x%llx are not padding (0x00 or 0xff)",
			 (unsigned long long)r->trailing, (unsigned long long)r->used);
	return nomem ? LIB_NO_MEMORY : rc; /* a later refusal does not hide that the input was not judged */
}
