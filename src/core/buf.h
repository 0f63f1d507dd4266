/* buf.h: growable byte buffer in an arena, with a size limit and a sticky error. */
#ifndef CC_BUF_H
#define CC_BUF_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct buf {
	char *p;
	size_t len, cap, max;
	arena *a;
	bool err; /* set once the limit was hit; later appends are dropped */
} buf;

/* max 0 = 32 MiB. The content is always NUL-terminated. */
void buf_init(buf *b, arena *a, size_t initial, size_t max);
void buf_add(buf *b, const void *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_int(buf *b, long long v);
/* Appends s escaped for HTML text and attribute values (& < > " '). */
void buf_html(buf *b, const char *s, size_t n);
/* Appends s percent-encoded for a URL query component. */
void buf_urlenc(buf *b, const char *s, size_t n);
/* Ensures room for n more bytes; returns a pointer to write into, or NULL on error. */
char *buf_reserve(buf *b, size_t n);

#endif
