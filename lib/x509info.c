/* SPDX-License-Identifier: MIT */
/* X.509 certificates of signature lists, read through libcrypto. */
#include "x509info.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "bytes.h"

void sha256_bytes(const uint8_t *p, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	EVP_Digest(p, len, out, &n, EVP_sha256(), NULL);
}

static void name_text(const X509_NAME *nm, char *s, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	int k = 0;

	s[0] = 0;
	if (!b)
		return;
	/* RFC 2253 order and escaping, but UTF-8 left as it is */
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		k = BIO_read(b, s, (int)n - 1);
	s[k > 0 ? k : 0] = 0;
	BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *s, size_t n)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(s, n, "invalid");
		return;
	}
	snprintf(s, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void serial_text(const ASN1_INTEGER *a, char *s, size_t n)
{
	int len = ASN1_STRING_length(a);

	hex_encode(ASN1_STRING_get0_data(a), len > 0 ? (size_t)len : 0, s, n);
}

static void common_name(const X509_NAME *nm, char *s, size_t n)
{
	int i = -1, last = -1;

	s[0] = 0;
	while ((i = X509_NAME_get_index_by_NID(nm, NID_commonName, i)) >= 0)
		last = i;
	if (last >= 0) {
		const ASN1_STRING *a = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last));
		unsigned char *u = NULL;
		int k = ASN1_STRING_to_UTF8(&u, a);

		if (k >= 0) {
			snprintf(s, n, "%.*s", k, (const char *)u);
			OPENSSL_free(u);
		}
	}
}

enum lib_result x509_info_decode(const uint8_t *p, size_t len, struct x509_info *xi, struct diag *d)
{
	const unsigned char *q = p;
	X509 *x;
	EVP_PKEY *k;

	memset(xi, 0, sizeof(xi[0]));
	if (len > 0x7fffffff)
		return diag_add(d, DIAG_ERROR, "certificate of 0x%zx bytes: too large to be one", len);
	x = d2i_X509(NULL, &q, (long)len);
	if (!x)
		return diag_add(d, DIAG_ERROR, "0x%zx bytes that libcrypto cannot read as an X.509 certificate", len);
	xi->der_len = (size_t)(q - p);
	if (xi->der_len < len)
		diag_add(d, DIAG_NOTE, "0x%zx bytes after the 0x%zx-byte certificate", len - xi->der_len, xi->der_len);
	name_text(X509_get_subject_name(x), xi->subject, sizeof(xi->subject));
	name_text(X509_get_issuer_name(x), xi->issuer, sizeof(xi->issuer));
	common_name(X509_get_subject_name(x), xi->common_name, sizeof(xi->common_name));
	serial_text(X509_get0_serialNumber(x), xi->serial, sizeof(xi->serial));
	time_text(X509_get0_notBefore(x), xi->not_before, sizeof(xi->not_before));
	time_text(X509_get0_notAfter(x), xi->not_after, sizeof(xi->not_after));
	k = X509_get0_pubkey(x);
	if (k) {
		int id = EVP_PKEY_base_id(k);

		snprintf(xi->key, sizeof(xi->key), "%s %d", id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : OBJ_nid2sn(id),
			 EVP_PKEY_bits(k));
	}
	else
		snprintf(xi->key, sizeof(xi->key), "unreadable");
	sha256_bytes(p, xi->der_len, xi->sha256);
	X509_free(x);
	return LIB_OK;
}
