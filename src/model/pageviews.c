/* pageviews.c: page view counts per day, page kind and topic, added in batches. */
#include "model/pageviews.h"

static const dbq q_add = {
	"INSERT INTO page_views (day, kind, topic, views) VALUES ($1, $2, $3, $4) "
	"ON CONFLICT (day, kind, topic) DO UPDATE SET views = page_views.views + excluded.views",
	NULL};
static const dbq q_by_day = {
	"SELECT day, CAST(SUM(views) AS BIGINT) FROM page_views WHERE day >= $1 "
	"GROUP BY day ORDER BY day DESC",
	NULL};
static const dbq q_by_kind = {
	"SELECT kind, CAST(SUM(views) AS BIGINT) FROM page_views WHERE day >= $1 "
	"GROUP BY kind ORDER BY 2 DESC, kind",
	NULL};
static const dbq q_by_topic = {
	"SELECT p.topic, COALESCE(MAX(t.name), p.topic), CAST(SUM(p.views) AS BIGINT) "
	"FROM page_views p LEFT JOIN topics t ON t.slug = p.topic "
	"WHERE p.day >= $1 AND p.topic <> '' GROUP BY p.topic ORDER BY 3 DESC, p.topic",
	NULL};

int pageviews_add(dbc *c, int64_t day, const char *kind, const char *topic, int64_t n)
{
	return db_exec(c, &q_add, DBP(dbi(day), dbs(kind), dbs(topic), dbi(n)));
}

int pageviews_by_day(dbc *c, arena *a, int64_t since, pv_row **out)
{
	dbrows r;
	int rc = db_query(c, &q_by_day, DBP(dbi(since)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, pv_row, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].day = db_int(&r, i, 0);
		(*out)[i].views = db_int(&r, i, 1);
	}
	return rc;
}

int pageviews_by_kind(dbc *c, arena *a, int64_t since, pv_row **out)
{
	dbrows r;
	int rc = db_query(c, &q_by_kind, DBP(dbi(since)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, pv_row, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].key = db_text(&r, i, 0);
		(*out)[i].views = db_int(&r, i, 1);
	}
	return rc;
}

int pageviews_by_topic(dbc *c, arena *a, int64_t since, pv_row **out)
{
	dbrows r;
	int rc = db_query(c, &q_by_topic, DBP(dbi(since)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, pv_row, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].key = db_text(&r, i, 0);
		(*out)[i].label = db_text(&r, i, 1);
		(*out)[i].views = db_int(&r, i, 2);
	}
	return rc;
}
