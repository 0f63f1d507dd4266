/* test_group_commit.c: concurrent db_tx calls share commits; one failing transaction rolls
 * back alone; every transaction that returned success is in the database afterwards. And the
 * WAL writes that SQLite with synchronous=FULL sends through sqlite_wal.c's buffer all arrive. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"
#include "db/db.h"

static db *D;
static char dir[64];

static const dbq q_make = {"CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)", NULL};
static const dbq q_ins = {"INSERT INTO t (v) VALUES ($1)", NULL};
static const dbq q_count = {"SELECT count(*) FROM t", NULL};
static const dbq q_has = {"SELECT count(*) FROM t WHERE v = $1", NULL};

struct job {
	char v[32];
	bool twice; /* inserts the same value twice: a unique violation */
};

static int insert_tx(dbc *c, void *p)
{
	struct job *j = p;
	int rc = db_exec(c, &q_ins, DBP(dbs(j->v)));
	if (rc >= 0 && j->twice)
		rc = db_exec(c, &q_ins, DBP(dbs(j->v)));
	return rc;
}

enum { THREADS = 8, PER = 60 };
static int ok_count[THREADS], fail_count[THREADS];

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	dbc *c = db_conn(D);
	for (int i = 0; i < PER; i++) {
		struct job j;
		snprintf(j.v, sizeof j.v, "t%d-%d", t, i);
		j.twice = i % 10 == 3;
		int rc = db_tx(c, insert_tx, &j);
		if (rc >= 0)
			ok_count[t]++;
		else
			fail_count[t]++;
		/* What succeeded is visible at once; what failed left nothing behind. */
		int64_t n = db_scalar(c, &q_has, DBP(dbs(j.v)), -1, NULL);
		if ((rc >= 0 && n != 1) || (rc < 0 && n != 0))
			fail_count[t] += 1000;
	}
	db_conn_release(D);
	return NULL;
}

static void run(bool group)
{
	memset(ok_count, 0, sizeof ok_count);
	memset(fail_count, 0, sizeof fail_count);
	db_set_group_commit(D, group);
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	int ok = 0, bad = 0;
	for (int t = 0; t < THREADS; t++) {
		ok += ok_count[t];
		bad += fail_count[t];
	}
	assert_int_equal(bad, THREADS * PER / 10); /* exactly the duplicate inserts failed */
	assert_int_equal(ok, THREADS * PER - THREADS * PER / 10);
}

static void test_group_commit(void **state)
{
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/cc-group.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/g.db", dir);
	D = db_open(path, "FULL", err, sizeof err);
	assert_non_null(D);
	dbc *c = db_conn(D);
	assert_true(db_exec(c, &q_make, DBNOP) >= 0);
	run(true);
	assert_int_equal(db_scalar(c, &q_count, DBNOP, 0, NULL), THREADS * PER * 9 / 10);
	/* The same with group commit off, on a fresh table. */
	static const dbq q_clear = {"DELETE FROM t", NULL};
	db_exec(c, &q_clear, DBNOP);
	run(false);
	assert_int_equal(db_scalar(c, &q_count, DBNOP, 0, NULL), THREADS * PER * 9 / 10);
	db_close(D);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void *count_thread(void *p)
{
	int64_t *n = p;
	dbc *c = db_conn(D);
	*n = c ? db_scalar(c, &q_count, DBNOP, -1, NULL) : -1;
	db_conn_release(D);
	return NULL;
}

static int64_t count_elsewhere(void)
{
	int64_t n = -1;
	pthread_t th;
	pthread_create(&th, NULL, count_thread, &n);
	pthread_join(th, NULL);
	return n;
}

/* One commit larger than the buffer (512 KiB) and than one write of the Unix VFS (128 KiB),
 * then many small ones: another connection sees every row, the file checks out, and so it
 * does after closing and opening again. */
static void test_wal_buffer(void **state)
{
	(void)state;
	char err[256], path[128];
	snprintf(dir, sizeof dir, "/tmp/cc-walbuf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/w.db", dir);
	static const dbq q_ok = {"PRAGMA integrity_check", NULL};
	static const dbq q_big = {
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
		"INSERT INTO t (v) SELECT 'big-' || i || '-' || hex(randomblob(1500)) FROM n",
		NULL};
	for (int round = 0; round < 2; round++) {
		D = db_open(path, "FULL", err, sizeof err);
		assert_non_null(D);
		dbc *c = db_conn(D);
		arena *a = arena_new(0);
		dbrows r;
		if (round == 0) {
			assert_true(db_exec(c, &q_make, DBNOP) >= 0);
			assert_int_equal(db_exec(c, &q_big, DBNOP), 400); /* about 1.3 MB of pages */
			for (int i = 0; i < 200; i++) {
				char v[32];
				snprintf(v, sizeof v, "small-%d", i);
				assert_int_equal(db_exec(c, &q_ins, DBP(dbs(v))), 1);
			}
		}
		assert_int_equal(count_elsewhere(), 600);
		assert_int_equal(db_query(c, &q_ok, DBNOP, a, &r), 1);
		assert_string_equal(db_text(&r, 0, 0), "ok");
		arena_free(a);
		db_close(D);
	}
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_wal_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
