/* SPDX-License-Identifier: MIT */
/* Device paths to UEFI's text form (as EDK2's DevicePathToText prints them), and load options. */
#include "devpath.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "guid.h"

/* a bounded text being built; once full it ends in "..." and takes no more */
struct text {
	char *s;
	size_t n, k;
	int full;
};

static void cat(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (t->full)
		return;
	va_start(ap, fmt);
	w = vsnprintf(t->s + t->k, t->n - t->k, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= t->n - t->k) {
		t->full = 1;
		if (t->n >= 4)
			memcpy(t->s + t->n - 4, "...", 4);
		return;
	}
	t->k += (size_t)w;
}

/* a GUID as EDK2's %g prints it: upper-case hex */
static void cat_guid(struct text *t, const uint8_t *g)
{
	char s[GUID_STR_LEN];

	guid_format(g, s);
	for (char *c = s; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	cat(t, "%s", s);
}

static void cat_hex(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cat(t, "%02X", p[i]);
}

/* printable ASCII of p[0..n) up to a NUL; anything else as '?' */
static void cat_ascii(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i]; i++)
		cat(t, "%c", p[i] >= 0x20 && p[i] < 0x7F ? p[i] : '?');
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p + 4) << 32 | le32(p); }

/* vendor GUIDs with a text of their own (DevicePathToText.c DevPathToTextVendor) */
#define G GUID_BYTES
static const struct { uint8_t guid[16]; const char *text; } terminals[] = {
	{ G(0xe0c14753, 0xf9be, 0x11d2, 0x9a, 0x0c, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d), "VenPcAnsi()" },
	{ G(0xdfa66065, 0xb419, 0x11d3, 0x9a, 0x2d, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d), "VenVt100()" },
	{ G(0x7baec70b, 0x57e0, 0x4c76, 0x8e, 0x87, 0x2f, 0x9e, 0x28, 0x08, 0x83, 0x43), "VenVt100Plus()" },
	{ G(0xad15a0d6, 0x8bec, 0x4acf, 0xa0, 0x73, 0xd0, 0x1d, 0xe7, 0x7e, 0x2d, 0x88), "VenUtf8()" },
};

static void vendor(struct text *t, const char *kind, const uint8_t *q, uint16_t l)
{
	if (!strcmp(kind, "Msg"))
		for (size_t i = 0; i < sizeof(terminals) / sizeof(terminals[0]); i++)
			if (!memcmp(q + 4, terminals[i].guid, 16)) {
				cat(t, "%s", terminals[i].text);
				return;
			}
	cat(t, "Ven%s(", kind);
	cat_guid(t, q + 4);
	if (l > 20) {
		cat(t, ",");
		cat_hex(t, q + 20, l - 20u);
	}
	cat(t, ")");
}

static void ipv4(struct text *t, const uint8_t *a)
{
	cat(t, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* One node q[0..l), l >= 4 and inside the path. Returns 1 if printed, 0 for the generic form. */
static int node(struct text *t, const uint8_t *q, uint16_t l)
{
	uint8_t type = q[0], sub = q[1];

	switch (type << 8 | sub) {
	case 0x0101: /* PCI */
		if (l < 6) return 0;
		cat(t, "Pci(0x%X,0x%X)", q[5], q[4]);
		return 1;
	case 0x0102:
		if (l < 5) return 0;
		cat(t, "PcCard(0x%X)", q[4]);
		return 1;
	case 0x0103:
		if (l < 24) return 0;
		cat(t, "MemoryMapped(0x%X,0x%llX,0x%llX)", le32(q + 4), (unsigned long long)le64(q + 8),
		    (unsigned long long)le64(q + 16));
		return 1;
	case 0x0104:
		if (l < 20) return 0;
		vendor(t, "Hw", q, l);
		return 1;
	case 0x0105:
		if (l < 8) return 0;
		cat(t, "Ctrl(0x%X)", le32(q + 4));
		return 1;
	case 0x0201: { /* ACPI HID/UID */
		uint32_t hid, uid;

		if (l < 12) return 0;
		hid = le32(q + 4);
		uid = le32(q + 8);
		if ((hid & 0xFFFF) == 0x41D0) { /* EISA "PNP" */
			switch (hid >> 16) {
			case 0x0A03: cat(t, "PciRoot(0x%X)", uid); break;
			case 0x0A08: cat(t, "PcieRoot(0x%X)", uid); break;
			case 0x0604: cat(t, "Floppy(0x%X)", uid); break;
			case 0x0301: cat(t, "Keyboard(0x%X)", uid); break;
			case 0x0501: cat(t, "Serial(0x%X)", uid); break;
			case 0x0401: cat(t, "ParallelPort(0x%X)", uid); break;
			default: cat(t, "Acpi(PNP%04X,0x%X)", hid >> 16, uid); break;
			}
		} else {
			cat(t, "Acpi(0x%08X,0x%X)", hid, uid);
		}
		return 1;
	}
	case 0x0203:
		if (l < 8) return 0;
		cat(t, "AcpiAdr(0x%X", le32(q + 4));
		for (uint16_t i = 8; i + 4u <= l; i += 4)
			cat(t, ",0x%X", le32(q + i));
		cat(t, ")");
		return 1;
	case 0x0301:
		if (l < 8) return 0;
		cat(t, "Ata(%s,%s,0x%X)", q[4] == 1 ? "Secondary" : "Primary", q[5] == 1 ? "Slave" : "Master", le16(q + 6));
		return 1;
	case 0x0302:
		if (l < 8) return 0;
		cat(t, "Scsi(0x%X,0x%X)", le16(q + 4), le16(q + 6));
		return 1;
	case 0x0305:
		if (l < 6) return 0;
		cat(t, "USB(0x%X,0x%X)", q[4], q[5]);
		return 1;
	case 0x030A:
		if (l < 20) return 0;
		vendor(t, "Msg", q, l);
		return 1;
	case 0x030B: { /* MAC: 32-byte address, IfType; 6 bytes shown for Ethernet (IfType 0 or 1) */
		if (l < 37) return 0;
		cat(t, "MAC(");
		cat_hex(t, q + 4, q[36] == 0 || q[36] == 1 ? 6 : 32);
		cat(t, ",0x%X)", q[36]);
		return 1;
	}
	case 0x030C: { /* IPv4: Local, Remote, LocalPort, RemotePort, Protocol, StaticIp[, Gateway, SubnetMask] */
		uint16_t proto;

		if (l < 19) return 0;
		proto = le16(q + 16);
		cat(t, "IPv4(");
		ipv4(t, q + 8);
		if (proto == 6)
			cat(t, ",TCP");
		else if (proto == 17)
			cat(t, ",UDP");
		else
			cat(t, ",0x%X", proto);
		cat(t, ",%s,", q[18] ? "Static" : "DHCP");
		ipv4(t, q + 4);
		if (l == 27) {
			cat(t, ",");
			ipv4(t, q + 19);
			cat(t, ",");
			ipv4(t, q + 23);
		}
		cat(t, ")");
		return 1;
	}
	case 0x030E: { /* UART */
		static const char parity[] = "DNEOMS";
		static const char *const stop[] = { "D", "1", "1.5", "2" };
		uint64_t baud;

		if (l < 19) return 0;
		baud = le64(q + 8);
		if (baud)
			cat(t, "Uart(%llu,", (unsigned long long)baud);
		else
			cat(t, "Uart(DEFAULT,");
		if (q[16])
			cat(t, "%u,", q[16]);
		else
			cat(t, "DEFAULT,");
		cat(t, "%c,%s)", q[17] < 6 ? parity[q[17]] : 'x', q[18] < 4 ? stop[q[18]] : "x");
		return 1;
	}
	case 0x0311:
		if (l < 5) return 0;
		cat(t, "Unit(0x%X)", q[4]);
		return 1;
	case 0x0312:
		if (l < 10) return 0;
		cat(t, "Sata(0x%X,0x%X,0x%X)", le16(q + 4), le16(q + 6), le16(q + 8));
		return 1;
	case 0x0314:
		if (l < 6) return 0;
		cat(t, "Vlan(%u)", le16(q + 4));
		return 1;
	case 0x0317:
		if (l < 16) return 0;
		cat(t, "NVMe(0x%X,%02X-%02X-%02X-%02X-%02X-%02X-%02X-%02X)", le32(q + 4),
		    q[15], q[14], q[13], q[12], q[11], q[10], q[9], q[8]);
		return 1;
	case 0x0318:
		cat(t, "Uri(");
		cat_ascii(t, q + 4, l - 4u);
		cat(t, ")");
		return 1;
	case 0x0401: { /* hard drive partition */
		if (l < 42) return 0;
		switch (q[41]) {
		case 1: cat(t, "HD(%u,MBR,0x%08X", le32(q + 4), le32(q + 24)); break;
		case 2: cat(t, "HD(%u,GPT,", le32(q + 4)); cat_guid(t, q + 24); break;
		default: cat(t, "HD(%u,%u,0", le32(q + 4), q[41]); break;
		}
		cat(t, ",0x%llX,0x%llX)", (unsigned long long)le64(q + 8), (unsigned long long)le64(q + 16));
		return 1;
	}
	case 0x0402:
		if (l < 24) return 0;
		cat(t, "CDROM(0x%X,0x%llX,0x%llX)", le32(q + 4), (unsigned long long)le64(q + 8),
		    (unsigned long long)le64(q + 16));
		return 1;
	case 0x0403:
		if (l < 20) return 0;
		vendor(t, "Media", q, l);
		return 1;
	case 0x0404: { /* file path, UCS-2 */
		char s[DEVPATH_TEXT];

		ucs2_to_utf8(q + 4, l - 4u, s, sizeof(s));
		cat(t, "%s", s);
		return 1;
	}
	case 0x0405:
		if (l < 20) return 0;
		cat(t, "Media(");
		cat_guid(t, q + 4);
		cat(t, ")");
		return 1;
	case 0x0406:
	case 0x0407:
		if (l < 20) return 0;
		cat(t, "%s(", sub == 6 ? "FvFile" : "Fv");
		cat_guid(t, q + 4);
		cat(t, ")");
		return 1;
	case 0x0408:
		if (l < 24) return 0;
		cat(t, "Offset(0x%llX,0x%llX)", (unsigned long long)le64(q + 8), (unsigned long long)le64(q + 16));
		return 1;
	case 0x0501: { /* BBS */
		static const char *const kinds[] = { NULL, "Floppy", "HD", "CDROM", "PCMCIA", "USB", "Network" };
		uint16_t dt;

		if (l < 8) return 0;
		dt = le16(q + 4);
		if (dt >= 1 && dt <= 6)
			cat(t, "BBS(%s,", kinds[dt]);
		else
			cat(t, "BBS(0x%X,", dt);
		cat_ascii(t, q + 8, l - 8u);
		cat(t, ",0x%X)", le16(q + 6));
		return 1;
	}
	}
	return 0;
}

static void generic(struct text *t, const uint8_t *q, uint16_t l)
{
	static const char *const kinds[] = { NULL, "HardwarePath", "AcpiPath", "Msg", "MediaPath", "BbsPath" };

	if (q[0] >= 1 && q[0] <= 5)
		cat(t, "%s(%u", kinds[q[0]], q[1]);
	else
		cat(t, "Path(%u,%u", q[0], q[1]);
	if (l > DP_NODE_HDR) {
		cat(t, ",");
		cat_hex(t, q + DP_NODE_HDR, l - (size_t)DP_NODE_HDR);
	}
	cat(t, ")");
}

enum lib_result devpath_text(const uint8_t *p, size_t len, char *s, size_t n, struct diag *d)
{
	struct text t = { s, n, 0, 0 };
	uint64_t off = 0;
	int sep = 0;

	if (n == 0)
		return LIB_REFUSED;
	s[0] = 0;
	for (size_t i = 0;; i++) {
		uint16_t l;

		if (!in_bounds(len, off, DP_NODE_HDR))
			return diag_add(d, DIAG_ERROR, "device path: no end node in its 0x%zx bytes", len);
		l = le16(p + off + 2);
		if (l < DP_NODE_HDR || !in_bounds(len, off, l))
			return diag_add(d, DIAG_ERROR, "device path node %zu at 0x%llx: Length 0x%x %s", i,
					(unsigned long long)off, l, l < DP_NODE_HDR ? "is below the 4-byte header" :
					"runs past the path's end");
		if (p[off] == DP_TYPE_END && p[off + 1] == DP_END_ENTIRE)
			break;
		if (p[off] == DP_TYPE_END && p[off + 1] == DP_END_INSTANCE) {
			cat(&t, ",");
			sep = 0;
		} else {
			if (sep)
				cat(&t, "/");
			if (!node(&t, p + off, l))
				generic(&t, p + off, l);
			sep = 1;
		}
		off += l;
	}
	return LIB_OK;
}

enum lib_result load_option_parse(const uint8_t *p, size_t len, struct load_option *lo, struct diag *d)
{
	uint64_t off, end;

	memset(lo, 0, sizeof(*lo));
	if (rd_le32(p, len, 0, &lo->attributes) < 0 || rd_le16(p, len, LOAD_OPT_PATHLEN_OFF, &lo->path_len) < 0)
		return diag_add(d, DIAG_ERROR, "load option of 0x%zx bytes: shorter than its 6-byte header", len);
	/* the description: UCS-2 up to its NUL, which must be inside the data */
	for (off = LOAD_OPT_DESC_OFF;; off += 2) {
		if (!in_bounds(len, off, 2))
			return diag_add(d, DIAG_ERROR, "load option: Description has no NUL in the 0x%zx bytes", len);
		if (p[off] == 0 && p[off + 1] == 0)
			break;
	}
	ucs2_to_utf8(p + LOAD_OPT_DESC_OFF, (size_t)(off - LOAD_OPT_DESC_OFF), lo->description, sizeof(lo->description));
	off += 2;
	if (!in_bounds(len, off, lo->path_len))
		return diag_add(d, DIAG_ERROR, "load option: FilePathListLength 0x%x at 0x%llx runs past the 0x%zx bytes",
				lo->path_len, (unsigned long long)off, len);
	end = off + lo->path_len;
	lo->optional_offset = end;
	lo->optional_len = len - end;
	if (lo->path_len == 0)
		return diag_add(d, DIAG_ERROR, "load option: FilePathListLength 0, no device path");
	return devpath_text(p + off, lo->path_len, lo->path, sizeof(lo->path), d);
}
