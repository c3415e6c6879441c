/* SPDX-License-Identifier: MIT */
/* Device paths as UEFI's text form (lib/devpath.c), and Boot#### load options. */
#include "bytes.h"
#include "devpath.h"
#include "diag.h"
#include "t.h"

static uint8_t dp[512];
static size_t n;

static void node(uint8_t type, uint8_t sub, const uint8_t *data, uint16_t len)
{
	dp[n] = type;
	dp[n + 1] = sub;
	wr_le16(dp + n + 2, (uint16_t)(len + 4));
	if (len)
		memcpy(dp + n + 4, data, len);
	n += len + 4u;
}

static void end(void)
{
	node(DP_TYPE_END, DP_END_ENTIRE, NULL, 0);
}

static int text_is(const char *want, struct diag *d)
{
	char s[DEVPATH_TEXT];

	diag_init(d);
	if (devpath_text(dp, n, s, sizeof(s), d) != LIB_OK) {
		printf("# refused: %s\n", diag_first(d));
		return 0;
	}
	if (strcmp(s, want))
		printf("# got  %s\n# want %s\n", s, want);
	return !strcmp(s, want);
}

/* ACPI _HID for PNP0A03 (EISA id 0x0A0341D0), UID 0 */
static const uint8_t pciroot[8] = { 0xD0, 0x41, 0x03, 0x0A, 0, 0, 0, 0 };
static const uint8_t fv[16] = { 0xC9, 0xBD, 0xB8, 0x7C, 0xEB, 0xF8, 0x34, 0x4F, 0xAA, 0xEA, 0x3E, 0xE4, 0xAF, 0x65, 0x16, 0xA1 };

static void test_paths_ovmf_writes(void)
{
	struct diag d;
	static const uint8_t pci[2] = { 2, 0x1F }, sata[6] = { 0, 0, 0xFF, 0xFF, 0, 0 };

	/* Debian 12's .ms template, Boot0001: the q35 SATA disk */
	n = 0;
	node(2, 1, pciroot, 8);
	node(1, 1, pci, 2);
	node(3, 0x12, sata, 6);
	end();
	CHECK(text_is("PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)", &d), "q35 SATA disk");
	/* Boot0000: UiApp in the DXE volume */
	n = 0;
	node(4, 7, fv, 16);
	node(4, 6, fv, 16);
	end();
	CHECK(text_is("Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)", &d),
	      "firmware volume file, GUIDs in upper case as EDK2's %%g");
	/* a serial console: PNP0501, UART 115200 8N1, PC-ANSI terminal */
	{
		static const uint8_t serial[8] = { 0xD0, 0x41, 0x01, 0x05, 0, 0, 0, 0 };
		uint8_t uart[15] = { 0 }, ansi[16] = { 0x53, 0x47, 0xC1, 0xE0, 0xBE, 0xF9, 0xD2, 0x11, 0x9A, 0x0C, 0x00, 0x90, 0x27, 0x3F, 0xC1, 0x4D };

		wr_le64(uart + 4, 115200);
		uart[12] = 8; uart[13] = 1; uart[14] = 1;
		n = 0;
		node(2, 1, serial, 8);
		node(3, 0x0E, uart, 15);
		node(3, 0x0A, ansi, 16);
		end();
		CHECK(text_is("Serial(0x0)/Uart(115200,8,N,1)/VenPcAnsi()", &d), "serial console");
	}
}

static void test_disks_and_network(void)
{
	struct diag d;
	uint8_t hd[38] = { 0 }, mac[33] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, ip[23] = { 0 };
	uint8_t file[2 * 22];
	const char *path = "\\EFI\\BOOT\\BOOTX64.EFI";

	wr_le32(hd, 1);
	wr_le64(hd + 4, 0x800);
	wr_le64(hd + 12, 0x100000);
	memcpy(hd + 20, fv, 16);
	hd[36] = 2; hd[37] = 2; /* GPT */
	for (size_t i = 0; i <= strlen(path); i++)
		wr_le16(file + 2 * i, (uint16_t)(i < strlen(path) ? path[i] : 0));
	n = 0;
	node(4, 1, hd, 38);
	node(4, 4, file, (uint16_t)(2 * (strlen(path) + 1)));
	end();
	CHECK(text_is("HD(1,GPT,7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1,0x800,0x100000)/\\EFI\\BOOT\\BOOTX64.EFI", &d),
	      "a GPT partition and a file");
	mac[32] = 1;
	wr_le16(ip + 12, 6);
	n = 0;
	node(3, 0x0B, mac, 33);
	node(3, 0x0C, ip, 23);
	end();
	CHECK(text_is("MAC(525400123456,0x1)/IPv4(0.0.0.0,TCP,DHCP,0.0.0.0,0.0.0.0,0.0.0.0)", &d), "PXE over IPv4");
	n = 0;
	node(3, 0x18, (const uint8_t *)"http://x/boot.efi", 17);
	node(DP_TYPE_END, DP_END_INSTANCE, NULL, 0);
	node(3, 0x02, (const uint8_t[4]){ 1, 0, 2, 0 }, 4);
	end();
	CHECK(text_is("Uri(http://x/boot.efi),Scsi(0x1,0x2)", &d), "two instances");
}

static void test_generic_and_hostile(void)
{
	struct diag d;
	char s[DEVPATH_TEXT];

	n = 0;
	node(6, 1, (const uint8_t[2]){ 0xAB, 0x01 }, 2);
	node(3, 99, (const uint8_t[1]){ 0xFF }, 1);
	node(1, 1, (const uint8_t[1]){ 7 }, 1); /* a PCI node too short for its fields */
	end();
	CHECK(text_is("Path(6,1,AB01)/Msg(99,FF)/HardwarePath(1,07)", &d), "unknown type, unknown subtype, short node");
	/* Length 3, past the end, and no end node */
	n = 0;
	node(1, 1, (const uint8_t[2]){ 0, 1 }, 2);
	end();
	wr_le16(dp + 2, 3);
	diag_init(&d);
	CHECK(devpath_text(dp, n, s, sizeof(s), &d) == LIB_REFUSED && DIAG_HAS(&d, "Length 0x3 is below"), "node length 3");
	wr_le16(dp + 2, (uint16_t)(n + 1));
	diag_init(&d);
	CHECK(devpath_text(dp, n, s, sizeof(s), &d) == LIB_REFUSED && DIAG_HAS(&d, "runs past"), "node past the path");
	wr_le16(dp + 2, 6);
	diag_init(&d);
	CHECK(devpath_text(dp, n - 4, s, sizeof(s), &d) == LIB_REFUSED && DIAG_HAS(&d, "no end node") &&
	      !strcmp(s, "Pci(0x1,0x0)"), "no end node; the nodes before stay: %s", s);
	diag_init(&d);
	CHECK(devpath_text(dp, n, s, 8, &d) == LIB_OK && !strcmp(s, "Pci(..."), "a text too long ends in ...: %s", s);
}

static void test_load_option(void)
{
	uint8_t o[128];
	struct load_option lo;
	struct diag d;
	size_t k;
	static const uint8_t fvfile[4] = { 4, 6, 20, 0 }, e[4] = { 0x7F, 0xFF, 4, 0 };

	wr_le32(o, LOAD_OPT_ACTIVE);
	wr_le16(o + LOAD_OPT_PATHLEN_OFF, 24);
	k = LOAD_OPT_DESC_OFF;
	for (const char *c = "UiApp"; *c; c++, k += 2)
		wr_le16(o + k, (uint16_t)*c);
	wr_le16(o + k, 0);
	k += 2;
	memcpy(o + k, fvfile, 4);
	memcpy(o + k + 4, fv, 16);
	memcpy(o + k + 20, e, 4);
	k += 24;
	o[k++] = 0x4E; /* one byte of optional data */
	diag_init(&d);
	CHECK(load_option_parse(o, k, &lo, &d) == LIB_OK && !strcmp(lo.description, "UiApp") &&
	      !strcmp(lo.path, "FvFile(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)") && lo.optional_len == 1,
	      "Boot0000-like option: %s %s", lo.description, diag_first(&d));
	wr_le16(o + LOAD_OPT_PATHLEN_OFF, (uint16_t)(k - 17));
	diag_init(&d);
	CHECK(load_option_parse(o, k, &lo, &d) == LIB_REFUSED && DIAG_HAS(&d, "FilePathListLength 0x"), "path length past the data");
	diag_init(&d);
	CHECK(load_option_parse(o, LOAD_OPT_DESC_OFF + 6, &lo, &d) == LIB_REFUSED && DIAG_HAS(&d, "has no NUL"),
	      "description cut before its NUL");
	diag_init(&d);
	CHECK(load_option_parse(o, 5, &lo, &d) == LIB_REFUSED && DIAG_HAS(&d, "6-byte header"), "5 bytes");
}

int main(void)
{
	T_RUN(test_paths_ovmf_writes);
	T_RUN(test_disks_and_network);
	T_RUN(test_generic_and_hostile);
	T_RUN(test_load_option);
	return T_END("devpath");
}
