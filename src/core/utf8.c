/* utf8.c: strict UTF-8 decoding per RFC 3629. */
#include "core/utf8.h"

#include <string.h>

int utf8_decode(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int len;
	unsigned min;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		unsigned cp;
		int l = utf8_decode(s + i, n - i, &cp);
		if (!l)
			return false;
		i += (size_t)l;
	}
	return true;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0, i = 0;
	while (i < n) {
		unsigned cp;
		int l = utf8_decode(s + i, n - i, &cp);
		i += l ? (size_t)l : 1;
		count++;
	}
	return count;
}

size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	size_t count = 0, i = 0;
	while (i < n && count < max) {
		unsigned cp;
		int l = utf8_decode(s + i, n - i, &cp);
		i += l ? (size_t)l : 1;
		count++;
	}
	return i;
}

char *utf8_clean(arena *a, const char *s, size_t n)
{
	/* Worst case every byte becomes a 3-byte U+FFFD. */
	char *out = arena_alloc(a, n * 3 + 1);
	size_t o = 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c == '\r') {
				out[o++] = '\n';
				i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
				continue;
			}
			if (c >= 0x20 || c == '\n' || c == '\t')
				out[o++] = (char)c;
			i++;
			continue;
		}
		unsigned cp;
		int l = utf8_decode(s + i, n - i, &cp);
		if (!l) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, (size_t)l);
		o += (size_t)l;
		i += (size_t)l;
	}
	out[o] = 0;
	return out;
}
