/* sha256: SHA-256 (FIPS 180-4), so that a dead letter too large to copy can
 * still be identified by the digest of its original bytes. */
#ifndef SUCCESSION_SHA256_H
#define SUCCESSION_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_SIZE 65 /* 64 hexadecimal digits and the NUL */

/* Writes the SHA-256 digest of len bytes of data (NULL when len is 0) into
 * hex as 64 lower-case hexadecimal digits. Never fails. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE]);

#endif
