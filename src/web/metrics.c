/* metrics.c: request counters and latency histograms, served as Prometheus text at /metrics.
 *
 * Lock-free: every counter is a relaxed atomic in a fixed table indexed by route (the pattern
 * pointer from the route table) and status code, so counting costs a few atomic adds. */
#include "web/metrics.h"

#include <stdatomic.h>
#include <string.h>

#include "http/server.h"
#include "web/web.h"

enum { MAX_ROUTES = 256, NBUCKETS = 12 };

/* Upper bounds of the latency buckets in seconds; the last one is +Inf. */
static const double bucket_s[NBUCKETS - 1] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,   0.25,   0.5,   1.0,  2.5};
static const int statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404,
                               405, 409, 413, 415, 422, 429, 500, 502, 503, 0 /* other */};
enum { NSTATUS = sizeof statuses / sizeof statuses[0] };

/* Slot 0: no route matched; other slots are claimed by route patterns (pointers from the
 * route table, or "/static/…") the first time each is seen, so the table order never matters. */
static const char *_Atomic slot_route[MAX_ROUTES];
static atomic_ulong counts[MAX_ROUTES][NSTATUS];
static atomic_ulong buckets[MAX_ROUTES][NBUCKETS];
static atomic_ulong sum_us[MAX_ROUTES];
static const char *hook_names[8];
static int (*hook_fns[8])(dbc *c, int64_t *out);
static int nhooks;

static int route_slot(const char *pattern)
{
	if (!pattern)
		return 0;
	for (int i = 1; i < MAX_ROUTES; i++) {
		const char *cur = atomic_load(&slot_route[i]);
		if (cur == pattern)
			return i;
		if (!cur) {
			const char *expected = NULL;
			if (atomic_compare_exchange_strong(&slot_route[i], &expected, pattern) || expected == pattern)
				return i;
		}
	}
	return 0;
}

static const char *slot_name(int s)
{
	const char *p = s ? atomic_load(&slot_route[s]) : NULL;
	return p ? p : "-";
}

static int status_slot(int status)
{
	for (int i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void metrics_observe(req *r, double ms)
{
	int s = route_slot(r->route);
	atomic_fetch_add_explicit(&counts[s][status_slot(r->status)], 1, memory_order_relaxed);
	double sec = ms / 1000.0;
	int b = 0;
	while (b < NBUCKETS - 1 && sec > bucket_s[b])
		b++;
	atomic_fetch_add_explicit(&buckets[s][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[s], (unsigned long)(ms * 1000.0), memory_order_relaxed);
}

void metrics_gauge(const char *name, int (*fn)(dbc *c, int64_t *out))
{
	if (nhooks < 8) {
		hook_names[nhooks] = name;
		hook_fns[nhooks] = fn;
		nhooks++;
	}
}

/* Prometheus label values escape backslash, quote and newline. */
static void label(buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(b, '\\');
		if (*s == '\n') {
			buf_puts(b, "\\n");
			continue;
		}
		buf_putc(b, *s);
	}
}

static void route_label(buf *b, int s)
{
	buf_puts(b, "route=\"");
	label(b, slot_name(s));
	buf_putc(b, '"');
}

void page_metrics(req *r)
{
	buf *b = &r->out;
	int nslots = MAX_ROUTES;
	buf_puts(b, "# HELP carecircle_http_requests_total HTTP requests by route pattern and status.\n"
	            "# TYPE carecircle_http_requests_total counter\n");
	for (int s = 0; s < nslots; s++)
		for (int k = 0; k < NSTATUS; k++) {
			unsigned long n = atomic_load_explicit(&counts[s][k], memory_order_relaxed);
			if (!n)
				continue;
			buf_puts(b, "carecircle_http_requests_total{");
			route_label(b, s);
			if (statuses[k])
				buf_printf(b, ",status=\"%d\"} %lu\n", statuses[k], n);
			else
				buf_printf(b, ",status=\"other\"} %lu\n", n);
		}
	buf_puts(b, "# HELP carecircle_http_request_duration_seconds Time from arrival to response done.\n"
	            "# TYPE carecircle_http_request_duration_seconds histogram\n");
	for (int s = 0; s < nslots; s++) {
		unsigned long total = 0, cum = 0;
		for (int k = 0; k < NBUCKETS; k++)
			total += atomic_load_explicit(&buckets[s][k], memory_order_relaxed);
		if (!total)
			continue;
		for (int k = 0; k < NBUCKETS; k++) {
			cum += atomic_load_explicit(&buckets[s][k], memory_order_relaxed);
			buf_puts(b, "carecircle_http_request_duration_seconds_bucket{");
			route_label(b, s);
			if (k < NBUCKETS - 1)
				buf_printf(b, ",le=\"%g\"} %lu\n", bucket_s[k], cum);
			else
				buf_printf(b, ",le=\"+Inf\"} %lu\n", cum);
		}
		buf_puts(b, "carecircle_http_request_duration_seconds_sum{");
		route_label(b, s);
		buf_printf(b, "} %.6f\n", (double)atomic_load_explicit(&sum_us[s], memory_order_relaxed) / 1e6);
		buf_puts(b, "carecircle_http_request_duration_seconds_count{");
		route_label(b, s);
		buf_printf(b, "} %lu\n", cum);
	}
	buf_printf(b,
	           "# HELP carecircle_http_requests_in_flight Requests being handled now.\n"
	           "# TYPE carecircle_http_requests_in_flight gauge\n"
	           "carecircle_http_requests_in_flight %d\n",
	           http_inflight());
	int open = 0, in_tx = 0;
	db_pool_stats(APP(r)->db, &open, &in_tx);
	buf_printf(b,
	           "# HELP carecircle_db_connections_open Database connections open (one per worker thread).\n"
	           "# TYPE carecircle_db_connections_open gauge\n"
	           "carecircle_db_connections_open %d\n"
	           "# HELP carecircle_db_connections_in_transaction Connections inside a transaction now.\n"
	           "# TYPE carecircle_db_connections_in_transaction gauge\n"
	           "carecircle_db_connections_in_transaction %d\n",
	           open, in_tx);
	dbc *c = db_conn(APP(r)->db);
	for (int i = 0; i < nhooks && c; i++) {
		int64_t v = 0;
		if (hook_fns[i](c, &v) < 0)
			continue;
		buf_printf(b, "# TYPE carecircle_%s gauge\ncarecircle_%s %lld\n", hook_names[i], hook_names[i],
		           (long long)v);
	}
	buf_printf(b, "# TYPE carecircle_up gauge\ncarecircle_up %d\n", c ? 1 : 0);
	r->status = 200;
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	res_header(r, "Cache-Control", "no-store");
}
