/*
 * sha256.h - SHA-256 (FIPS 180-4) for provenance: hashes of profiles,
 * model files, results and register rows.  No allocation, no errors: a
 * context lives on the caller's stack and every call succeeds.
 *
 * One-shot:   unsigned char d[32]; imv_sha256(buf, len, d);
 * Streaming:  imv_sha256_ctx c; imv_sha256_init(&c);
 *             imv_sha256_update(&c, part, n); ... imv_sha256_final(&c, d);
 * Hex:        char hex[IMV_SHA256_HEX]; imv_sha256_hex(d, hex);
 */
#ifndef IMV_SHA256_H
#define IMV_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define IMV_SHA256_LEN 32
/* 64 lowercase hex digits and a NUL. */
#define IMV_SHA256_HEX 65

typedef struct {
    uint32_t state[8];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64]; /* pending partial block */
    size_t fill;             /* bytes used in block */
} imv_sha256_ctx;

void imv_sha256_init(imv_sha256_ctx *c);
/* Feed len bytes; data may be NULL when len is 0. */
void imv_sha256_update(imv_sha256_ctx *c, const void *data, size_t len);
/* Write the digest; the context must be initialised again before reuse. */
void imv_sha256_final(imv_sha256_ctx *c, unsigned char out[32]);

/* The digest of len bytes at data in one call. */
void imv_sha256(const void *data, size_t len, unsigned char out[32]);

/* Write the 32-byte digest as 64 lowercase hex digits and a NUL into hex
 * (IMV_SHA256_HEX bytes); returns hex. */
char *imv_sha256_hex(const unsigned char digest[32], char hex[IMV_SHA256_HEX]);

/* Hash the file at path into out.  Returns 0, or -1 with errno set when it
 * cannot be opened or read (nothing written to out then). */
int imv_sha256_file(const char *path, unsigned char out[32]);

/* The compression runs on the CPU's SHA instructions where it has them.
 * on: the portable C rounds only, from now on (for the tests, which check
 * both); off: the CPU's choice again. */
void imv_sha256_use_portable(int on);

#endif
