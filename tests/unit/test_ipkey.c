/* test_ipkey.c: client address hashes under a daily random key kept in the database: the same
 * address hashes the same within a day and on every node, differently on another day, and
 * once a day's key is purged its hashes cannot be made again; stored hashes past the
 * retention are cleared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "db/db.h"
#include "safety/ipkey.h"

static char dir[64], path[128];
static db *D;
static dbc *C;
static arena *A;

enum { DAY = 86400 };
static const int64_t T0 = 20000LL * DAY + 3600; /* some day, 01:00 UTC */

static int setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof dir, "/tmp/cc-test-ipkey-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	char err[256];
	D = db_open(path, "NORMAL", err, sizeof err);
	if (!D || db_migrate(D, err, sizeof err) < 0)
		return -1;
	C = db_conn(D);
	A = arena_new(0);
	return C && A ? 0 : -1;
}

static int teardown(void **state)
{
	arena_free(A);
	db_close(D);
	static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Statements are cached per connection by the address of their dbq, so each distinct SQL
 * text gets its own lasting dbq here. */
static const dbq *stmt(const char *sql)
{
	static dbq pool[64];
	static int n;
	for (int i = 0; i < n; i++)
		if (strcmp(pool[i].sql, sql) == 0)
			return &pool[i];
	assert_true(n < 64);
	pool[n].sql = strdup(sql);
	return &pool[n++];
}

static int64_t count(const char *sql)
{
	int rc;
	int64_t n = db_scalar(C, stmt(sql), DBNOP, -1, &rc);
	assert_true(rc >= 0);
	return n;
}

static void test_rotation(void **state)
{
	const char *ip = "198.51.100.23";
	char *d1 = ipkey_hash(A, C, "client-ip", ip, T0, 16);
	assert_int_equal(strlen(d1), 32);
	assert_null(strstr(d1, "198"));
	/* Same day: the same hash, also on "another node" that has to read the key back. */
	assert_string_equal(ipkey_hash(A, C, "client-ip", ip, T0 + 5 * 3600, 16), d1);
	ipkey_forget();
	assert_string_equal(ipkey_hash(A, C, "client-ip", ip, T0 + 60, 16), d1);
	/* Another purpose, another address: different. */
	assert_string_not_equal(ipkey_hash(A, C, "rate-addr", ip, T0, 16), d1);
	assert_string_not_equal(ipkey_hash(A, C, "client-ip", "198.51.100.24", T0, 16), d1);
	/* The next day: a new key, so the same address gives an unrelated hash. */
	char *d2 = ipkey_hash(A, C, "client-ip", ip, T0 + DAY, 16);
	assert_string_not_equal(d2, d1);
	assert_int_equal(count("SELECT count(*) FROM ip_keys"), 2);
	/* Two days on, the first day's key is deleted; its hashes cannot be made again. */
	char *d3 = ipkey_hash(A, C, "client-ip", ip, T0 + 2 * DAY, 16);
	assert_string_not_equal(d3, d2);
	assert_int_equal(ipkey_purge(C, T0 + 2 * DAY, 30), 0);
	assert_int_equal(count("SELECT count(*) FROM ip_keys"), 2); /* yesterday's and today's */
	assert_int_equal(count("SELECT count(*) FROM ip_keys WHERE day = 20000"), 0);
	assert_string_not_equal(ipkey_hash(A, C, "client-ip", ip, T0, 16), d1);
}

static void test_retention(void **state)
{
	dbq ins_rate = {"INSERT INTO rate_counts (bucket, client, window_start, n) VALUES ('b', $1, $2, 1)", NULL};
	dbq ins_rating = {"INSERT INTO ratings (post_type, post_id, voter, addr_hash, day, stars, created_at, updated_at) "
	                  "VALUES ('question', 1, $1, 'abc', $2, 3, $3, $3)",
	                  NULL};
	int64_t now = T0 + 100 * DAY, old = now - 31 * DAY, recent = now - 29 * DAY;
	assert_true(db_exec(C, &ins_rate, DBP(dbs("ip:old"), dbi(old))) == 1);
	assert_true(db_exec(C, &ins_rate, DBP(dbs("ip:new"), dbi(recent))) == 1);
	assert_true(db_exec(C, &ins_rating, DBP(dbs("g:old"), dbi(old / DAY), dbi(old))) == 1);
	assert_true(db_exec(C, &ins_rating, DBP(dbs("g:new"), dbi(recent / DAY), dbi(recent))) == 1);
	assert_int_equal(ipkey_purge(C, now, 30), 0);
	assert_int_equal(count("SELECT count(*) FROM rate_counts WHERE client = 'ip:old'"), 0);
	assert_int_equal(count("SELECT count(*) FROM rate_counts WHERE client = 'ip:new'"), 1);
	assert_int_equal(count("SELECT count(*) FROM ratings WHERE voter = 'g:old' AND addr_hash IS NULL"), 1);
	assert_int_equal(count("SELECT count(*) FROM ratings WHERE voter = 'g:new' AND addr_hash = 'abc'"), 1);
	/* Every key is older than yesterday now. */
	assert_int_equal(count("SELECT count(*) FROM ip_keys"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_retention),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
