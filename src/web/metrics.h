/* metrics.h: request counters, latency histograms and gauges for /metrics (Prometheus text). */
#ifndef CC_METRICS_H
#define CC_METRICS_H
#include <stdint.h>

#include "db/db.h"
#include "http/request.h"

/* Counts a finished request (the http_opts.done hook). Lock-free. */
void metrics_observe(req *r, double ms);
/* Registers a gauge read from the database at scrape time (e.g. "webhook_queue_depth");
 * call at start-up, before the server starts. At most 8. */
void metrics_gauge(const char *name, int (*fn)(dbc *c, int64_t *out));
/* GET /metrics */
void page_metrics(req *r);

#endif
