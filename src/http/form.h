/* form.h: pure parsers for request data: urlencoded forms, multipart bodies, cookies.
 * They never touch the network, so unit tests and fuzzers drive them directly. */
#ifndef CC_FORM_H
#define CC_FORM_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct kv {
	const char *k;
	const char *v; /* NUL-terminated; may hold other NULs in binary uploads (use vlen) */
	size_t vlen;
} kv;

typedef struct kvlist {
	kv *v;
	int n, cap;
} kvlist;

typedef struct upload {
	const char *field, *filename, *ctype;
	const char *data;
	size_t len;
} upload;

enum { FORM_OK = 0, FORM_TOO_MANY = -1, FORM_MALFORMED = -2 };

void kv_add(arena *a, kvlist *l, const char *k, const char *v, size_t vlen);
/* First value for k, or NULL. */
const char *kv_get(const kvlist *l, const char *k);
/* Decodes %XX (and + as space when plus is true). Invalid escapes stay as they are. */
char *url_decode(arena *a, const char *s, size_t n, bool plus, size_t *outlen);

/* application/x-www-form-urlencoded. */
int form_parse_urlencoded(arena *a, const char *s, size_t n, kvlist *out, int max_fields);
/* multipart/form-data with the boundary taken from the Content-Type header value.
 * Parts with a filename go to uploads (at most max_uploads), the others to fields. */
int form_parse_multipart(arena *a, const char *content_type, const char *body, size_t n,
                         kvlist *fields, upload **uploads, int *nuploads, int max_fields,
                         int max_uploads);
/* Cookie request header ("a=1; b=2"). Malformed pairs are skipped. */
void cookie_parse(arena *a, const char *header, kvlist *out);
/* True when s is a safe local redirect target ("/path", not "//host" or "/\\host"). */
bool url_is_local(const char *s);

#endif
