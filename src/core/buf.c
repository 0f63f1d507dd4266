/* buf.c: growable arena-backed buffer with escaping helpers. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

void buf_init(buf *b, arena *a, size_t initial, size_t max)
{
	if (initial < 64)
		initial = 64;
	b->a = a;
	b->max = max ? max : (size_t)32 << 20;
	b->p = arena_alloc(a, initial);
	b->p[0] = 0;
	b->cap = initial;
	b->len = 0;
	b->err = false;
}

char *buf_reserve(buf *b, size_t n)
{
	if (b->err)
		return NULL;
	if (b->len + n + 1 > b->max) {
		b->err = true;
		return NULL;
	}
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap * 2;
		while (nc < b->len + n + 1)
			nc *= 2;
		if (nc > b->max)
			nc = b->max;
		b->p = arena_realloc(b->a, b->p, b->cap, nc);
		b->cap = nc;
	}
	return b->p + b->len;
}

void buf_add(buf *b, const void *s, size_t n)
{
	char *d = buf_reserve(b, n);
	if (!d)
		return;
	memcpy(d, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void buf_puts(buf *b, const char *s)
{
	if (s)
		buf_add(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		buf_add(b, tmp, (size_t)n);
		return;
	}
	char *d = buf_reserve(b, (size_t)n);
	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_int(buf *b, long long v)
{
	char tmp[24], *d = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--d = '-';
	buf_add(b, d, (size_t)(tmp + sizeof tmp - d));
}

/* 1–5 for the characters HTML escapes, 0 for the rest. */
static const unsigned char html_special[256] = {['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5};

/* Nonzero when one of the 8 bytes of x is c (exact as "any": a false mark can only follow a
 * true one). */
static inline uint64_t has_byte(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (0x0101010101010101ULL * c);
	return (y - 0x0101010101010101ULL) & ~y & 0x8080808080808080ULL;
}

void buf_html(buf *b, const char *s, size_t n)
{
	static const char *const rep[] = {"", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
	static const unsigned char rlen[] = {0, 5, 4, 4, 6, 5};
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		/* Most text has nothing to escape: skip it 8 bytes at a time. */
		while (i + 8 <= n) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			if (has_byte(x, '&') | has_byte(x, '<') | has_byte(x, '>') | has_byte(x, '"') | has_byte(x, '\''))
				break;
			i += 8;
		}
		if (i == n)
			break;
		unsigned k = html_special[(unsigned char)s[i]];
		if (!k)
			continue;
		buf_add(b, s + start, i - start);
		buf_add(b, rep[k], rlen[k]);
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

void buf_urlenc(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(b, e, 3);
		}
	}
}
