/* pagecache.c: guest page cache: a hash table of rendered pages under one lock, a generation
 * counter bumped on every change, and a change token polled from the database so that
 * several nodes (or processes) sharing a database stay correct. */
#include "web/pagecache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "http/gzip.h"
#include "model/admin.h"
#include "model/changes.h"
#include "web/web.h"

enum { MAX_HOLES = 8 };

/* A part of a cached page that is made anew for every request (a CAPTCHA challenge):
 * body[start, end) is replaced by what web_fill_hole() writes for name. */
struct hole {
	size_t start, end;
	char name[24];
};

struct entry {
	char *key;
	char *body, *gz, *ctype, *etag;
	size_t len, gzlen;
	struct hole holes[MAX_HOLES];
	int nholes;
	double born; /* monotonic ms */
	struct entry *next;
};

enum { BUCKETS = 1024 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *table[BUCKETS];
static size_t used, max_bytes;
static double ttl_ms;
static atomic_uint_fast64_t gen = 1;
static int64_t last_token = -1;

bool pagecache_enabled(void)
{
	return max_bytes > 0;
}

void pagecache_init(size_t max, int ttl)
{
	max_bytes = max;
	ttl_ms = ttl > 0 ? ttl * 1000.0 : 60000.0;
}

static size_t entry_size(const struct entry *e)
{
	return e->len + e->gzlen + strlen(e->key) + sizeof *e;
}

static void entry_destroy(struct entry *e)
{
	free(e->key);
	free(e->body);
	free(e->gz);
	free(e->ctype);
	free(e->etag);
	free(e);
}

/* Caller holds the lock; e is in the table's accounting. */
static void entry_free(struct entry *e)
{
	used -= entry_size(e);
	entry_destroy(e);
}

/* Caller holds the lock. */
static void flush_locked(void)
{
	for (int i = 0; i < BUCKETS; i++) {
		while (table[i]) {
			struct entry *e = table[i];
			table[i] = e->next;
			entry_free(e);
		}
	}
}

void pagecache_shutdown(void)
{
	pthread_mutex_lock(&lock);
	flush_locked();
	pthread_mutex_unlock(&lock);
	max_bytes = 0;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static char *cache_key(req *r)
{
	buf b;
	buf_init(&b, r->a, 256, 8192);
	buf_puts(&b, r->path);
	for (int i = 0; i < r->query.n; i++) {
		buf_putc(&b, i ? '&' : '?');
		buf_urlenc(&b, r->query.v[i].k, strlen(r->query.v[i].k));
		buf_putc(&b, '=');
		buf_urlenc(&b, r->query.v[i].v, r->query.v[i].vlen);
	}
	return b.err ? NULL : b.p;
}

bool pagecache_serve(req *r)
{
	if (!max_bytes)
		return false;
	char *key = cache_key(r);
	if (!key)
		return false;
	bool want_gz = gzip_accepted(req_header(r, "Accept-Encoding"));
	uint64_t h = hash(key);
	pthread_mutex_lock(&lock);
	struct entry **pp = &table[h % BUCKETS], *e;
	for (e = *pp; e; pp = &e->next, e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e && util_now_ms() - e->born > ttl_ms) {
		*pp = e->next;
		entry_free(e);
		e = NULL;
	}
	if (!e) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	if (e->nholes) {
		/* Copy the page around its holes, and fill each hole for this request. */
		size_t nh = (size_t)e->nholes;
		struct hole holes[MAX_HOLES];
		memcpy(holes, e->holes, sizeof holes[0] * nh);
		char *copy = arena_alloc(r->a, e->len + 1);
		memcpy(copy, e->body, e->len);
		size_t len = e->len;
		r->ctype = arena_strdup(r->a, e->ctype);
		pthread_mutex_unlock(&lock);
		r->status = 200;
		r->out.len = 0;
		size_t at = 0;
		for (size_t i = 0; i < nh; i++) {
			buf_add(&r->out, copy + at, holes[i].start - at);
			web_fill_hole(r, holes[i].name, &r->out);
			at = holes[i].end;
		}
		buf_add(&r->out, copy + at, len - at);
		res_header(r, "Cache-Control", "private, no-cache");
		res_header(r, "X-Cache", "hit");
		return true;
	}
	/* Compress once, on the first request that asks for it. */
	if (want_gz && !e->gz && e->len > 512) {
		size_t zl;
		char *z = gzip_compress_heap(e->body, e->len, &zl, 6);
		if (z) {
			e->gz = z;
			e->gzlen = zl;
			used += zl;
		}
	}
	const char *inm = req_header(r, "If-None-Match");
	bool not_modified = inm && strstr(inm, e->etag);
	bool gz = want_gz && e->gz;
	const char *src = gz ? e->gz : e->body;
	size_t n = not_modified ? 0 : gz ? e->gzlen : e->len;
	char *copy = arena_alloc(r->a, n + 1);
	memcpy(copy, src, n);
	r->ctype = arena_strdup(r->a, e->ctype);
	const char *etag = arena_strdup(r->a, e->etag);
	pthread_mutex_unlock(&lock);

	r->status = not_modified ? 304 : 200;
	r->out.len = 0;
	buf_add(&r->out, copy, n);
	r->no_gzip = true;
	if (gz && !not_modified)
		res_header(r, "Content-Encoding", "gzip");
	res_header(r, "ETag", etag);
	res_header(r, "Cache-Control", "public, no-cache");
	res_header(r, "X-Cache", "hit");
	return true;
}

uint64_t pagecache_gen(void)
{
	return atomic_load(&gen);
}

void pagecache_store(req *r, uint64_t g)
{
	if (!max_bytes || r->status != 200 || r->out.err || r->out.len == 0)
		return;
	for (int i = 0; i < r->headers.n; i++)
		if (strcmp(r->headers.v[i].k, "Set-Cookie") == 0)
			return;
	char *key = cache_key(r);
	if (!key)
		return;
	struct entry *e = calloc(1, sizeof *e);
	e->key = strdup(key);
	e->body = malloc(r->out.len);
	memcpy(e->body, r->out.p, r->out.len);
	e->len = r->out.len;
	e->ctype = strdup(r->ctype);
	unsigned char d[12];
	crypto_generichash(d, sizeof d, (const unsigned char *)e->body, e->len, NULL, 0);
	char hex[25];
	sodium_bin2hex(hex, sizeof hex, d, sizeof d);
	e->etag = malloc(32);
	snprintf(e->etag, 32, "\"%s\"", hex);
	e->born = util_now_ms();
	/* Holes: <!--hole:NAME--> … <!--/hole:NAME--> */
	for (const char *p = e->body, *end = e->body + e->len; e->nholes < MAX_HOLES;) {
		const char *o = memmem(p, (size_t)(end - p), "<!--hole:", 9);
		if (!o)
			break;
		const char *ne = memmem(o + 9, (size_t)(end - o - 9), "-->", 3);
		if (!ne || ne - (o + 9) >= (long)sizeof e->holes[0].name)
			break;
		struct hole *hl = &e->holes[e->nholes];
		memcpy(hl->name, o + 9, (size_t)(ne - (o + 9)));
		hl->name[ne - (o + 9)] = 0;
		char close[48];
		int cl = snprintf(close, sizeof close, "<!--/hole:%s-->", hl->name);
		const char *c = memmem(ne, (size_t)(end - ne), close, (size_t)cl);
		if (!c)
			break;
		hl->start = (size_t)(o - e->body);
		hl->end = (size_t)(c + cl - e->body);
		e->nholes++;
		p = c + cl;
	}
	uint64_t h = hash(key);
	pthread_mutex_lock(&lock);
	if (atomic_load(&gen) != g) {
		/* Content changed while this page was being rendered: it may be stale. */
		pthread_mutex_unlock(&lock);
		entry_destroy(e);
		return;
	}
	if (used + entry_size(e) > max_bytes)
		flush_locked(); /* simple and rare: the cache refills from the next requests */
	struct entry **pp = &table[h % BUCKETS];
	for (struct entry *o = *pp; o; pp = &o->next, o = o->next)
		if (strcmp(o->key, key) == 0) {
			*pp = o->next;
			entry_free(o);
			break;
		}
	e->next = table[h % BUCKETS];
	table[h % BUCKETS] = e;
	used += entry_size(e);
	char *etag = e->nholes ? NULL : arena_strdup(r->a, e->etag);
	pthread_mutex_unlock(&lock);
	if (etag)
		res_header(r, "ETag", etag);
	res_header(r, "X-Cache", "miss");
}

static void bump(void)
{
	/* Pages are about to be rendered anew: they must not use stale site settings either. */
	site_info_forget();
	pthread_mutex_lock(&lock);
	atomic_fetch_add(&gen, 1);
	flush_locked();
	pthread_mutex_unlock(&lock);
}

void pagecache_changed(dbc *c)
{
	if (!max_bytes)
		return;
	bump();
	if (c)
		changes_record(c);
}

void pagecache_poll(dbc *c)
{
	if (!max_bytes || !c)
		return;
	int rc;
	int64_t tok = changes_token(c, &rc);
	if (rc < 0)
		return;
	if (last_token >= 0 && tok != last_token) {
		log_debug("msg=\"page cache dropped: content changed elsewhere\" token=%lld", (long long)tok);
		bump();
	}
	last_token = tok;
	static int64_t last_prune;
	int64_t now = util_now();
	if (now - last_prune > 600) {
		changes_prune(c, now - 3600);
		last_prune = now;
	}
}
