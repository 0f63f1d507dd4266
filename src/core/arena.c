/* arena.c: chunked bump allocator with a size cap and deferred cleanups. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CC_ASAN 1
#endif
#ifdef CC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *ctx;
};

struct arena {
	struct chunk *head;
	struct cleanup *cleanups;
	size_t cap, total;
	bool over;
};

enum { FIRST_CHUNK = 16 * 1024 };

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("carecircle: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	POISON(c->data, size);
	return c;
}

arena *arena_new(size_t cap)
{
	arena *a = xmalloc(sizeof(*a));
	a->cap = cap ? cap : (size_t)64 << 20;
	a->over = false;
	a->cleanups = NULL;
	a->head = chunk_new(FIRST_CHUNK);
	a->total = FIRST_CHUNK;
	return a;
}

static void run_cleanups(arena *a)
{
	while (a->cleanups) {
		struct cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->ctx);
	}
}

void arena_free(arena *a)
{
	if (!a)
		return;
	run_cleanups(a);
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	free(a);
}

void arena_reset(arena *a)
{
	run_cleanups(a);
	struct chunk *c = a->head;
	while (c->next) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = c;
	c->used = 0;
	POISON(c->data, c->size);
	a->total = c->size;
	a->over = false;
}

void *arena_alloc(arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	size_t need = (n + 15) & ~(size_t)15;
	struct chunk *c = a->head;
	if (c->size - c->used < need) {
		size_t size = c->size * 2;
		if (size < need)
			size = need;
		if (size > (size_t)8 << 20 && need < ((size_t)8 << 20))
			size = (size_t)8 << 20;
		if (a->total + size > a->cap)
			a->over = true;
		struct chunk *nc = chunk_new(size);
		a->total += size;
		/* Keep the fuller chunk behind so the head has room. */
		nc->next = c;
		a->head = nc;
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	UNPOISON(p, n);
	return p;
}

void *arena_zalloc(arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_realloc(arena *a, void *p, size_t old, size_t n)
{
	if (n <= old)
		return p;
	struct chunk *c = a->head;
	/* Grow in place when p is the last allocation of the head chunk. */
	size_t oldr = (old + 15) & ~(size_t)15;
	if (p && (unsigned char *)p + oldr == c->data + c->used) {
		size_t needr = (n + 15) & ~(size_t)15;
		if (c->size - (c->used - oldr) >= needr) {
			c->used = c->used - oldr + needr;
			UNPOISON(p, n);
			return p;
		}
	}
	void *q = arena_alloc(a, n);
	if (p && old)
		memcpy(q, p, old);
	return q;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* ---- arena_printf ----
 * Pages build many small strings (a URL per answer and link): the common conversions
 * (%s %d %u %ld %lu %lld %llu %zu %%) are formatted here in two cheap passes; anything else
 * (widths, precision, floats, hex) goes through vsnprintf. */

enum conv { C_BAD, C_STR, C_INT, C_UINT, C_LONG, C_ULONG, C_LLONG, C_ULLONG, C_SIZE, C_PCT };

/* The conversion at f (just after '%'); *len = characters it spans. */
static enum conv conv_at(const char *f, int *len)
{
	switch (f[0]) {
	case 's': *len = 1; return C_STR;
	case 'd': *len = 1; return C_INT;
	case 'u': *len = 1; return C_UINT;
	case '%': *len = 1; return C_PCT;
	case 'z': *len = 2; return f[1] == 'u' ? C_SIZE : C_BAD;
	case 'l':
		if (f[1] == 'd' || f[1] == 'u') {
			*len = 2;
			return f[1] == 'd' ? C_LONG : C_ULONG;
		}
		if (f[1] == 'l' && (f[2] == 'd' || f[2] == 'u')) {
			*len = 3;
			return f[2] == 'd' ? C_LLONG : C_ULLONG;
		}
		return C_BAD;
	default: return C_BAD;
	}
}

/* Decimal digits of v into the end of tmp[24]; returns the first. */
static char *digits(char tmp[24], unsigned long long v, bool neg)
{
	char *d = tmp + 24;
	do {
		*--d = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		*--d = '-';
	return d;
}

/* Copies the n bytes at s to out + at, as much of them as fits below cap. */
static void put(char *out, size_t cap, size_t at, const char *s, size_t n)
{
	if (at < cap)
		memcpy(out + at, s, n < cap - at ? n : cap - at);
}

/* One pass over fmt, writing what fits in out[cap] (cap 0: only measures); returns the
 * length of the whole result, or SIZE_MAX at a conversion it does not handle. out holds the
 * NUL-terminated result when the length returned is below cap. */
static size_t format_simple(char *out, size_t cap, const char *fmt, va_list ap)
{
	size_t n = 0;
	char tmp[24];
	for (const char *f = fmt; *f;) {
		const char *pct = strchr(f, '%');
		size_t lit = pct ? (size_t)(pct - f) : strlen(f);
		put(out, cap, n, f, lit);
		n += lit;
		if (!pct)
			break;
		int len;
		enum conv c = conv_at(pct + 1, &len);
		f = pct + 1 + len;
		const char *piece;
		size_t pl;
		long long sv = 0;
		unsigned long long uv = 0;
		bool is_signed = false;
		switch (c) {
		case C_STR:
			piece = va_arg(ap, const char *);
			if (!piece)
				piece = "(null)";
			pl = strlen(piece);
			goto copy;
		case C_PCT:
			piece = "%";
			pl = 1;
			goto copy;
		case C_INT: sv = va_arg(ap, int); is_signed = true; break;
		case C_LONG: sv = va_arg(ap, long); is_signed = true; break;
		case C_LLONG: sv = va_arg(ap, long long); is_signed = true; break;
		case C_UINT: uv = va_arg(ap, unsigned); break;
		case C_ULONG: uv = va_arg(ap, unsigned long); break;
		case C_ULLONG: uv = va_arg(ap, unsigned long long); break;
		case C_SIZE: uv = va_arg(ap, size_t); break;
		case C_BAD: return SIZE_MAX;
		}
		if (is_signed)
			uv = sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
		piece = digits(tmp, uv, is_signed && sv < 0);
		pl = (size_t)(tmp + 24 - piece);
	copy:
		put(out, cap, n, piece, pl);
		n += pl;
	}
	if (n < cap)
		out[n] = 0;
	return n;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	/* Most results (URLs, labels) fit the buffer: one pass, then a copy into the arena. */
	char tmp[256];
	va_start(ap, fmt);
	size_t sn = format_simple(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (sn != SIZE_MAX) {
		char *p = arena_alloc(a, sn + 1);
		if (sn < sizeof tmp) {
			memcpy(p, tmp, sn + 1);
		} else {
			va_start(ap, fmt);
			format_simple(p, sn + 1, fmt, ap);
			va_end(ap);
		}
		return p;
	}
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

bool arena_over(const arena *a)
{
	return a->over;
}

size_t arena_used(const arena *a)
{
	return a->total;
}

void arena_defer(arena *a, void (*fn)(void *), void *ctx)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->ctx = ctx;
	c->next = a->cleanups;
	a->cleanups = c;
}
