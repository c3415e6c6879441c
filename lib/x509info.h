/* SPDX-License-Identifier: MIT */
/* What an X.509 certificate in a signature list says: names, serial, validity, fingerprint. */
#ifndef FWSLOT_X509INFO_H
#define FWSLOT_X509INFO_H
/*
 * The DER is parsed by OpenSSL's libcrypto (d2i_X509), never by hand. Names
 * are printed as RFC 4514 strings (most specific first, as OpenSSL's
 * XN_FLAG_RFC2253 and Python's cryptography print them), UTF-8 kept; times
 * as "YYYY-MM-DDTHH:MM:SSZ"; the serial in lower-case hex as stored (two's
 * complement value, no sign); sha256 over the DER bytes the entry holds.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define X509_NAME_TEXT 512

struct x509_info {
	char subject[X509_NAME_TEXT];
	char issuer[X509_NAME_TEXT];
	char common_name[256];    /* the subject's last CN, "" when none */
	char serial[132];         /* hex, up to 64 bytes (RFC 5280 allows 20) */
	char not_before[80], not_after[80]; /* room for any int fields */
	char key[32];             /* "RSA 2048", "EC 256", ... */
	uint8_t sha256[32];
	size_t der_len;           /* bytes the certificate occupies; the entry may hold more */
};

/*
 * Decodes the certificate at p[0..len) into xi. LIB_OK; LIB_REFUSED with a
 * DIAG_ERROR when libcrypto cannot parse it (EDK2 refuses such an entry too);
 * bytes after the certificate are a DIAG_NOTE.
 */
enum lib_result x509_info_decode(const uint8_t *p, size_t len, struct x509_info *xi, struct diag *d);

/* SHA-256 of p[0..len) (libcrypto), for hash entries compared with images. */
void sha256_bytes(const uint8_t *p, size_t len, uint8_t out[32]);

#endif
