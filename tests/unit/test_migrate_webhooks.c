/* test_migrate_webhooks.c: migration 102 moves every webhook_deliveries row into the outbox
 * (pending ones stay due, delivered and failed ones keep their history) and drops the old table.
 * Runs on SQLite, and on PostgreSQL too when CARECIRCLE_TEST_PG is a URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines.h"
#include "core/arena.h"
#include "core/embedded.h"
#include "db/db.h"

static const char *sqlite_dir = "src/db/migrations/sqlite/", *pg_dir = "src/db/migrations/postgres/";

/* Applies the embedded migrations numbered below 102 by hand and records them, so the database
 * looks like one made before this change. */
static void migrate_to_101(dbc *c, const char *dir)
{
	assert_true(db_script(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	                         "applied_at BIGINT NOT NULL)") >= 0);
	static const dbq q_add = {"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 1)", NULL};
	size_t dl = strlen(dir);
	for (int64_t v = 1; v < 102; v++)
		for (const struct embedded_file *f = embedded_files; f->name; f++) {
			if (strncmp(f->name, dir, dl) != 0 || strtoll(f->name + dl, NULL, 10) != v)
				continue;
			if (db_script(c, f->data) < 0)
				fail_msg("%s: %s", f->name, db_errmsg(c));
			assert_true(db_exec(c, &q_add, DBP(dbi(v), dbs(f->name + dl))) >= 0);
		}
}

static const dbq q_hook = {
	"INSERT INTO webhooks (url, secret, events, created_at) VALUES ('http://127.0.0.1:9/h', 'whsec_x', "
	"'question.created', 1) RETURNING id",
	NULL};
static const dbq q_delivery = {
	"INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, next_attempt_at, "
	"last_http_status, last_error, created_at, delivered_at) VALUES ($1, 'question.created', $2, $3, $4, 50, $5, $6, "
	"40, $7)",
	NULL};
static const dbq q_moved = {
	"SELECT kind, to_addr, subject, body_text, status, attempts, next_at, http_status, last_error, "
	"COALESCE(sent_at, 0), webhook_id, message_id FROM outbox ORDER BY id",
	NULL};
static const dbq q_old = {"SELECT count(*) FROM webhook_deliveries", NULL};

static void check(const char *url_or_path, const char *dir)
{
	char err[512];
	db *d = db_open(url_or_path, "NORMAL", err, sizeof err);
	if (!d)
		fail_msg("db_open: %s", err);
	dbc *c = db_conn(d);
	if (strncmp(url_or_path, "postgres", 8) == 0)
		assert_true(db_script(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") >= 0);
	migrate_to_101(c, dir);
	arena *a = arena_new(0);
	dbrows r;
	assert_int_equal(db_query(c, &q_hook, DBNOP, a, &r), 1);
	int64_t hook = db_int(&r, 0, 0);
	assert_true(db_exec(c, &q_delivery, DBP(dbi(hook), dbs("{\"n\":1}"), dbs("pending"), dbi(0), dbi(0), dbs(""),
	                                        dbnull())) == 1);
	assert_true(db_exec(c, &q_delivery, DBP(dbi(hook), dbs("{\"n\":2}"), dbs("sending"), dbi(1), dbi(0),
	                                        dbs(""), dbnull())) == 1);
	assert_true(db_exec(c, &q_delivery, DBP(dbi(hook), dbs("{\"n\":3}"), dbs("done"), dbi(2), dbi(200), dbs(""),
	                                        dbi(60))) == 1);
	assert_true(db_exec(c, &q_delivery, DBP(dbi(hook), dbs("{\"n\":4}"), dbs("failed"), dbi(10), dbi(500),
	                                        dbs("the receiver answered HTTP 500"), dbnull())) == 1);

	int n = db_migrate(d, err, sizeof err);
	if (n < 0)
		fail_msg("db_migrate: %s", err);
	assert_true(n >= 1);
	assert_int_equal(db_query(c, &q_moved, DBNOP, a, &r), 4);
	static const char *const status[] = {"queued", "queued", "sent", "failed"};
	for (int i = 0; i < 4; i++) {
		assert_string_equal(db_text(&r, i, 0), "webhook");
		assert_string_equal(db_text(&r, i, 1), "http://127.0.0.1:9/h");
		assert_string_equal(db_text(&r, i, 2), "question.created");
		char body[16];
		snprintf(body, sizeof body, "{\"n\":%d}", i + 1);
		assert_string_equal(db_text(&r, i, 3), body);
		assert_string_equal(db_text(&r, i, 4), status[i]);
		assert_int_equal(db_int(&r, i, 6), 50);
		assert_int_equal(db_int(&r, i, 10), hook);
		assert_true(strncmp(db_text(&r, i, 11), "webhook-", 8) == 0);
	}
	assert_int_equal(db_int(&r, 2, 5), 2);
	assert_int_equal(db_int(&r, 2, 7), 200);
	assert_int_equal(db_int(&r, 2, 9), 60);
	assert_int_equal(db_int(&r, 3, 7), 500);
	assert_string_equal(db_text(&r, 3, 8), "the receiver answered HTTP 500");
	int rc;
	db_scalar(c, &q_old, DBNOP, 0, &rc);
	assert_true(rc < 0); /* the old table is gone */
	arena_free(a);
	db_close(d);
}

static void test_sqlite(void **state)
{
	(void)state;
	on_sqlite(check, sqlite_dir);
}

static void test_postgres(void **state)
{
	(void)state;
	on_postgres(check, pg_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_postgres),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
