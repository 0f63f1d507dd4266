/* fuzz_utf8.c: utf8_valid against an independent reference (Unicode Table 3-7), and the
 * promises of utf8_clean, utf8_count and utf8_prefix. */
#include <stdbool.h>

#include "core/utf8.h"
#include "fuzz.h"

/* Well-formed byte sequences, straight from the Unicode standard's Table 3-7. */
static bool ref_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c <= 0x7F)
			len = 1;
		else if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c == 0xE0)
			len = 3, lo = 0xA0;
		else if (c >= 0xE1 && c <= 0xEC)
			len = 3;
		else if (c == 0xED)
			len = 3, hi = 0x9F;
		else if (c >= 0xEE && c <= 0xEF)
			len = 3;
		else if (c == 0xF0)
			len = 4, lo = 0x90;
		else if (c >= 0xF1 && c <= 0xF3)
			len = 4;
		else if (c == 0xF4)
			len = 4, hi = 0x8F;
		else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			unsigned char b = s[i + k];
			unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
			if (b < l || b > h)
				return false;
		}
		i += len;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *s = (const char *)d;
	arena *a = arena_new(0);

	bool v = utf8_valid(s, n);
	FUZZ_CHECK(v == ref_valid(d, n));

	char *c = utf8_clean(a, s, n);
	size_t cl = strlen(c);
	FUZZ_CHECK(utf8_valid(c, cl));
	for (size_t i = 0; i < cl; i++) {
		unsigned char b = (unsigned char)c[i];
		FUZZ_CHECK(b >= 0x20 || b == '\n' || b == '\t');
	}
	/* Clean text comes back unchanged (DEL is allowed, like any printable code point). */
	bool no_ctl = true;
	for (size_t i = 0; i < n && no_ctl; i++) {
		unsigned char b = d[i];
		no_ctl = b >= 0x20 || b == '\n' || b == '\t';
	}
	if (v && no_ctl)
		FUZZ_CHECK(cl == n && memcmp(c, s, n) == 0);
	char *c2 = utf8_clean(a, c, cl);
	FUZZ_CHECK(strcmp(c, c2) == 0);

	/* Counting and cutting agree with each other. */
	size_t count = utf8_count(s, n);
	FUZZ_CHECK(count <= n);
	FUZZ_CHECK(utf8_prefix(s, n, count) == n);
	if (count > 0)
		FUZZ_CHECK(utf8_prefix(s, n, count - 1) < n);
	size_t prev = 0;
	for (size_t k = 0; k <= count && k < 64; k++) {
		size_t p = utf8_prefix(s, n, k);
		FUZZ_CHECK(p >= prev && p <= n);
		FUZZ_CHECK(utf8_count(s, p) == k);
		if (v)
			FUZZ_CHECK(utf8_valid(s, p));
		prev = p;
	}
	unsigned cp;
	int l = utf8_decode(s, n, &cp);
	if (l > 0)
		FUZZ_CHECK((size_t)l <= n && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
	arena_free(a);
	return 0;
}
