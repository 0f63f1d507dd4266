/* utf8.h: UTF-8 validation, repair and counting for user text. */
#ifndef CC_UTF8_H
#define CC_UTF8_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 (invalid bytes count one each). */
size_t utf8_count(const char *s, size_t n);
/* Copy of s with each invalid sequence replaced by U+FFFD, NUL bytes dropped,
 * CRLF and lone CR turned into LF and other C0 controls except TAB/LF removed. */
char *utf8_clean(arena *a, const char *s, size_t n);
/* Decodes one code point at s (n bytes left); returns its length or 0 if invalid. */
int utf8_decode(const char *s, size_t n, unsigned *cp);
/* Longest prefix of s with at most max code points, cut at a code point boundary. */
size_t utf8_prefix(const char *s, size_t n, size_t max);

#endif
