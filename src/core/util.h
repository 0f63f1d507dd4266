/* util.h: small helpers: random tokens, encodings, keyed hashes, time, slugs, numbers. */
#ifndef CC_UTIL_H
#define CC_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* Fills out with n random bytes (libsodium). */
void util_random(void *out, size_t n);
/* A URL-safe random token of nbytes of entropy, base64url without padding. */
char *util_token(arena *a, size_t nbytes);
char *util_b64url(arena *a, const void *data, size_t n);
/* Decodes base64url without padding; returns length or -1. out must hold n*3/4+3. */
long util_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outmax);
char *util_hex(arena *a, const void *data, size_t n);
/* A copy of s with ASCII A–Z lowercased (email addresses, typed names); other bytes as they are. */
char *util_lower(arena *a, const char *s);
/* Keyed BLAKE2b of msg under the server secret, as lowercase hex (2*outlen chars). */
char *util_mac_hex(arena *a, const unsigned char key[32], const char *domain,
                   const void *msg, size_t n, size_t outlen);
void util_mac(unsigned char *out, size_t outlen, const unsigned char key[32], const char *domain,
              const void *msg, size_t n);
/* Constant-time comparison. */
bool util_eq(const void *a, const void *b, size_t n);

int64_t util_now(void);        /* unix seconds */
double util_now_ms(void);      /* monotonic milliseconds */
/* "12 March 2026" */
char *util_date(arena *a, int64_t t);
/* ISO 8601 UTC, "2026-03-12T10:04:00Z" */
char *util_iso8601(arena *a, int64_t t);
/* "3 days ago", "just now", falls back to util_date after a year. */
char *util_ago(arena *a, int64_t t, int64_t now);

/* Lowercase ASCII slug of at most max bytes from a title ("Can stress cause…" -> "can-stress-cause"). */
char *util_slugify(arena *a, const char *s, size_t max);
/* Parses a decimal int64 in [min,max]; false on anything else. */
bool util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "1 comment" / "3 comments" */
char *util_plural(arena *a, int64_t n, const char *one, const char *many);
/* Trims ASCII whitespace at both ends, returns a pointer into s and its length. */
const char *util_trim(const char *s, size_t *n);

#endif
