/* engines.h: for the unit tests that run one check on both engines: on a fresh SQLite file in a
 * temporary folder (removed after), and on PostgreSQL when CARECIRCLE_TEST_PG is a URL (skipped
 * otherwise; CMakeLists.txt runs tests that include this file one at a time, as they reset the
 * server's public schema). check gets the path or URL and arg. Include after cmocka.h. */
#ifndef CC_TEST_ENGINES_H
#define CC_TEST_ENGINES_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef void (*engine_check)(const char *url_or_path, const char *arg);

static void on_sqlite(engine_check check, const char *arg)
{
	char dir[] = "/tmp/cc-unit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/t.db", dir);
	check(path, arg);
	static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void on_postgres(engine_check check, const char *arg)
{
	const char *url = getenv("CARECIRCLE_TEST_PG");
	if (!url || !*url)
		skip();
	check(url, arg);
}

#endif
