/* test_migrate_data.c: `carecircle migrate-data` copies a SQLite site into PostgreSQL; the
 * copy serves the same pages, keeps logins working and refuses a non-empty target. */
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"

static int run(const char *from, const char *to, char *out, size_t outlen)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "'%s' migrate-data --from 'sqlite:%s' --to '%s' 2>&1",
	         getenv("CARECIRCLE_BIN"), from, to);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_copy_sqlite_to_postgres(void **state)
{
	/* A SQLite site with the demo and one more question from a guest. */
	setenv("CARECIRCLE_TEST_ENGINE", "sqlite", 1);
	srv lite, pg;
	assert_int_equal(srv_start(&lite, NULL), 0);
	setenv("CARECIRCLE_TEST_ENGINE", "postgres", 1);
	assert_int_equal(srv_demo(&lite), 0);
	client *c = client_new(&lite);
	resp *r = http_get(c, "/asthma/ask");
	char *tok = csrf_of(r);
	char *ct1, *ca1;
	captcha_solve(&lite, r, &ct1, &ca1);
	char *body = form("csrf", tok, "captcha_token", ct1, "captcha_answer", ca1, "title", "Migrated question with ünïcode — does it survive?", "body",
	                  "A body with quotes ' \" and <angle> brackets, long enough.", "action", "post", NULL);
	free(ct1);
	free(ca1);
	r = http_post(c, "/asthma/ask", body);
	assert_int_equal(r->status, 303);
	char *url = strdup(r->location);
	free(tok);
	free(body);
	/* A rating: the copy shows the same summary (the posts' rating sums are recounted). */
	r = http_get(c, url);
	assert_int_equal(r->status, 200);
	tok = csrf_of(r);
	char rate[160];
	snprintf(rate, sizeof rate, "/asthma/questions/%ld/rate", strtol(strstr(url, "/questions/") + 11, NULL, 10));
	body = form("csrf", tok, "stars", "4", NULL);
	r = http_post(c, rate, body);
	assert_int_equal(r->status, 303);
	client *other = client_new(&lite); /* a guest who has not rated */
	r = http_get(other, url);
	assert_true(has(r, "4.0 out of 5"));
	client_free(other);
	client_free(c);
	free(tok);
	free(body);

	/* Copy while the SQLite site is still running (WAL readers do not block). */
	char *target = harness_pg_new_db();
	assert_non_null(target);
	char out[8192];
	assert_int_equal(run(lite.db, target, out, sizeof out), 0);
	assert_non_null(strstr(out, "row counts verified"));
	assert_non_null(strstr(out, "questions"));
	/* A second copy into the same, now full, database is refused. */
	assert_int_not_equal(run(lite.db, target, out, sizeof out), 0);
	assert_non_null(strstr(out, "not empty"));

	/* The PostgreSQL copy serves the same site: pages, search, and the copied logins. */
	assert_int_equal(srv_start_db(&pg, target, &lite, NULL), 0);
	client *p = client_new(&pg);
	r = http_get(p, url);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Migrated question with ünïcode — does it survive?"));
	assert_true(has(r, "&lt;angle&gt;"));
	assert_true(has(r, "4.0 out of 5"));
	assert_true(has(r, "(1 rating)"));
	r = http_get(p, "/hemifacial-spasm");
	assert_true(has(r, "Hemifacial Spasm"));
	r = http_get(p, "/search?q=survive");
	assert_true(has(r, "Migrated question"));
	assert_int_equal(login_as(p, "zoe_m", "demo-password-1"), 0);
	/* New rows get fresh ids after the copied ones (sequences were moved). */
	r = http_get(p, "/asthma/ask");
	tok = csrf_of(r);
	char *ct2, *ca2;
	captcha_solve(&lite, r, &ct2, &ca2);
	body = form("csrf", tok, "captcha_token", ct2, "captcha_answer", ca2, "title", "A question written after the move to PostgreSQL", "body",
	            "Written on the new database, after migrate-data.", "action", "post", NULL);
	free(ct2);
	free(ca2);
	r = http_post(p, "/asthma/ask", body);
	assert_int_equal(r->status, 303);
	client_free(p);
	free(tok);
	free(body);
	assert_int_equal(srv_stop(&pg), 0);
	assert_int_equal(srv_stop(&lite), 0);
	free(url);
	free(target);
}

int main(void)
{
	if (!harness_pg()) {
		fprintf(stderr, "skipped: migrate-data needs PostgreSQL\n");
		return 77;
	}
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_sqlite_to_postgres),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
