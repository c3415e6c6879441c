/* SPDX-License-Identifier: MIT */
/* A UEFI application that says it ran and exits: the Secure Boot tests' signed/unsigned binary. */
#include <efi.h>
#include <efilib.h>

/* gnu-efi's crt0 calls efi_main with the System V ABI: no EFIAPI here */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	InitializeLib(image, st);
	Print(L"fwslot: test image ran\n");
	return EFI_SUCCESS;
}
