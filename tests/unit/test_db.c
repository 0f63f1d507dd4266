/* test_db.c: the db interface on SQLite, and on PostgreSQL too when CARECIRCLE_TEST_PG is a URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "model/search.h"

struct fixture {
	const char *url; /* postgres:// URL; NULL for a temporary SQLite file */
	char dir[64];    /* the SQLite file's temporary folder */
	char path[128];
	db *d;
	dbc *c;
	arena *a;
	int first_migrate;
};

/* Fails the test with the engine's message when rc is an error. */
#define assert_ok(f, rc)                                                                   \
	do {                                                                                   \
		int rc_ = (rc);                                                                    \
		if (rc_ < 0)                                                                       \
			fail_msg("%s: %s failed with %d: %s", db_engine_name((f)->d), #rc, rc_,        \
			         db_errmsg((f)->c));                                                   \
	} while (0)

static const dbq q_test_table = {
	"CREATE TABLE IF NOT EXISTS test_values (k TEXT PRIMARY KEY, n BIGINT, r DOUBLE PRECISION, "
	"t TEXT, b BYTEA)",
	NULL};
static const char *clear_sql =
	"DELETE FROM test_values; DELETE FROM sessions; DELETE FROM drafts; DELETE FROM answers; "
	"DELETE FROM questions; DELETE FROM topics; DELETE FROM users; DELETE FROM settings;";

static const dbq q_put = {"INSERT INTO test_values (k, n, r, t, b) VALUES ($1, $2, $3, $4, $5)", NULL};
static const dbq q_get = {"SELECT k, n, r, t, b FROM test_values WHERE k = $1", NULL};
static const dbq q_count = {"SELECT count(*) FROM test_values", NULL};
static const dbq q_add_user = {
	"INSERT INTO users (username, email, pass_hash, display_name, created_at) "
	"VALUES ($1, $2, 'x', $1, $3) RETURNING id",
	NULL};

/* Group setup and teardown. */

static int open_and_migrate(struct fixture *f)
{
	char err[512];
	f->d = db_open(f->url ? f->url : f->path, "NORMAL", err, sizeof err);
	if (!f->d) {
		fprintf(stderr, "db_open: %s\n", err);
		return -1;
	}
	f->c = db_conn(f->d);
	if (f->url && db_script(f->c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") < 0) {
		fprintf(stderr, "reset schema: %s\n", db_errmsg(f->c));
		return -1;
	}
	f->first_migrate = db_migrate(f->d, err, sizeof err);
	if (f->first_migrate < 0) {
		fprintf(stderr, "db_migrate: %s\n", err);
		return -1;
	}
	if (db_exec(f->c, &q_test_table, DBNOP) < 0) {
		fprintf(stderr, "create test_values: %s\n", db_errmsg(f->c));
		return -1;
	}
	return 0;
}

static int group_setup_sqlite(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	snprintf(f.dir, sizeof f.dir, "/tmp/cc-test-db-XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.path, sizeof f.path, "%s/test.db", f.dir);
	*state = &f;
	return open_and_migrate(&f);
}

static int group_setup_pg(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	f.url = getenv("CARECIRCLE_TEST_PG");
	*state = &f;
	return open_and_migrate(&f);
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	db_close(f->d);
	if (!f->url && f->dir[0]) {
		static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
		char p[160];
		for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
			snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
			unlink(p);
		}
		rmdir(f->dir);
	}
	return 0;
}

static int test_setup(void **state)
{
	struct fixture *f = *state;
	f->a = arena_new(0);
	return db_script(f->c, clear_sql) < 0 ? -1 : 0;
}

static int test_teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->a);
	f->a = NULL;
	return 0;
}

static int64_t add_user(struct fixture *f, const char *name)
{
	char email[128];
	snprintf(email, sizeof email, "%s@example.org", name);
	dbrows r;
	assert_ok(f, db_query(f->c, &q_add_user, DBP(dbs(name), dbs(email), dbi(1700000000)), f->a, &r));
	assert_int_equal(r.n, 1);
	return db_int(&r, 0, 0);
}

static int64_t count_values(struct fixture *f)
{
	int rc;
	int64_t n = db_scalar(f->c, &q_count, DBNOP, -1, &rc);
	assert_ok(f, rc);
	return n;
}

/* Tests. */

static void test_migrate_idempotent(void **state)
{
	struct fixture *f = *state;
	char err[512];
	assert_true(f->first_migrate >= 1);
	int rc = db_migrate(f->d, err, sizeof err);
	if (rc < 0)
		fail_msg("second migrate: %s", err);
	assert_int_equal(rc, 0);
	static const dbq q = {"SELECT count(*) FROM schema_migrations", NULL};
	int qrc;
	assert_int_equal(db_scalar(f->c, &q, DBNOP, -1, &qrc), f->first_migrate);
}

static void test_types_round_trip(void **state)
{
	struct fixture *f = *state;
	static const unsigned char blob[] = {0, 1, 2, 0xff, 0, '\\', 'x', 0x80};
	assert_int_equal(
		db_exec(f->c, &q_put,
	            DBP(dbs("a"), dbi(INT64_MAX), dbreal(-2.5), dbnull(), dbblob(blob, sizeof blob))),
		1);
	assert_int_equal(
		db_exec(f->c, &q_put, DBP(dbs("b"), dbi(INT64_MIN), dbreal(1e-300), dbs(""), dbblob("", 0))),
		1);

	dbrows r;
	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("a")), f->a, &r), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.cols, 5);
	assert_int_equal(db_cell(&r, 0, 0)->t, DBT_TEXT);
	assert_string_equal(db_text(&r, 0, 0), "a");
	assert_int_equal(db_cell(&r, 0, 1)->t, DBT_INT);
	assert_true(db_int(&r, 0, 1) == INT64_MAX);
	assert_int_equal(db_cell(&r, 0, 2)->t, DBT_REAL);
	assert_true(db_real(&r, 0, 2) == -2.5);
	assert_true(db_isnull(&r, 0, 3));
	assert_string_equal(db_text(&r, 0, 3), "");
	assert_int_equal(db_int(&r, 0, 3), 0);
	const dbv *b = db_cell(&r, 0, 4);
	assert_int_equal(b->t, DBT_BLOB);
	assert_int_equal(b->n, sizeof blob);
	assert_memory_equal(b->s, blob, sizeof blob);

	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("b")), f->a, &r), 1);
	assert_true(db_int(&r, 0, 1) == INT64_MIN);
	assert_true(db_real(&r, 0, 2) == 1e-300);
	assert_int_equal(db_cell(&r, 0, 3)->t, DBT_TEXT);
	assert_string_equal(db_text(&r, 0, 3), "");
	assert_false(db_isnull(&r, 0, 4));
	assert_int_equal(db_cell(&r, 0, 4)->n, 0);

	/* Literals: numeric and boolean results become REAL and INT on both engines. */
	static const dbq q_lit = {"SELECT 2.5, 1 = 1, 7, 'seven'", NULL};
	assert_int_equal(db_query(f->c, &q_lit, DBNOP, f->a, &r), 1);
	assert_true(db_real(&r, 0, 0) == 2.5);
	assert_int_equal(db_cell(&r, 0, 1)->t, DBT_INT);
	assert_int_equal(db_int(&r, 0, 1), 1);
	assert_int_equal(db_cell(&r, 0, 2)->t, DBT_INT);
	assert_int_equal(db_int(&r, 0, 2), 7);
	assert_string_equal(db_text(&r, 0, 3), "seven");
}

static void test_utf8_text(void **state)
{
	struct fixture *f = *state;
	const char *s = "h\xc3\xa9llo \xe2\x80\x94 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
	                "\xf0\x9f\x99\x82 <script>'\"&";
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("u"), dbnull(), dbnull(), dbs(s), dbnull())), 1);
	dbrows r;
	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("u")), f->a, &r), 1);
	assert_string_equal(db_text(&r, 0, 3), s);
	assert_int_equal(db_cell(&r, 0, 3)->n, strlen(s));
	/* Both engines count characters, not bytes. */
	static const dbq q_len = {"SELECT length(t) FROM test_values WHERE k = $1", NULL};
	int rc;
	assert_int_equal(db_scalar(f->c, &q_len, DBP(dbs("u")), -1, &rc), 27);
	/* Found again when the key itself is non-ASCII. */
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs(s), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(db_query(f->c, &q_get, DBP(dbs(s)), f->a, &r), 1);
	assert_string_equal(db_text(&r, 0, 0), s);
}

static void test_parameter_order_and_reuse(void **state)
{
	struct fixture *f = *state;
	/* $2 before $1, and $2 twice. */
	static const dbq q_ins = {"INSERT INTO test_values (k, n, t) VALUES ($2, $1, $2)", NULL};
	assert_int_equal(db_exec(f->c, &q_ins, DBP(dbi(41), dbs("key"))), 1);
	dbrows r;
	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("key")), f->a, &r), 1);
	assert_int_equal(db_int(&r, 0, 1), 41);
	assert_string_equal(db_text(&r, 0, 3), "key");

	static const dbq q_two = {"SELECT k FROM test_values WHERE n = $1 OR n = $1 + 100 OR t = $2",
	                          NULL};
	assert_int_equal(db_query(f->c, &q_two, DBP(dbi(41), dbs("none")), f->a, &r), 1);
	assert_string_equal(db_text(&r, 0, 0), "key");
	assert_int_equal(db_query(f->c, &q_two, DBP(dbi(-59), dbs("none")), f->a, &r), 1);
	assert_int_equal(db_query(f->c, &q_two, DBP(dbi(0), dbs("key")), f->a, &r), 1);
	assert_int_equal(db_query(f->c, &q_two, DBP(dbi(0), dbs("none")), f->a, &r), 0);

	/* Parameters past the last one used are ignored; a missing one is an error. */
	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("key"), dbi(5)), f->a, &r), 1);
	assert_int_equal(db_query(f->c, &q_two, DBP(dbi(41)), f->a, &r), DB_ERR);
}

static void test_same_query_other_types(void **state)
{
	struct fixture *f = *state;
	static const dbq q_echo = {"SELECT $1", NULL};
	dbrows r;
	assert_int_equal(db_query(f->c, &q_echo, DBP(dbi(5)), f->a, &r), 1);
	assert_int_equal(db_int(&r, 0, 0), 5);
	assert_int_equal(db_query(f->c, &q_echo, DBP(dbs("abc")), f->a, &r), 1);
	assert_string_equal(db_text(&r, 0, 0), "abc");
	assert_int_equal(db_query(f->c, &q_echo, DBP(dbnull()), f->a, &r), 1);
	assert_true(db_isnull(&r, 0, 0));
	assert_int_equal(db_query(f->c, &q_echo, DBP(dbi(6)), f->a, &r), 1);
	assert_int_equal(db_cell(&r, 0, 0)->t, DBT_INT);
	assert_int_equal(db_int(&r, 0, 0), 6);
}

struct each_ctx {
	int calls;
	int64_t sum;
	int stop_after;
	size_t blob_bytes;
};

static int each_cb(void *ctx, const dbv *row, int cols)
{
	struct each_ctx *e = ctx;
	assert_int_equal(cols, 3);
	assert_int_equal(row[0].t, DBT_TEXT);
	e->calls++;
	e->sum += row[1].i;
	if (row[2].t == DBT_BLOB) {
		assert_int_equal(row[2].n, 3);
		assert_memory_equal(row[2].s, "\0z\0", 3);
		e->blob_bytes += row[2].n;
	}
	return e->stop_after && e->calls >= e->stop_after;
}

static void test_query_exec_each_scalar(void **state)
{
	struct fixture *f = *state;
	for (int i = 1; i <= 40; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%02d", i);
		assert_int_equal(
			db_exec(f->c, &q_put, DBP(dbs(k), dbi(i), dbnull(), dbnull(), dbblob("\0z\0", 3))), 1);
	}
	assert_int_equal(count_values(f), 40);

	static const dbq q_all = {"SELECT k, n, b FROM test_values ORDER BY n", NULL};
	dbrows r;
	assert_int_equal(db_query(f->c, &q_all, DBNOP, f->a, &r), 40);
	assert_int_equal(r.n, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(db_int(&r, i, 1), i + 1);
	assert_string_equal(db_text(&r, 39, 0), "k40");

	struct each_ctx e = {0};
	assert_int_equal(db_each(f->c, &q_all, DBNOP, each_cb, &e), 40);
	assert_int_equal(e.calls, 40);
	assert_int_equal(e.sum, 40 * 41 / 2);
	assert_int_equal(e.blob_bytes, 120);
	e = (struct each_ctx){.stop_after = 3};
	assert_int_equal(db_each(f->c, &q_all, DBNOP, each_cb, &e), 3);
	assert_int_equal(e.sum, 6);

	static const dbq q_bump = {"UPDATE test_values SET n = n + $1 WHERE n > $2", NULL};
	assert_int_equal(db_exec(f->c, &q_bump, DBP(dbi(100), dbi(30))), 10);
	assert_int_equal(db_exec(f->c, &q_bump, DBP(dbi(100), dbi(1000))), 0);
	static const dbq q_del = {"DELETE FROM test_values WHERE n > $1", NULL};
	assert_int_equal(db_exec(f->c, &q_del, DBP(dbi(100))), 10);

	static const dbq q_n = {"SELECT n FROM test_values WHERE k = $1", NULL};
	int rc = 99;
	assert_int_equal(db_scalar(f->c, &q_n, DBP(dbs("k07")), -1, &rc), 7);
	assert_int_equal(rc, 1);
	assert_int_equal(db_scalar(f->c, &q_n, DBP(dbs("missing")), -1, &rc), -1);
	assert_int_equal(rc, 0);
	static const dbq q_null = {"SELECT t FROM test_values WHERE k = $1", NULL};
	assert_int_equal(db_scalar(f->c, &q_null, DBP(dbs("k07")), -7, &rc), -7);
	assert_int_equal(rc, 1);

	assert_int_equal(db_query(f->c, &q_get, DBP(dbs("missing")), f->a, &r), 0);
	assert_int_equal(r.n, 0);
}

static void test_schema_and_search(void **state)
{
	struct fixture *f = *state;
	int64_t uid = add_user(f, "ada");
	assert_true(uid > 0);
	static const dbq q_topic = {
		"INSERT INTO topics (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id", NULL};
	dbrows r;
	assert_int_equal(db_query(f->c, &q_topic, DBP(dbs("sleep"), dbs("Sleep"), dbi(1)), f->a, &r), 1);
	int64_t tid = db_int(&r, 0, 0);
	static const dbq q_question = {
		"INSERT INTO questions (topic_id, user_id, title, slug, body_md, body_html, created_at, "
		"terms_accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
		NULL};
	assert_int_equal(db_query(f->c, &q_question,
	                          DBP(dbi(tid), dbi(uid), dbs("Insomnia after surgery"),
	                              dbs("insomnia-after-surgery"), dbs("I cannot sleep at night."),
	                              dbs("<p>I cannot sleep at night.</p>"), dbi(2)),
	                          f->a, &r),
	                 1);
	int64_t qid = db_int(&r, 0, 0);

	static const dbq q_search = {
		"SELECT q.id FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid "
		"WHERE questions_fts MATCH $1",
		"SELECT id FROM question_search WHERE search @@ plainto_tsquery('english', $1)"};
	int rc;
	assert_int_equal(db_scalar(f->c, &q_search, DBP(dbs("sleeping")), -1, &rc), qid);
	assert_int_equal(db_scalar(f->c, &q_search, DBP(dbs("surgery")), -1, &rc), qid);
	assert_int_equal(db_scalar(f->c, &q_search, DBP(dbs("unrelated")), -1, &rc), -1);
	assert_int_equal(rc, 0);

	/* Deleting the user keeps the question (ON DELETE SET NULL). */
	static const dbq q_del_user = {"DELETE FROM users WHERE id = $1", NULL};
	assert_int_equal(db_exec(f->c, &q_del_user, DBP(dbi(uid))), 1);
	static const dbq q_owner = {"SELECT user_id FROM questions WHERE id = $1", NULL};
	assert_int_equal(db_query(f->c, &q_owner, DBP(dbi(qid)), f->a, &r), 1);
	assert_true(db_isnull(&r, 0, 0));

	/* An answer's words are searchable while it is published: on PostgreSQL answer_search follows
	 * its text, status and question (migration 143); SQLite's answers_fts follows the text and the
	 * search joins the status. */
	static const dbq q_answer = {
		"INSERT INTO answers (question_id, body_md, body_html, created_at, terms_accepted_at, status) "
		"VALUES ($1, $2, $2, 3, 3, $3) RETURNING id",
		NULL};
	static const dbq q_found = {
		"SELECT a.id FROM answers_fts JOIN answers a ON a.id = answers_fts.rowid "
		"WHERE answers_fts MATCH $1 AND a.status = 'published'",
		"SELECT id FROM answer_search WHERE search @@ to_tsquery('english', $1)"};
	static const dbq q_status = {"UPDATE answers SET status = $2 WHERE id = $1", NULL};
	static const dbq q_body = {"UPDATE answers SET body_md = $2 WHERE id = $1", NULL};
	static const dbq q_del_answer = {"DELETE FROM answers WHERE id = $1", NULL};
	assert_int_equal(db_query(f->c, &q_answer, DBP(dbi(qid), dbs("Melatonin helped my blood pressure."), dbs("published")),
	                          f->a, &r),
	                 1);
	int64_t aid = db_int(&r, 0, 0);
	bool pg = db_conn_is_postgres(f->c);
	/* SQLite queues a new answer for the index (migration 146); searching indexes the queue. */
	assert_int_equal(search_index_queued(f->c, 100), pg ? 0 : 1);
	const char *phrase = pg ? "blood <-> pressure" : "\"blood pressure\"";
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("melatonin")), -1, &rc), aid);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs(phrase)), -1, &rc), aid);
	if (pg) {
		/* The pair lexeme of two neighbouring words is there too. */
		static const dbq q_pair = {"SELECT 0", "SELECT id FROM answer_search WHERE search @@ 'blood_pressur'::tsquery"};
		assert_int_equal(db_scalar(f->c, &q_pair, NULL, 0, -1, &rc), aid);
	}
	assert_int_equal(db_exec(f->c, &q_status, DBP(dbi(aid), dbs("hidden"))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("melatonin")), -1, &rc), -1);
	assert_int_equal(db_exec(f->c, &q_status, DBP(dbi(aid), dbs("published"))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("melatonin")), -1, &rc), aid);
	assert_int_equal(db_exec(f->c, &q_body, DBP(dbi(aid), dbs("Valerian tea instead."))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("melatonin")), -1, &rc), -1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("valerian")), -1, &rc), aid);
	assert_int_equal(db_exec(f->c, &q_del_answer, DBP(dbi(aid))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("valerian")), -1, &rc), -1);
	/* A held answer is not found until it is published. */
	assert_int_equal(db_query(f->c, &q_answer, DBP(dbi(qid), dbs("Chamomile works for me."), dbs("held")), f->a, &r), 1);
	aid = db_int(&r, 0, 0);
	assert_int_equal(search_index_queued(f->c, 100), pg ? 0 : 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("chamomile")), -1, &rc), -1);
	assert_int_equal(db_exec(f->c, &q_status, DBP(dbi(aid), dbs("published"))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("chamomile")), -1, &rc), aid);
	assert_true(rc >= 0);
	if (pg)
		return;
	/* Edited or deleted while still queued: indexing takes the text as it is then, and the index
	 * never holds words of a row it was not given (FTS5's own check compares it with answers). */
	assert_int_equal(db_query(f->c, &q_answer, DBP(dbi(qid), dbs("Lavender oil at night."), dbs("published")), f->a, &r), 1);
	int64_t edited = db_int(&r, 0, 0);
	assert_int_equal(db_exec(f->c, &q_body, DBP(dbi(edited), dbs("Rosemary oil at night."))), 1);
	assert_int_equal(db_query(f->c, &q_answer, DBP(dbi(qid), dbs("Peppermint before bed."), dbs("published")), f->a, &r), 1);
	assert_int_equal(db_exec(f->c, &q_del_answer, DBP(dbi(db_int(&r, 0, 0)))), 1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("rosemary")), -1, &rc), -1); /* not yet */
	assert_int_equal(search_index_queued(f->c, 100), 1);
	assert_int_equal(search_index_queued(f->c, 100), 0);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("rosemary")), -1, &rc), edited);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("lavender")), -1, &rc), -1);
	assert_int_equal(db_scalar(f->c, &q_found, DBP(dbs("peppermint")), -1, &rc), -1);
	static const dbq q_check = {"INSERT INTO answers_fts (answers_fts) VALUES ('integrity-check')", NULL};
	assert_true(db_exec(f->c, &q_check, DBNOP) >= 0);
}

static void test_constraints(void **state)
{
	struct fixture *f = *state;
	add_user(f, "bob");
	dbrows r;
	assert_int_equal(db_query(f->c, &q_add_user, DBP(dbs("bob"), dbs("other@example.org"), dbi(1)),
	                          f->a, &r),
	                 DB_CONSTRAINT);
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("dup"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("dup"), dbi(2), dbnull(), dbnull(), dbnull())),
	                 DB_CONSTRAINT);
	/* Foreign key and CHECK. */
	static const dbq q_session = {
		"INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen) "
		"VALUES ($1, $2, 0, 0, 0)",
		NULL};
	assert_int_equal(db_exec(f->c, &q_session, DBP(dbs("t"), dbi(999999))), DB_CONSTRAINT);
	static const dbq q_role = {"UPDATE users SET role = $1 WHERE username = $2", NULL};
	assert_int_equal(db_exec(f->c, &q_role, DBP(dbs("emperor"), dbs("bob"))), DB_CONSTRAINT);
	assert_int_equal(db_exec(f->c, &q_role, DBP(dbs("guide"), dbs("bob"))), 1);
	/* Nothing was half-written and the connection still works. */
	assert_int_equal(count_values(f), 1);
	static const dbq q_bad = {"SELECT nope FROM nowhere", NULL};
	assert_int_equal(db_exec(f->c, &q_bad, DBNOP), DB_ERR);
	assert_true(strlen(db_errmsg(f->c)) > 0);
	assert_int_equal(count_values(f), 1);
	assert_true(strlen(db_strerror(DB_CONSTRAINT)) > 0);
}

static void test_nested_transactions(void **state)
{
	struct fixture *f = *state;
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("outer"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("inner"), dbi(2), dbnull(), dbnull(), dbnull())), 1);
	db_rollback(f->c);
	assert_true(db_commit(f->c) < 0);
	assert_int_equal(count_values(f), 0);

	/* Both levels committing writes both rows. */
	assert_ok(f, db_begin(f->c));
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("inner"), dbi(2), dbnull(), dbnull(), dbnull())), 1);
	assert_ok(f, db_commit(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("outer"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_ok(f, db_commit(f->c));
	assert_int_equal(count_values(f), 2);
	assert_int_equal(db_commit(f->c), DB_ERR); /* no transaction open */
}

static void test_failed_statement_fails_commit(void **state)
{
	struct fixture *f = *state;
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("x"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("x"), dbi(2), dbnull(), dbnull(), dbnull())),
	                 DB_CONSTRAINT);
	assert_true(db_commit(f->c) < 0);
	assert_int_equal(count_values(f), 0);
	/* The next transaction starts clean. */
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("x"), dbi(3), dbnull(), dbnull(), dbnull())), 1);
	assert_ok(f, db_commit(f->c));
	assert_int_equal(count_values(f), 1);
}

static void test_statement_outlives_rollback(void **state)
{
	struct fixture *f = *state;
	/* First prepared inside a transaction that rolls back: the cached statement stays usable. */
	static const dbq q_first = {"SELECT count(*) FROM test_values WHERE n >= $1", NULL};
	int rc;
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_scalar(f->c, &q_first, DBP(dbi(0)), -1, &rc), 0);
	db_rollback(f->c);
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("r"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(db_scalar(f->c, &q_first, DBP(dbi(0)), -1, &rc), 1);
	assert_int_equal(rc, 1);
}

static int tx_insert_two(dbc *c, void *ctx)
{
	int *should_fail = ctx;
	int rc = db_exec(c, &q_put, DBP(dbs("tx1"), dbi(1), dbnull(), dbnull(), dbnull()));
	if (rc >= 0)
		rc = db_exec(c, &q_put, DBP(dbs("tx2"), dbi(2), dbnull(), dbnull(), dbnull()));
	if (rc < 0)
		return rc;
	return *should_fail ? DB_ERR : 2;
}

static void test_db_tx(void **state)
{
	struct fixture *f = *state;
	int should_fail = 1;
	assert_int_equal(db_tx(f->c, tx_insert_two, &should_fail), DB_ERR);
	assert_int_equal(count_values(f), 0);
	should_fail = 0;
	assert_int_equal(db_tx(f->c, tx_insert_two, &should_fail), 2);
	assert_int_equal(count_values(f), 2);
	/* A constraint failure is not retried and leaves nothing behind. */
	assert_int_equal(db_tx(f->c, tx_insert_two, &should_fail), DB_CONSTRAINT);
	assert_int_equal(count_values(f), 2);
	assert_int_equal(db_commit(f->c), DB_ERR); /* no transaction left open */
}

/* A batch runs inside the caller's transaction: over its cap, everything rolls back together. */
static const dbq q_bump = {
	"INSERT INTO test_values (k, n) VALUES ('counter', 1) "
	"ON CONFLICT (k) DO UPDATE SET n = test_values.n + 1 RETURNING n",
	NULL};

struct batch_ctx {
	const db_batch *b;
	int i;
};

static int tx_with_batch(dbc *c, void *ctx)
{
	struct batch_ctx *x = ctx;
	int rc = db_batch_run(c, x->b);
	if (rc < 0)
		return rc;
	char *k = x->i == 1 ? "post-1" : x->i == 2 ? "post-2" : "post-3";
	return db_exec(c, &q_put, DBP(dbs(k), dbi(x->i), dbnull(), dbnull(), dbnull()));
}

static void test_batch_with_cap(void **state)
{
	struct fixture *f = *state;
	db_batch b = {0};
	assert_true(db_batch_add(&b, &q_bump, DBNOP, 2));
	static const dbq q_counter = {"SELECT n FROM test_values WHERE k = 'counter'", NULL};
	int rc;
	for (int i = 1; i <= 3; i++) {
		struct batch_ctx x = {&b, i};
		rc = db_tx(f->c, tx_with_batch, &x);
		if (i <= 2)
			assert_int_equal(rc, 1);
		else
			assert_int_equal(rc, DB_OVER); /* the third is over the cap of 2 */
	}
	/* The refused one left neither its post nor its count. */
	assert_int_equal(count_values(f), 3); /* counter, post-1, post-2 */
	assert_int_equal(db_scalar(f->c, &q_counter, DBNOP, -1, &rc), 2);
	/* A full batch says so instead of dropping statements. */
	db_batch full = {0};
	for (int i = 0; i < DB_BATCH_MAX; i++)
		assert_true(db_batch_add(&full, &q_count, DBNOP, 0));
	assert_false(db_batch_add(&full, &q_count, DBNOP, 0));
	assert_int_equal(db_batch_run(f->c, NULL), 0);
}

/* Reads in a snapshot see one moment; a write on the connection ends it, and then the reads
 * see everything committed, the connection's own write included. */
static void *writer_thread(void *p)
{
	db *d = p;
	dbc *c = db_conn(d);
	if (c) {
		db_exec(c, &q_put, DBP(dbs("other"), dbi(1), dbnull(), dbnull(), dbnull()));
		db_conn_release(d);
	}
	return NULL;
}

static void test_snapshot(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("before"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	db_snapshot_begin(f->c);
	assert_int_equal(count_values(f), 1);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, writer_thread, f->d), 0);
	pthread_join(th, NULL);
	/* SQLite: still the snapshot's moment; PostgreSQL has no snapshot here and sees it. */
	assert_int_equal(count_values(f), db_conn_is_postgres(f->c) ? 2 : 1);
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("mine"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(count_values(f), 3);
	db_snapshot_end(f->c);
	db_snapshot_end(f->c); /* twice is harmless */
	assert_int_equal(count_values(f), 3);
	/* A transaction after a snapshot is a real one. */
	db_snapshot_begin(f->c);
	assert_int_equal(count_values(f), 3);
	int fail = 0;
	assert_int_equal(db_tx(f->c, tx_insert_two, &fail), 2);
	assert_int_equal(count_values(f), 5);
	db_snapshot_end(f->c);
	assert_int_equal(db_commit(f->c), DB_ERR); /* nothing left open */
}

struct thread_ctx {
	db *d;
	dbc *main_conn;
	int64_t seen;
	bool other_conn;
};

static void *thread_main(void *p)
{
	struct thread_ctx *t = p;
	dbc *c = db_conn(t->d);
	if (c) {
		t->other_conn = c != t->main_conn;
		int rc;
		t->seen = db_scalar(c, &q_count, DBNOP, -1, &rc);
		db_conn_release(t->d);
	}
	return NULL;
}

static void test_connection_per_thread(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("t"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_ptr_equal(db_conn(f->d), f->c);
	struct thread_ctx t = {.d = f->d, .main_conn = f->c, .seen = -1};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, thread_main, &t), 0);
	pthread_join(th, NULL);
	assert_true(t.other_conn);
	assert_int_equal(t.seen, 1);
}

static void test_pg_reconnect(void **state)
{
	struct fixture *f = *state;
	if (!f->url)
		skip();
	static const dbq q_kill = {"SELECT pg_terminate_backend(pg_backend_pid())", NULL};
	static const dbq q_one = {"SELECT 1", NULL};
	int rc;
	assert_int_equal(db_scalar(f->c, &q_one, DBNOP, -1, &rc), 1);
	assert_true(db_exec(f->c, &q_kill, DBNOP) < 0);
	/* The engine reset the connection; cached statements are prepared again. */
	assert_int_equal(db_scalar(f->c, &q_one, DBNOP, -1, &rc), 1);
	assert_int_equal(count_values(f), 0);
	/* Lost inside a transaction: the transaction fails, the next one works. */
	assert_ok(f, db_begin(f->c));
	assert_true(db_exec(f->c, &q_kill, DBNOP) < 0);
	assert_true(db_exec(f->c, &q_put, DBP(dbs("x"), dbi(1), dbnull(), dbnull(), dbnull())) < 0);
	assert_true(db_commit(f->c) < 0);
	assert_int_equal(db_commit(f->c), DB_ERR); /* no transaction left open */
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("x"), dbi(1), dbnull(), dbnull(), dbnull())), 1);
	assert_int_equal(count_values(f), 1);
}

struct lock_ctx {
	db *d;
	int rc;
};

static const dbq q_lock_row = {"SELECT k FROM test_values WHERE k = $1 FOR UPDATE NOWAIT", NULL};

static void *lock_thread(void *p)
{
	struct lock_ctx *l = p;
	dbc *c = db_conn(l->d);
	l->rc = c ? db_exec(c, &q_lock_row, DBP(dbs("locked"))) : -100;
	db_conn_release(l->d);
	return NULL;
}

static void test_pg_lock_is_busy(void **state)
{
	struct fixture *f = *state;
	if (!f->url)
		skip();
	assert_int_equal(db_exec(f->c, &q_put, DBP(dbs("locked"), dbi(1), dbnull(), dbnull(), dbnull())),
	                 1);
	assert_ok(f, db_begin(f->c));
	assert_int_equal(db_exec(f->c, &q_lock_row, DBP(dbs("locked"))), 1);
	struct lock_ctx l = {.d = f->d, .rc = 0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, lock_thread, &l), 0);
	pthread_join(th, NULL);
	db_rollback(f->c);
	/* SQLSTATE 55P03 (lock_not_available) is a retryable DB_BUSY. */
	assert_int_equal(l.rc, DB_BUSY);
	assert_int_equal(count_values(f), 1);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)

static const struct CMUnitTest db_tests[] = {
	DB_TEST(test_migrate_idempotent),
	DB_TEST(test_types_round_trip),
	DB_TEST(test_utf8_text),
	DB_TEST(test_parameter_order_and_reuse),
	DB_TEST(test_same_query_other_types),
	DB_TEST(test_query_exec_each_scalar),
	DB_TEST(test_schema_and_search),
	DB_TEST(test_constraints),
	DB_TEST(test_nested_transactions),
	DB_TEST(test_failed_statement_fails_commit),
	DB_TEST(test_statement_outlives_rollback),
	DB_TEST(test_db_tx),
	DB_TEST(test_batch_with_cap),
	DB_TEST(test_snapshot),
	DB_TEST(test_connection_per_thread),
	DB_TEST(test_pg_reconnect),
	DB_TEST(test_pg_lock_is_busy),
};

int main(void)
{
	/* Several tests provoke errors on purpose; CARECIRCLE_TEST_LOG=1 shows the log lines. */
	if (!getenv("CARECIRCLE_TEST_LOG"))
		log_set_level((enum log_level)(LOG_ERROR + 1));
	int failed = cmocka_run_group_tests_name("db_sqlite", db_tests, group_setup_sqlite,
	                                         group_teardown);
	const char *pg = getenv("CARECIRCLE_TEST_PG");
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("db_postgres", db_tests, group_setup_pg,
		                                      group_teardown);
	return failed ? 1 : 0;
}
