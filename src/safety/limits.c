/* limits.c: fixed-window rate-limit counters in the rate_counts table. */
#include "safety/limits.h"

#include <sodium.h>

static const dbq q_hit = {
	"INSERT INTO rate_counts (bucket, client, window_start, n) VALUES ($1, $2, $3, 1) "
	"ON CONFLICT (bucket, client, window_start) DO UPDATE SET n = rate_counts.n + 1 RETURNING n",
	NULL};
static const dbq q_peek = {
	"SELECT n FROM rate_counts WHERE bucket = $1 AND client = $2 AND window_start = $3", NULL};
static const dbq q_report = {
	"UPDATE rate_counts SET reported = 1 WHERE bucket = $1 AND client = $2 AND window_start = $3 "
	"AND reported = 0",
	NULL};
static const dbq q_purge = {"DELETE FROM rate_counts WHERE window_start < $1", NULL};
static const dbq q_clear = {"DELETE FROM rate_counts WHERE bucket = $1 AND client = $2", NULL};

static int64_t window_of(int window, int64_t now)
{
	return window > 0 ? now - now % window : now;
}

int64_t limit_hit(dbc *c, const char *bucket, const char *client, int window, int64_t now)
{
	int rc = 0;
	int64_t n = db_scalar(c, &q_hit, DBP(dbs(bucket), dbs(client), dbi(window_of(window, now))), -1, &rc);
	if (rc < 0)
		return rc;
	/* Old windows are dead weight: drop them now and then. */
	if (randombytes_uniform(200) == 0)
		limit_purge(c, now - 2 * 86400);
	return n;
}

bool limit_hit_with(db_batch *b, const char *bucket, const char *client, int window, int64_t now, int64_t cap)
{
	return db_batch_add(b, &q_hit, DBP(dbs(bucket), dbs(client), dbi(window_of(window, now))), cap);
}

int64_t limit_peek(dbc *c, const char *bucket, const char *client, int window, int64_t now)
{
	int rc = 0;
	int64_t n = db_scalar(c, &q_peek, DBP(dbs(bucket), dbs(client), dbi(window_of(window, now))), 0, &rc);
	return rc < 0 ? rc : n;
}

bool limit_report_once(dbc *c, const char *bucket, const char *client, int window, int64_t now)
{
	return db_exec(c, &q_report, DBP(dbs(bucket), dbs(client), dbi(window_of(window, now)))) == 1;
}

int limit_purge(dbc *c, int64_t cutoff)
{
	return db_exec(c, &q_purge, DBP(dbi(cutoff)));
}

int limit_clear(dbc *c, const char *bucket, const char *client)
{
	return db_exec(c, &q_clear, DBP(dbs(bucket), dbs(client)));
}
