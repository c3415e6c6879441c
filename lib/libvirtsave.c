/* SPDX-License-Identifier: MIT */
/* libvirt's save image header (see libvirtsave.h). */
#include "libvirtsave.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"

const char *libvirt_format_name(uint32_t format)
{
	static const char *const n[LV_FORMATS] = { "raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse" };

	return format < LV_FORMATS ? n[format] : "unknown";
}

/* The text after open up to close, within xml[0..n), into out. */
static void find(const char *xml, size_t n, const char *open, char close, char *out, size_t outsz)
{
	size_t k = strlen(open);

	out[0] = '\0';
	for (size_t i = 0; k <= n && i <= n - k; i++) {
		if (memcmp(xml + i, open, k) != 0)
			continue;
		for (size_t j = i + k; j < n && xml[j]; j++)
			if (xml[j] == close) {
				size_t m = j - (i + k) < outsz - 1 ? j - (i + k) : outsz - 1;

				memcpy(out, xml + i + k, m);
				out[m] = '\0';
				return;
			}
		return;
	}
}

static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

enum lib_result libvirt_save_parse(const uint8_t *p, size_t len, struct libvirt_save *h, struct diag *d)
{
	char loader[512];

	memset(h, 0, sizeof(*h));
	if (len < LIBVIRT_SAVE_HDR)
		return diag_add(d, DIAG_ERROR, "libvirt save header: %zu bytes, shorter than %d", len, LIBVIRT_SAVE_HDR);
	if (!memcmp(p, "LibvirtQemudPart", 16))
		return diag_add(d, DIAG_ERROR, "a libvirt save image still being written (LibvirtQemudPart): incomplete");
	if (memcmp(p, "LibvirtQemudSave", 16) != 0)
		return diag_add(d, DIAG_ERROR, "not a libvirt save image: no \"LibvirtQemudSave\" at 0x0");
	rd_le32(p, len, 16, &h->version);
	rd_le32(p, len, 20, &h->data_len);
	rd_le32(p, len, 28, &h->format);
	if (h->version > 2) { /* written on a host of the other byte order */
		h->version = swap32(h->version);
		h->data_len = swap32(h->data_len);
		h->format = swap32(h->format);
	}
	if (h->version != 2 || h->data_len == 0 || h->data_len > LIBVIRT_SAVE_DATA_MAX)
		return diag_add(d, DIAG_ERROR, "libvirt save header: version %u, data length %u (version 2, 1 to %u bytes)",
				h->version, h->data_len, LIBVIRT_SAVE_DATA_MAX);
	h->stream_off = (uint64_t)LIBVIRT_SAVE_HDR + h->data_len;
	if (len > LIBVIRT_SAVE_HDR) {
		const char *xml = (const char *)p + LIBVIRT_SAVE_HDR;
		size_t n = len - LIBVIRT_SAVE_HDR < h->data_len ? len - LIBVIRT_SAVE_HDR : h->data_len;

		find(xml, n, "machine='", '\'', h->machine, sizeof(h->machine));
		find(xml, n, "<loader", '<', loader, sizeof(loader));
		if (loader[0]) { /* " readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd" */
			const char *gt = strchr(loader, '>'), *base = gt ? strrchr(gt, '/') : NULL;

			if (gt)
				snprintf(h->loader, sizeof(h->loader), "%s", base ? base + 1 : gt + 1);
		}
	}
	if (h->format >= LV_FORMATS)
		return diag_add(d, DIAG_ERROR, "libvirt save image in unknown format %u (0 raw to 6 sparse)", h->format);
	return LIB_OK;
}
