/* form.c: urlencoded, multipart and cookie parsing into arena key/value lists. */
#include "http/form.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void kv_add(arena *a, kvlist *l, const char *k, const char *v, size_t vlen)
{
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 8;
		l->v = arena_realloc(a, l->v, sizeof(kv) * (size_t)l->cap, sizeof(kv) * (size_t)nc);
		l->cap = nc;
	}
	l->v[l->n++] = (kv){k, v, vlen};
}

const char *kv_get(const kvlist *l, const char *k)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i].k, k) == 0)
			return l->v[i].v;
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *url_decode(arena *a, const char *s, size_t n, bool plus, size_t *outlen)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n) {
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h >= 0 && l >= 0) {
				out[o++] = (char)(h * 16 + l);
				i += 2;
				continue;
			}
		}
		out[o++] = (plus && s[i] == '+') ? ' ' : s[i];
	}
	out[o] = 0;
	if (outlen)
		*outlen = o;
	return out;
}

int form_parse_urlencoded(arena *a, const char *s, size_t n, kvlist *out, int max_fields)
{
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && s[i] != '&')
			i++;
		size_t len = i - start;
		i++; /* skip & */
		if (len == 0)
			continue;
		if (out->n >= max_fields)
			return FORM_TOO_MANY;
		const char *pair = s + start;
		const char *eq = memchr(pair, '=', len);
		size_t kl = eq ? (size_t)(eq - pair) : len;
		char *k = url_decode(a, pair, kl, true, NULL);
		size_t vl = 0;
		char *v = eq ? url_decode(a, eq + 1, len - kl - 1, true, &vl) : url_decode(a, "", 0, true, &vl);
		kv_add(a, out, k, v, vl);
	}
	return FORM_OK;
}

/* Finds param (e.g. "boundary") in a header value like `multipart/form-data; boundary=xyz`. */
static char *header_param(arena *a, const char *h, size_t hn, const char *param)
{
	size_t pl = strlen(param);
	size_t i = 0;
	while (i < hn) {
		while (i < hn && h[i] != ';')
			i++;
		if (i >= hn)
			break;
		i++;
		while (i < hn && (h[i] == ' ' || h[i] == '\t'))
			i++;
		if (i + pl < hn && strncasecmp(h + i, param, pl) == 0 && h[i + pl] == '=') {
			i += pl + 1;
			if (i < hn && h[i] == '"') {
				i++;
				size_t st = i;
				while (i < hn && h[i] != '"')
					i++;
				return arena_strndup(a, h + st, i - st);
			}
			size_t st = i;
			while (i < hn && h[i] != ';' && h[i] != ' ' && h[i] != '\t' && h[i] != '\r' && h[i] != '\n')
				i++;
			return arena_strndup(a, h + st, i - st);
		}
	}
	return NULL;
}

static const char *find_mem(const char *h, size_t hn, const char *needle, size_t nn)
{
	if (nn == 0 || hn < nn)
		return NULL;
	const char *end = h + hn - nn;
	for (const char *p = h; p <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, nn) == 0)
			return p;
	}
	return NULL;
}

int form_parse_multipart(arena *a, const char *content_type, const char *body, size_t n,
                         kvlist *fields, upload **uploads, int *nuploads, int max_fields,
                         int max_uploads)
{
	*nuploads = 0;
	*uploads = NULL;
	if (!content_type)
		return FORM_MALFORMED;
	char *boundary = header_param(a, content_type, strlen(content_type), "boundary");
	if (!boundary || !*boundary || strlen(boundary) > 200)
		return FORM_MALFORMED;
	size_t bl = strlen(boundary);
	char *delim = arena_alloc(a, bl + 5);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, bl + 1);
	size_t dl = bl + 4;

	/* The first delimiter may come without the leading CRLF. */
	const char *p;
	if (n >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		p = body + dl - 2;
	} else {
		const char *f = find_mem(body, n, delim, dl);
		if (!f)
			return FORM_MALFORMED;
		p = f + dl;
	}
	const char *end = body + n;
	upload *ups = arena_alloc(a, sizeof(upload) * (size_t)(max_uploads > 0 ? max_uploads : 1));
	int nparts = 0;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break; /* closing delimiter */
		/* Skip transport padding and the CRLF after the delimiter. */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return FORM_MALFORMED;
		p += 2;
		const char *hend, *content;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hend = p; /* a part without headers */
			content = p + 2;
		} else {
			hend = find_mem(p, (size_t)(end - p), "\r\n\r\n", 4);
			if (!hend)
				return FORM_MALFORMED;
			content = hend + 4;
		}
		const char *next = find_mem(content, (size_t)(end - content), delim, dl);
		if (!next)
			return FORM_MALFORMED;
		if (++nparts > max_fields + max_uploads)
			return FORM_TOO_MANY;
		/* Part headers. */
		char *name = NULL, *filename = NULL, *ctype = NULL;
		const char *h = p;
		while (h < hend) {
			const char *le = find_mem(h, (size_t)(hend - h), "\r\n", 2);
			if (!le)
				le = hend;
			size_t hl = (size_t)(le - h);
			if (hl > 20 && strncasecmp(h, "Content-Disposition:", 20) == 0) {
				name = header_param(a, h, hl, "name");
				filename = header_param(a, h, hl, "filename");
			} else if (hl > 13 && strncasecmp(h, "Content-Type:", 13) == 0) {
				const char *v = h + 13;
				while (v < le && (*v == ' ' || *v == '\t'))
					v++;
				ctype = arena_strndup(a, v, (size_t)(le - v));
			}
			h = le + 2;
		}
		size_t clen = (size_t)(next - content);
		if (name) {
			if (filename) {
				if (*nuploads >= max_uploads)
					return FORM_TOO_MANY;
				char *data = arena_alloc(a, clen + 1);
				memcpy(data, content, clen);
				data[clen] = 0;
				ups[(*nuploads)++] = (upload){name, filename, ctype ? ctype : "application/octet-stream", data, clen};
			} else {
				if (fields->n >= max_fields)
					return FORM_TOO_MANY;
				kv_add(a, fields, name, arena_strndup(a, content, clen), clen);
			}
		}
		p = next + dl;
	}
	*uploads = ups;
	return FORM_OK;
}

void cookie_parse(arena *a, const char *header, kvlist *out)
{
	if (!header)
		return;
	const char *p = header;
	while (*p && out->n < 64) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *start = p;
		while (*p && *p != ';')
			p++;
		const char *eq = memchr(start, '=', (size_t)(p - start));
		if (!eq || eq == start)
			continue;
		const char *ke = eq;
		while (ke > start && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		const char *v = eq + 1, *ve = p;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		kv_add(a, out, arena_strndup(a, start, (size_t)(ke - start)), arena_strndup(a, v, (size_t)(ve - v)),
		       (size_t)(ve - v));
	}
}

bool url_is_local(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return false;
	return true;
}
