/* test_replica.c: --db-replica sends page reads to a streaming PostgreSQL replica, and the
 * person who just posted reads from the primary (read-your-own-writes). Replay on the
 * replica is paused during the test, so a read that reached it cannot see a new post. */
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"

static srv S;
static char primary_dir[128], replica_dir[128], primary_url[256], replica_url[256];

static int sql(const char *url, const char *q)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQexec(c, q);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s", q, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

/* Waits until the replica has replayed everything the primary has written so far. */
static int catch_up(void)
{
	PGconn *p = PQconnectdb(primary_url);
	PGresult *r = PQexec(p, "SELECT pg_current_wal_lsn()::text");
	char lsn[64] = "";
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		snprintf(lsn, sizeof lsn, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(p);
	PGconn *c = PQconnectdb(replica_url);
	int ok = -1;
	for (int i = 0; i < 200 && ok; i++) {
		const char *params[1] = {lsn};
		r = PQexecParams(c, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't')
			ok = 0;
		PQclear(r);
		if (ok)
			usleep(50 * 1000);
	}
	PQfinish(c);
	return ok;
}

static int setup(void **state)
{
	const char *src = getenv("CARECIRCLE_SRC");
	char cmd[600];
	snprintf(primary_dir, sizeof primary_dir, "/tmp/cc-primary.%d", (int)getpid());
	snprintf(replica_dir, sizeof replica_dir, "/tmp/cc-replica.%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "'%s/scripts/pg-cluster.sh' start %s", src ? src : ".", primary_dir);
	char *u = harness_sh(cmd);
	if (!u)
		return -1;
	snprintf(primary_url, sizeof primary_url, "%s", u);
	free(u);
	snprintf(cmd, sizeof cmd, "'%s/scripts/pg-cluster.sh' replica %s %s", src ? src : ".", primary_dir,
	         replica_dir);
	u = harness_sh(cmd);
	if (!u)
		return -1;
	snprintf(replica_url, sizeof replica_url, "%s", u);
	free(u);
	char extra[400];
	snprintf(extra, sizeof extra, "--db-replica=%s --replica-grace=60", replica_url);
	if (srv_start_db(&S, primary_url, NULL, extra) != 0 || srv_demo(&S) != 0)
		return -1;
	return catch_up();
}

static int teardown(void **state)
{
	int rc = srv_stop(&S);
	const char *src = getenv("CARECIRCLE_SRC");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "'%s/scripts/pg-cluster.sh' stop %s >/dev/null 2>&1; '%s/scripts/pg-cluster.sh' stop %s >/dev/null 2>&1",
	         src ? src : ".", replica_dir, src ? src : ".", primary_dir);
	int r2 = system(cmd);
	(void)r2;
	return rc == 0 ? 0 : -1;
}

static void test_read_your_own_writes(void **state)
{
	client *poster = client_new(&S), *reader = client_new(&S);
	assert_int_equal(login_as(poster, "tom_h", "demo-password-1"), 0);
	resp *r = http_get(poster, "/asthma/ask");
	char *tok = csrf_of(r);
	assert_int_equal(catch_up(), 0);
	/* From now on the replica lags: nothing new reaches it. */
	assert_int_equal(sql(replica_url, "SELECT pg_wal_replay_pause()"), 0);
	char *ct, *ca;
	captcha_solve(&S, r, &ct, &ca); /* a new member still gets a CAPTCHA */
	char *body = form("csrf", tok, "title", "Does cold air set off anyone else's asthma?", "body",
	                  "Every winter morning my chest goes tight on the walk to the bus.", "captcha_token", ct,
	                  "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(poster, "/asthma/ask", body);
	assert_int_equal(r->status, 303);
	char *url = strdup(r->location);
	/* The poster sees the question at once (reads go to the primary after a write)… */
	r = http_get(poster, url);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Does cold air set off anyone"));
	r = http_get(poster, "/asthma");
	assert_true(has(r, "Does cold air set off anyone"));
	/* …while another visitor reads from the paused replica and does not, yet. */
	r = http_get(reader, "/asthma");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "Does cold air set off anyone"));
	r = http_get(reader, url);
	assert_int_equal(r->status, 404);
	/* Once the replica catches up, everyone sees it. */
	assert_int_equal(sql(replica_url, "SELECT pg_wal_replay_resume()"), 0);
	assert_int_equal(catch_up(), 0);
	/* The guest page cache follows the replica's change log within a poll interval. */
	bool seen = false;
	for (int i = 0; i < 40 && !seen; i++) {
		seen = has(http_get(reader, "/asthma"), "Does cold air set off anyone");
		if (!seen)
			usleep(100 * 1000);
	}
	assert_true(seen);
	free(tok);
	free(body);
	free(url);
	client_free(poster);
	client_free(reader);
}

int main(void)
{
	if (!harness_pg()) {
		fprintf(stderr, "skipped: the replica test runs on PostgreSQL only\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_your_own_writes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
