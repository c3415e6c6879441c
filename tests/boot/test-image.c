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
#define CHURN_SIZE 3000

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
#endif

/* gnu-efi's crt0 calls efi_main with the System V ABI: no EFIAPI here */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	CHAR8 buf[64];
	UINTN size = sizeof(buf) - 1;
	UINT32 attr = 0;
	EFI_STATUS s;

	InitializeLib(image, st);
	Print(L"fwslot: test image ran\n");
#if defined(FWSLOT_CHURN) || defined(FWSLOT_DUMP)
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
