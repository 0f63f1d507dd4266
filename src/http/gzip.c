/* gzip.c: one-shot gzip with zlib for pages and assets. */
#include "http/gzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

static char *compress_into(char *dst, size_t cap, const char *src, size_t n, size_t *outlen, int level)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)dst;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? dst : NULL;
}

char *gzip_compress(arena *a, const char *src, size_t n, size_t *outlen, int level)
{
	size_t cap = compressBound((uLong)n) + 32;
	char *dst = arena_alloc(a, cap);
	return compress_into(dst, cap, src, n, outlen, level);
}

char *gzip_compress_heap(const char *src, size_t n, size_t *outlen, int level)
{
	size_t cap = compressBound((uLong)n) + 32;
	char *dst = malloc(cap);
	if (!dst)
		return NULL;
	if (!compress_into(dst, cap, src, n, outlen, level)) {
		free(dst);
		return NULL;
	}
	return dst;
}

bool gzip_accepted(const char *ae)
{
	if (!ae)
		return false;
	const char *p = ae;
	while ((p = strcasestr(p, "gzip")) != NULL) {
		const char *q = p + 4;
		while (*q == ' ')
			q++;
		/* Refuse "gzip;q=0". */
		if (*q == ';') {
			q++;
			while (*q == ' ')
				q++;
			if (strncmp(q, "q=0", 3) == 0 && (q[3] == 0 || q[3] == ',' || q[3] == ' ' ||
			                                  (q[3] == '.' && strspn(q + 4, "0") == strcspn(q + 4, ", "))))
				return false;
		}
		return true;
	}
	return false;
}

bool gzip_compressible(const char *ctype)
{
	if (!ctype)
		return false;
	return strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") || strstr(ctype, "xml") ||
	       strstr(ctype, "javascript") || strstr(ctype, "svg");
}
