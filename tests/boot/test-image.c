/* SPDX-License-Identifier: MIT */
/* A UEFI application for the QEMU tests: says it ran, and keeps a variable across VMs and firmware. */
#include <efi.h>
#include <efilib.h>

/* FwslotTest, vendor 6b1c3d54-8f0e-4c6a-9b53-2a1f0e7d9c41, non-volatile (NV+BS+RT) */
static EFI_GUID fwslot_guid = { 0x6b1c3d54, 0x8f0e, 0x4c6a, { 0x9b, 0x53, 0x2a, 0x1f, 0x0e, 0x7d, 0x9c, 0x41 } };
static CHAR8 value[] = "written-by-the-first-firmware";

/* gnu-efi's crt0 calls efi_main with the System V ABI: no EFIAPI here */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	CHAR8 buf[64];
	UINTN size = sizeof(buf) - 1;
	UINT32 attr = 0;
	EFI_STATUS s;

	InitializeLib(image, st);
	Print(L"fwslot: test image ran\n");
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
