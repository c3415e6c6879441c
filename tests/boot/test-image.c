/* SPDX-License-Identifier: MIT */
/* A UEFI application for the QEMU tests: says it ran, and keeps a variable across VMs and firmware. */
#include <efi.h>
#include <efilib.h>

/* FwslotTest, vendor 6b1c3d54-8f0e-4c6a-9b53-2a1f0e7d9c41, non-volatile (NV+BS+RT) */
static EFI_GUID fwslot_guid = { 0x6b1c3d54, 0x8f0e, 0x4c6a, { 0x9b, 0x53, 0x2a, 0x1f, 0x0e, 0x7d, 0x9c, 0x41 } };
static CHAR8 value[] = "written-by-the-first-firmware";

/*
 * Built with -DFWSLOT_CHURN: rewrites CHURN_VARS large variables round after
 * round until the VM is killed, so OVMF reclaims its store again and again
 * (the migration test kills QEMU in the middle of one). Each value starts
 * with its round and index. With -DFWSLOT_DUMP: prints those variables as
 * the firmware reads them.
 */
#define CHURN_VARS 16
#ifndef CHURN_SIZE
#define CHURN_SIZE 3000 /* -DCHURN_SIZE=N: smaller values for a smaller store */
#endif

static void churn_name(CHAR16 *name, UINTN i)
{
	static const CHAR16 base[] = L"FwslotChurn";

	for (UINTN k = 0; k < sizeof(base) / sizeof(base[0]) - 1; k++)
		name[k] = base[k];
	name[11] = (CHAR16)(L'0' + i / 10);
	name[12] = (CHAR16)(L'0' + i % 10);
	name[13] = 0;
}

#if defined(FWSLOT_CHURN)
static UINT8 data[CHURN_SIZE];

static EFI_STATUS main_mode(EFI_SYSTEM_TABLE *st)
{
	CHAR16 name[16];

	for (UINT32 round = 1;; round++) {
		for (UINTN i = 0; i < CHURN_VARS; i++) {
			for (UINTN j = 0; j < CHURN_SIZE; j++)
				data[j] = (UINT8)(round + i + j);
			CopyMem(data, &round, 4);
			data[4] = (UINT8)i;
			churn_name(name, i);
			st->RuntimeServices->SetVariable(name, &fwslot_guid,
				EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
				CHURN_SIZE, data);
		}
		Print(L"fwslot: churn round %d\n", round);
	}
}
#elif defined(FWSLOT_DUMP)
static UINT8 data[CHURN_SIZE + 16];

static EFI_STATUS main_mode(EFI_SYSTEM_TABLE *st)
{
	CHAR16 name[16];

	for (UINTN i = 0; i < CHURN_VARS; i++) {
		UINTN size = sizeof(data);
		UINT32 attr = 0, round = 0;
		EFI_STATUS s;

		churn_name(name, i);
		s = st->RuntimeServices->GetVariable(name, &fwslot_guid, &attr, &size, data);
		CopyMem(&round, data, 4);
		if (s == EFI_SUCCESS)
			Print(L"fwslot: churn %s round %d size %d\n", name, round, size);
		else
			Print(L"fwslot: churn %s %r\n", name, s);
	}
	Print(L"fwslot: churn dump done\n");
	return EFI_SUCCESS;
}
#elif defined(FWSLOT_TICK)
/*
 * Built with -DFWSLOT_TICK: a guest that keeps running for the live-migration
 * tests. Prints "fwslot tick N" about four times a second, forever; the
 * counter is in guest memory, so a migrated VM goes on from where it was.
 */
static EFI_STATUS main_mode(EFI_SYSTEM_TABLE *st)
{
	for (UINT32 n = 1;; n++) {
		st->BootServices->Stall(250000);
		Print(L"fwslot tick %04x\n", n);
	}
}
#endif

/*
 * The firmware's version as a guest's dmidecode shows it: SMBIOS type 0's
 * BIOS Version string (OVMF sets it from PcdFirmwareVersionString), found
 * through the SMBIOS 3 or 2.x entry point. Prints "fwslot: SMBIOS BIOS version
 * <string>", or says what it did not find.
 */
static void print_bios_version(void)
{
	static EFI_GUID smbios3 = SMBIOS3_TABLE_GUID, smbios = SMBIOS_TABLE_GUID;
	UINT8 *ep = NULL, *p, *end;

	if (LibGetSystemConfigurationTable(&smbios3, (VOID **)&ep) == EFI_SUCCESS && ep) {
		p = (UINT8 *)(UINTN)*(UINT64 *)(ep + 0x10);
		end = p + *(UINT32 *)(ep + 0x0c);
	} else if (LibGetSystemConfigurationTable(&smbios, (VOID **)&ep) == EFI_SUCCESS && ep) {
		p = (UINT8 *)(UINTN)*(UINT32 *)(ep + 0x18);
		end = p + *(UINT16 *)(ep + 0x16);
	} else {
		Print(L"fwslot: no SMBIOS table\n");
		return;
	}
	while (p + 4 <= end && p[1] >= 4) {
		UINT8 *str = p + p[1], want = p[0] == 0 && p[1] > 5 ? p[5] : 0;

		for (UINT8 n = 1; str < end && *str; n++) {
			if (n == want) {
				Print(L"fwslot: SMBIOS BIOS version %a\n", str);
				return;
			}
			while (str < end && *str)
				str++;
			str++;
		}
		if (p[0] == 0) /* type 0 without a version string */
			break;
		/* the next structure starts after the string set's double NUL */
		for (str = p + p[1]; str + 1 < end && (str[0] || str[1]); str++)
			;
		p = str + 2;
	}
	Print(L"fwslot: no SMBIOS BIOS version\n");
}

/* gnu-efi's crt0 calls efi_main with the System V ABI: no EFIAPI here */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	CHAR8 buf[64];
	UINTN size = sizeof(buf) - 1;
	UINT32 attr = 0;
	EFI_STATUS s;

	InitializeLib(image, st);
	Print(L"fwslot: test image ran\n");
	print_bios_version();
#if defined(FWSLOT_CHURN) || defined(FWSLOT_DUMP) || defined(FWSLOT_TICK)
	return main_mode(st);
#endif
	s = st->RuntimeServices->GetVariable(L"FwslotTest", &fwslot_guid, &attr, &size, buf);
	if (s == EFI_SUCCESS) {
		buf[size] = 0;
		Print(L"fwslot: FwslotTest=%a attributes 0x%x\n", buf, attr);
	} else {
		s = st->RuntimeServices->SetVariable(L"FwslotTest", &fwslot_guid,
			EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
			sizeof(value) - 1, value);
		Print(L"fwslot: FwslotTest set: %r\n", s);
	}
	return EFI_SUCCESS;
}
