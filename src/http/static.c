/* static.c: fingerprinted asset table built once at start-up from the embedded static/ files. */
#include "http/static.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "http/gzip.h"

struct asset {
	char *name;   /* "css/site.css" */
	char *url;    /* "/static/css/site.<hash>.css" */
	char *plain;  /* "/static/css/site.css" */
	char *etag;
	const char *ctype;
	const char *data;
	size_t len;
	char *gz;
	size_t gzlen;
};

static struct asset *assets;
static int nassets;

static const char *ctype_for(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	if (!strcmp(dot, ".ico"))
		return "image/x-icon";
	if (!strcmp(dot, ".txt"))
		return "text/plain; charset=utf-8";
	if (!strcmp(dot, ".webmanifest"))
		return "application/manifest+json";
	return "application/octet-stream";
}

int static_init(void)
{
	const char *prefix = "static/";
	size_t pl = strlen(prefix);
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		if (strncmp(f->name, prefix, pl) != 0)
			continue;
		assets = realloc(assets, sizeof(struct asset) * (size_t)(nassets + 1));
		struct asset *a = &assets[nassets++];
		memset(a, 0, sizeof *a);
		a->name = strdup(f->name + pl);
		unsigned char h[8];
		crypto_generichash(h, sizeof h, (const unsigned char *)f->data, f->len, NULL, 0);
		char hex[17];
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		const char *dot = strrchr(a->name, '.');
		size_t base = dot ? (size_t)(dot - a->name) : strlen(a->name);
		size_t ul = strlen(a->name) + 40;
		a->url = malloc(ul);
		snprintf(a->url, ul, "/static/%.*s.%s%s", (int)base, a->name, hex, dot ? dot : "");
		a->plain = malloc(ul);
		snprintf(a->plain, ul, "/static/%s", a->name);
		a->etag = malloc(20);
		snprintf(a->etag, 20, "\"%s\"", hex);
		a->ctype = ctype_for(a->name);
		a->data = f->data;
		a->len = f->len;
		if (gzip_compressible(a->ctype))
			a->gz = gzip_compress_heap(f->data, f->len, &a->gzlen, 9);
	}
	return 0;
}

void static_shutdown(void)
{
	for (int i = 0; i < nassets; i++) {
		free(assets[i].name);
		free(assets[i].url);
		free(assets[i].plain);
		free(assets[i].etag);
		free(assets[i].gz);
	}
	free(assets);
	assets = NULL;
	nassets = 0;
}

const char *static_url(const char *name)
{
	for (int i = 0; i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return assets[i].url;
	return NULL;
}

bool static_serve(req *r)
{
	for (int i = 0; i < nassets; i++) {
		struct asset *a = &assets[i];
		bool finger = strcmp(r->path, a->url) == 0;
		if (!finger && strcmp(r->path, a->plain) != 0)
			continue;
		r->status = 200;
		r->ctype = a->ctype;
		res_header(r, "ETag", a->etag);
		res_header(r, "Cache-Control",
		           finger ? "public, max-age=31536000, immutable" : "public, max-age=300");
		const char *inm = req_header(r, "If-None-Match");
		if (inm && strstr(inm, a->etag)) {
			r->status = 304;
			r->static_body = "";
			r->static_len = 0;
			r->no_gzip = true;
			return true;
		}
		r->no_gzip = true;
		if (a->gz && gzip_accepted(req_header(r, "Accept-Encoding"))) {
			r->static_body = a->gz;
			r->static_len = a->gzlen;
			res_header(r, "Content-Encoding", "gzip");
		} else {
			r->static_body = a->data;
			r->static_len = a->len;
		}
		return true;
	}
	return false;
}
