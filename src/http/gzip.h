/* gzip.h: gzip compression of response bodies (zlib). */
#ifndef CC_GZIP_H
#define CC_GZIP_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* Compresses src into a new arena buffer; returns NULL on failure. */
char *gzip_compress(arena *a, const char *src, size_t n, size_t *outlen, int level);
/* Same, into malloc'd memory the caller frees (long-lived assets). */
char *gzip_compress_heap(const char *src, size_t n, size_t *outlen, int level);
/* True when an Accept-Encoding header value allows gzip. */
bool gzip_accepted(const char *accept_encoding);
/* True for content types worth compressing (text, JSON, XML, JS, SVG). */
bool gzip_compressible(const char *ctype);

#endif
