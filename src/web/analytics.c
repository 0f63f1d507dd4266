/* analytics.c: first-party page view counts per day, page kind and topic, and the admin page.
 * Only counts leave this file: no IP, cookie, user agent or user id is stored or logged. */
#include <pthread.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "model/pageviews.h"
#include "web/frontend.h"
#include "web/web.h"

enum { PV_SLOTS = 1024, PV_PROBE = 32, PV_TOPIC = 64, PV_DAYS = 30 };

struct pv_slot {
	int64_t day, n;
	const char *kind; /* a route pattern: static storage */
	char topic[PV_TOPIC];
};

static pthread_mutex_t pv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pv_slot pv[PV_SLOTS];

static bool is_robot(req *r)
{
	const char *ua = req_header(r, "User-Agent");
	if (!ua || !*ua)
		return true;
	static const char *const marks[] = {"bot", "crawl", "spider", "slurp", "lighthouse", "headless"};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strcasestr(ua, marks[i]))
			return true;
	return false;
}

static uint64_t pv_hash(int64_t day, const char *kind, const char *topic)
{
	uint64_t h = 1469598103934665603u ^ (uint64_t)day ^ (uint64_t)(uintptr_t)kind;
	for (const char *p = topic; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

void analytics_count(req *r, int status)
{
	if (status != 200 || r->method != M_GET || !r->route || is_robot(r))
		return;
	const char *topic = "";
	if (strncmp(r->route, "/{topic}", 8) == 0 && r->nparams > 0 && strlen(r->params[0]) < PV_TOPIC)
		topic = r->params[0];
	int64_t now = util_now();
	int64_t day = now - now % 86400;
	uint64_t h = pv_hash(day, r->route, topic);
	pthread_mutex_lock(&pv_lock);
	for (int i = 0; i < PV_PROBE; i++) {
		struct pv_slot *s = &pv[(h + (uint64_t)i) % PV_SLOTS];
		if (s->n && s->day == day && s->kind == r->route && strcmp(s->topic, topic) == 0) {
			s->n++;
			break;
		}
		if (!s->n) {
			s->day = day;
			s->kind = r->route;
			memcpy(s->topic, topic, strlen(topic) + 1);
			s->n = 1;
			break;
		}
	}
	pthread_mutex_unlock(&pv_lock);
}

void analytics_flush(db *d)
{
	static struct pv_slot batch[PV_SLOTS];
	static pthread_mutex_t flush_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&flush_lock);
	pthread_mutex_lock(&pv_lock);
	memcpy(batch, pv, sizeof pv);
	memset(pv, 0, sizeof pv);
	pthread_mutex_unlock(&pv_lock);
	bool any = false;
	for (int i = 0; i < PV_SLOTS && !any; i++)
		any = batch[i].n > 0;
	dbc *c = any ? db_conn(d) : NULL;
	if (c && db_begin(c) >= 0) {
		bool ok = true;
		for (int i = 0; i < PV_SLOTS && ok; i++)
			if (batch[i].n)
				ok = pageviews_add(c, batch[i].day, batch[i].kind, batch[i].topic, batch[i].n) >= 0;
		if (!ok) {
			db_rollback(c);
			log_warn("msg=\"page view counts not saved\"");
		} else if (db_commit(c) < 0) {
			log_warn("msg=\"page view counts not saved\"");
		}
	}
	pthread_mutex_unlock(&flush_lock);
}

/* Readable names for the route patterns that are pages. */
static const struct {
	const char *pattern, *name;
} kinds[] = {
	{"/", "Home"},
	{"/{topic}", "Topic page"},
	{"/{topic}/questions/{id}", "Question"},
	{"/{topic}/ask", "Ask a question"},
	{"/search", "Search"},
	{"/u/{username}", "Profile"},
	{"/login", "Log in"},
	{"/register", "Join"},
	{"/account", "Account"},
	{"/terms", "Terms of use"},
	{"/privacy", "Privacy"},
	{"/disclaimer", "Medical disclaimer"},
};

static const char *kind_name(const char *pattern)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].pattern, pattern) == 0)
			return kinds[i].name;
	return NULL;
}

void page_admin_analytics(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	int64_t now = util_now();
	int64_t since = now - now % 86400 - (int64_t)(PV_DAYS - 1) * 86400;
	pv_row *days, *ks, *ts;
	int nd = pageviews_by_day(c, r->a, since, &days);
	int nk = nd < 0 ? nd : pageviews_by_kind(c, r->a, since, &ks);
	int nt = nk < 0 ? nk : pageviews_by_topic(c, r->a, since, &ts);
	if (nt < 0) {
		web_db_error(r, nt);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_int(ctx, "days", PV_DAYS);
	int64_t total = 0;
	tval *dl = tv_childlist(ctx, "by_day");
	for (int i = 0; i < nd; i++) {
		tval *o = tv_push(dl);
		tv_str(o, "date", util_date(r->a, days[i].day));
		tv_strn(o, "iso", util_iso8601(r->a, days[i].day), 10);
		tv_int(o, "views", days[i].views);
		total += days[i].views;
	}
	tv_int(ctx, "total", total);
	tval *kl = tv_childlist(ctx, "by_kind");
	for (int i = 0; i < nk; i++) {
		tval *o = tv_push(kl);
		const char *name = kind_name(ks[i].key);
		tv_str(o, "name", name ? name : ks[i].key);
		tv_str(o, "route", ks[i].key);
		tv_int(o, "views", ks[i].views);
	}
	tval *tl = tv_childlist(ctx, "by_topic");
	for (int i = 0; i < nt; i++) {
		tval *o = tv_push(tl);
		tv_str(o, "slug", ts[i].key);
		tv_str(o, "name", ts[i].label);
		tv_int(o, "views", ts[i].views);
	}
	tval *cr = tv_child(ctx, "crumbs");
	tval *it = tv_push(tv_childlist(cr, "items"));
	tv_str(it, "name", "Page views");
	web_page(r, 200, "admin_analytics", ctx, "Page views");
}
