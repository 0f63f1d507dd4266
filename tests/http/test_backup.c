/* test_backup.c: `carecircle backup` while the server runs, `restore` into a fresh database,
 * then every table compared (row count and a content hash), and the restored site served. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "captcha_answer.h"
#include "harness.h"

static srv S;
static char qurl[512];

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* Runs the binary with args (NULL-terminated), output appended to the server log. */
static int run(const char *const *args)
{
	char *argv[32];
	int n = 0;
	argv[n++] = getenv("CARECIRCLE_BIN");
	for (int i = 0; args[i] && n < 30; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		FILE *f = freopen(S.log, "a", stdout);
		(void)f;
		dup2(1, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

typedef struct tabsum {
	char name[64];
	long rows;
	uint64_t hash; /* sum of row hashes: independent of row order */
} tabsum;

static int sums_sqlite(const char *path, tabsum *out, int max)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *t;
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &t, NULL),
	                 SQLITE_OK);
	int n = 0;
	while (sqlite3_step(t) == SQLITE_ROW && n < max) {
		tabsum *s = &out[n++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", (const char *)sqlite3_column_text(t, 0));
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", s->name);
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW) {
			uint64_t rh = 1469598103934665603ull;
			for (int c = 0; c < sqlite3_column_count(q); c++) {
				int ty = sqlite3_column_type(q, c);
				rh = fnv(rh, &ty, sizeof ty);
				const void *b = sqlite3_column_blob(q, c);
				rh = fnv(rh, b ? b : "", (size_t)sqlite3_column_bytes(q, c));
			}
			s->rows++;
			s->hash += rh;
		}
		sqlite3_finalize(q);
	}
	sqlite3_finalize(t);
	sqlite3_close(h);
	return n;
}

static int sums_pg(const char *url, tabsum *out, int max)
{
	PGconn *c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *t = PQexec(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
	                        "AND table_type = 'BASE TABLE' ORDER BY table_name");
	assert_int_equal(PQresultStatus(t), PGRES_TUPLES_OK);
	int n = 0;
	for (int i = 0; i < PQntuples(t) && n < max; i++) {
		tabsum *s = &out[n++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", PQgetvalue(t, i, 0));
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT x::text FROM \"%s\" x", s->name);
		PGresult *q = PQexec(c, sql);
		assert_int_equal(PQresultStatus(q), PGRES_TUPLES_OK);
		for (int r = 0; r < PQntuples(q); r++) {
			s->rows++;
			s->hash += fnv(1469598103934665603ull, PQgetvalue(q, r, 0), (size_t)PQgetlength(q, r, 0));
		}
		PQclear(q);
	}
	PQclear(t);
	PQfinish(c);
	return n;
}

static int sums(const char *db, tabsum *out, int max)
{
	return strncmp(db, "postgres", 8) == 0 ? sums_pg(db, out, max) : sums_sqlite(db, out, max);
}

static void same(const char *a, const char *b)
{
	static tabsum x[100], y[100];
	int nx = sums(a, x, 100), ny = sums(b, y, 100);
	assert_true(nx >= 9);
	assert_int_equal(nx, ny);
	long total = 0;
	for (int i = 0; i < nx; i++) {
		assert_string_equal(x[i].name, y[i].name);
		if (x[i].rows != y[i].rows || x[i].hash != y[i].hash)
			fprintf(stderr, "table %s differs: %ld rows vs %ld\n", x[i].name, x[i].rows, y[i].rows);
		assert_int_equal(x[i].rows, y[i].rows);
		assert_true(x[i].hash == y[i].hash);
		total += x[i].rows;
	}
	assert_true(total > 50);
}

/* A fresh empty database for the restore: a new SQLite path or a new PostgreSQL database. */
static void fresh_target(char *out, size_t n, char *pgname, size_t pn)
{
	pgname[0] = 0;
	if (!harness_pg()) {
		snprintf(out, n, "%s/restored-%ld.db", S.dir, (long)random());
		return;
	}
	const char *base = getenv("CARECIRCLE_TEST_PG");
	snprintf(pgname, pn, "ccr_%d_%ld", (int)getpid(), (long)(random() % 100000));
	PGconn *c = PQconnectdb(base);
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", pgname);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	const char *slash = strrchr(base, '/');
	snprintf(out, n, "%.*s/%s", (int)(slash - base), base, pgname);
}

static void drop_target(const char *pgname)
{
	if (!*pgname)
		return;
	PGconn *c = PQconnectdb(getenv("CARECIRCLE_TEST_PG"));
	char sql[160];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pgname);
	PQclear(PQexec(c, sql));
	PQfinish(c);
}

/* Content made through HTTP: a guest question and a member's answer. */
static void make_content(void)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/blepharospasm/ask");
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	char *body = form("csrf", tok, "title", "Does bright sunlight make the blinking worse?", "body",
	                  "Outdoors my eyes close by themselves within minutes. Do tinted glasses help anyone?",
	                  "guest_name", "Ines", "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(c, "/blepharospasm/ask", body);
	assert_int_equal(r->status, 303);
	snprintf(qurl, sizeof qurl, "%s", r->location);
	free(tok);
	free(body);
	client_free(c);
	c = client_new(&S);
	assert_int_equal(login_as(c, "jose_rn", "demo-password-1"), 0);
	r = http_get(c, "/blepharospasm/ask"); /* any page for a CSRF token of this session */
	tok = csrf_of(r);
	char path[600];
	char *q = strstr(qurl, "/questions/");
	assert_non_null(q);
	snprintf(path, sizeof path, "%.*s/answers", (int)(strcspn(q + 11, "-") + 11 + (q - qurl)), qurl);
	body = form("csrf", tok, "body", "FL-41 rose tinted lenses help some people; worth a try.", NULL);
	r = http_post(c, path, body);
	assert_int_equal(r->status, 303);
	free(tok);
	free(body);
	client_free(c);
}

static void test_backup_restore(void **state)
{
	make_content();
	char out[400];
	snprintf(out, sizeof out, "%s/backup.ccb", S.dir);
	char dbflag[600];
	snprintf(dbflag, sizeof dbflag, "--db=%s", S.db);
	/* Online: the server is running. */
	assert_int_equal(run((const char *[]){"backup", dbflag, "--out", out, NULL}), 0);
	struct stat sb;
	assert_int_equal(stat(out, &sb), 0);
	assert_true(sb.st_size > 10000);
	/* It does not overwrite by accident. */
	assert_int_equal(run((const char *[]){"backup", dbflag, "--out", out, NULL}), 1);

	char target[600], pgname[64], tflag[700];
	fresh_target(target, sizeof target, pgname, sizeof pgname);
	snprintf(tflag, sizeof tflag, "--db=%s", target);
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", out, NULL}), 0);
	same(S.db, target);
	/* A second restore onto a database that has content is refused without --force. */
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", out, NULL}), 1);
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", out, "--force", NULL}), 0);
	same(S.db, target);

	/* The restored database serves the content made before the backup. */
	srv T;
	char extra[700];
	snprintf(extra, sizeof extra, "--db=%s", target);
	assert_int_equal(srv_start(&T, extra), 0);
	client *c = client_new(&T);
	resp *r = http_get(c, qurl);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Does bright sunlight make the blinking worse?"));
	assert_true(has(r, "FL-41 rose tinted lenses"));
	assert_int_equal(login_as(c, "jose_rn", "demo-password-1"), 0);
	client_free(c);
	assert_int_equal(srv_stop(&T), 0);
	drop_target(pgname);
}

static void test_restore_rejects_junk(void **state)
{
	char junk[400];
	snprintf(junk, sizeof junk, "%s/junk.ccb", S.dir);
	FILE *f = fopen(junk, "w");
	fputs("this is not a backup\n", f);
	fclose(f);
	char target[600], pgname[64], tflag[700];
	fresh_target(target, sizeof target, pgname, sizeof pgname);
	snprintf(tflag, sizeof tflag, "--db=%s", target);
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", junk, NULL}), 1);
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", "/nonexistent/file", NULL}), 1);
	assert_int_equal(run((const char *[]){"backup", NULL}), 2); /* --out is required */
	drop_target(pgname);
}

/* Topics whose question_count disagrees with their published questions (0 in a consistent
 * copy; held questions are not counted). */
static long inconsistent(const char *db, long *questions)
{
	static const char *sql = "SELECT count(*), (SELECT count(*) FROM questions) FROM topics t "
	                         "WHERE question_count <> (SELECT count(*) FROM questions q WHERE q.topic_id = t.id "
	                         "AND q.status = 'published')";
	long bad = -1;
	if (strncmp(db, "postgres", 8) == 0) {
		PGconn *c = PQconnectdb(db);
		PGresult *r = PQexec(c, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		bad = atol(PQgetvalue(r, 0, 0));
		*questions = atol(PQgetvalue(r, 0, 1));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *h;
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		bad = sqlite3_column_int(st, 0);
		*questions = sqlite3_column_int(st, 1);
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	return bad;
}

static volatile int writing;
static char wtoken[64];

/* Posts questions through the API until told to stop; returns how many. Each body differs, or
 * the safety checks' repeated-text signal would hold them (202). */
static void *writer(void *p)
{
	client *c = client_new(&S);
	char auth[100];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", wtoken);
	const char *h[] = {auth, NULL};
	long n = 0;
	while (__atomic_load_n(&writing, __ATOMIC_ACQUIRE)) {
		char body[256];
		snprintf(body, sizeof body,
		         "{\"title\":\"Written during the backup, number %ld\",\"body\":\"Question %ld arrives while the "
		         "backup is being taken.\"}",
		         n, n);
		resp *r = http_request(c, "POST", "/api/v1/topics/migraine/questions", "application/json", body, strlen(body), h);
		if (r->status == 201)
			n++;
	}
	client_free(c);
	return (void *)n;
}

static void test_backup_during_writes(void **state)
{
	assert_int_equal(srv_cmd(&S, "user token zoe_m --name backup-test --scope write", NULL), 0);
	FILE *f = fopen(S.log, "r");
	char line[4096];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "cc_", 3) == 0 && strlen(line) == 47)
			snprintf(wtoken, sizeof wtoken, "%.46s", line);
	if (f)
		fclose(f);
	assert_int_equal(strlen(wtoken), 46);

	writing = 1;
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
	usleep(300 * 1000);
	char out[400], dbflag[600];
	snprintf(out, sizeof out, "%s/busy.ccb", S.dir);
	snprintf(dbflag, sizeof dbflag, "--db=%s", S.db);
	int rc = run((const char *[]){"backup", dbflag, "--out", out, NULL});
	usleep(300 * 1000);
	__atomic_store_n(&writing, 0, __ATOMIC_RELEASE);
	void *written;
	pthread_join(th, &written);
	assert_int_equal(rc, 0);
	assert_true((long)written > 0);

	char target[600], pgname[64], tflag[700];
	fresh_target(target, sizeof target, pgname, sizeof pgname);
	snprintf(tflag, sizeof tflag, "--db=%s", target);
	assert_int_equal(run((const char *[]){"restore", tflag, "--from", out, NULL}), 0);
	/* The copy is one moment of the database: every topic's count matches its questions. */
	long qcopy = 0, qlive = 0;
	assert_int_equal(inconsistent(target, &qcopy), 0);
	assert_int_equal(inconsistent(S.db, &qlive), 0);
	assert_true(qcopy > 0 && qcopy <= qlive);
	drop_target(pgname);
}

int main(void)
{
	harness_require_engine();
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_restore),
		cmocka_unit_test(test_restore_rejects_junk),
		cmocka_unit_test(test_backup_during_writes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
