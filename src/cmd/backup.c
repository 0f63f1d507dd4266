/* backup.c: `carecircle backup --out FILE` and `carecircle restore --from FILE`, online.
 *
 * SQLite: the online backup API (sqlite3_backup_*) copies the live database page by page from
 * one read snapshot, so the copy is consistent while the site keeps serving and writing.
 * PostgreSQL: pg_dump's custom format (one consistent snapshot) and pg_restore, run as child
 * processes with no shell in between. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/app.h"
#include "cmd/progress.h"

extern char **environ;

static bool is_pg(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

static const char *sqlite_path(const char *url)
{
	return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

static int run(char *const argv[])
{
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "carecircle: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Copies src into dst with the online backup API, drawing progress. */
static int copy_db(sqlite3 *src, sqlite3 *dst, const char *label, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
		return -1;
	}
	progress p;
	progress_start(&p, label, 0);
	int rc;
	for (;;) {
		rc = sqlite3_backup_step(b, 256);
		progress_update(&p, sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
		if (rc == SQLITE_OK)
			continue;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			sqlite3_sleep(20);
			continue;
		}
		break;
	}
	progress_done(&p);
	int pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errstr(rc));
		return -1;
	}
	return pages;
}

static sqlite3 *open_db(const char *path, int flags, char *err, size_t errlen)
{
	sqlite3 *h = NULL;
	if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %.900s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 5000);
	return h;
}

/* True when h holds a carecircle schema that passes the integrity check. */
static bool looks_valid(sqlite3 *h, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	bool ok = false;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM schema_migrations", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) < 1) {
		snprintf(err, errlen, "it is not a carecircle database (no migrations recorded)");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		snprintf(err, errlen, "it fails SQLite's integrity check");
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(st);
	return ok;
}

static int backup_sqlite(const char *url, const char *out, bool force, char *err, size_t errlen)
{
	int rc = -1;
	sqlite3 *src = NULL, *dst = NULL;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.partial-%d", out, (int)getpid());
	struct stat sb;
	if (!force && stat(out, &sb) == 0) {
		snprintf(err, errlen, "%.900s exists (use --force to replace it)", out);
		return -1;
	}
	if (stat(sqlite_path(url), &sb) != 0) {
		snprintf(err, errlen, "there is no database at %.900s", sqlite_path(url));
		return -1;
	}
	if (!(src = open_db(sqlite_path(url), SQLITE_OPEN_READONLY, err, errlen)))
		goto out;
	unlink(tmp);
	if (!(dst = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen)))
		goto out;
	/* One read transaction for the whole copy: every page comes from the same snapshot. */
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(src));
		goto out;
	}
	int pages = copy_db(src, dst, "backup", err, errlen);
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	if (pages < 0)
		goto out;
	/* A self-contained file: no -wal beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL) != SQLITE_OK || !looks_valid(dst, err, errlen))
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	int fd = open(tmp, O_RDONLY);
	if (fd < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot sync %.900s", tmp);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, out) != 0) {
		snprintf(err, errlen, "cannot move the backup to %.900s: %s", out, strerror(errno));
		goto out;
	}
	printf("backup written to %s (%d pages)\n", out, pages);
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static bool sqlite_has_tables(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;
	bool any = sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", -1, &st, NULL) ==
	                   SQLITE_OK &&
	           sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return any;
}

static int restore_sqlite(const char *from, const char *url, bool force, char *err, size_t errlen)
{
	int rc = -1;
	sqlite3 *src = NULL, *dst = NULL;
	if (!(src = open_db(from, SQLITE_OPEN_READONLY, err, errlen)))
		goto out;
	char why[256];
	if (!looks_valid(src, why, sizeof why)) {
		snprintf(err, errlen, "%.700s cannot be restored: %s", from, why);
		goto out;
	}
	if (!(dst = open_db(sqlite_path(url), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen)))
		goto out;
	if (sqlite_has_tables(dst) && !force) {
		snprintf(err, errlen, "%.900s already holds a database (use --force to replace it)", sqlite_path(url));
		goto out;
	}
	/* The backup API takes the target's write lock and replaces it in one step, so a reader
	 * sees either the old or the restored database. */
	int pages = copy_db(src, dst, "restore", err, errlen);
	if (pages < 0)
		goto out;
	sqlite3_exec(dst, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
	printf("restored %s into %s (%d pages)\n", from, sqlite_path(url), pages);
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

static int backup_pg(const char *url, const char *out, bool force, char *err, size_t errlen)
{
	struct stat sb;
	if (!force && stat(out, &sb) == 0) {
		snprintf(err, errlen, "%.900s exists (use --force to replace it)", out);
		return -1;
	}
	char tmp[4096], file[4200], dbarg[4200];
	snprintf(tmp, sizeof tmp, "%s.partial-%d", out, (int)getpid());
	snprintf(file, sizeof file, "--file=%s", tmp);
	snprintf(dbarg, sizeof dbarg, "--dbname=%s", url);
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file, dbarg, NULL};
	int rc = run(argv);
	if (rc != 0) {
		unlink(tmp);
		snprintf(err, errlen, "pg_dump failed (exit %d)", rc);
		return -1;
	}
	if (rename(tmp, out) != 0) {
		unlink(tmp);
		snprintf(err, errlen, "cannot move the backup to %.900s: %s", out, strerror(errno));
		return -1;
	}
	printf("backup written to %s (pg_dump custom format)\n", out);
	return 0;
}

static int restore_pg(struct app *app, const char *from, const char *url, bool force, char *err, size_t errlen)
{
	static const dbq q_tables = {
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", NULL};
	dbc *c = db_conn(app->db);
	int qrc;
	int64_t n = c ? db_scalar(c, &q_tables, DBNOP, 0, &qrc) : 0;
	if (!c || qrc < 0) {
		snprintf(err, errlen, "cannot reach the target database");
		return -1;
	}
	if (n > 0 && !force) {
		snprintf(err, errlen, "the target database already has tables (use --force to replace them)");
		return -1;
	}
	db_conn_release(app->db);
	char dbarg[4200];
	snprintf(dbarg, sizeof dbarg, "--dbname=%s", url);
	char *plain[] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
	                 dbarg, (char *)from, NULL};
	char *clean[] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
	                 "--clean", "--if-exists", dbarg, (char *)from, NULL};
	int rc = run(n > 0 ? clean : plain);
	if (rc != 0) {
		snprintf(err, errlen, "pg_restore failed (exit %d); nothing was changed", rc);
		return -1;
	}
	printf("restored %s into the PostgreSQL database\n", from);
	return 0;
}

static void backup_usage(FILE *f)
{
	fputs("usage: carecircle backup --out FILE [--force] [--db URL]\n"
	      "Writes a consistent copy of the live database while the site keeps running.\n"
	      "SQLite: a single database file (online backup API). PostgreSQL: a pg_dump custom-format\n"
	      "archive (pg_dump must be installed). --force replaces an existing FILE.\n",
	      f);
}

static void restore_usage(FILE *f)
{
	fputs("usage: carecircle restore --from FILE [--force] [--db URL]\n"
	      "Restores a backup made by `carecircle backup` into the database named by --db.\n"
	      "The target must be empty unless --force is given. Stop `serve` first when\n"
	      "replacing the database a running site uses.\n",
	      f);
}

int cmd_backup(int argc, char **argv)
{
	if (app_has_flag(argc, argv, "help")) {
		backup_usage(stdout);
		return 0;
	}
	config cfg;
	char err[1024];
	int rc = 1;
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle backup: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	const char *out = app_flag(argc, argv, "out");
	if (!out || !*out) {
		backup_usage(stderr);
		config_free(&cfg);
		return 2;
	}
	bool force = app_has_flag(argc, argv, "force");
	if ((is_pg(cfg.db) ? backup_pg(cfg.db, out, force, err, sizeof err)
	                   : backup_sqlite(cfg.db, out, force, err, sizeof err)) != 0)
		fprintf(stderr, "carecircle backup: %s\n", err);
	else
		rc = 0;
	config_free(&cfg);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	if (app_has_flag(argc, argv, "help")) {
		restore_usage(stdout);
		return 0;
	}
	config cfg;
	char err[1024];
	int rc = 1;
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle restore: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	const char *from = app_flag(argc, argv, "from");
	struct stat sb;
	if (!from || !*from) {
		restore_usage(stderr);
		config_free(&cfg);
		return 2;
	}
	if (stat(from, &sb) != 0) {
		fprintf(stderr, "carecircle restore: cannot read %s\n", from);
		config_free(&cfg);
		return 1;
	}
	bool force = app_has_flag(argc, argv, "force");
	if (is_pg(cfg.db)) {
		struct app app;
		memset(&app, 0, sizeof app);
		app.db = db_open(cfg.db, cfg.sync, err, sizeof err);
		if (!app.db || restore_pg(&app, from, cfg.db, force, err, sizeof err) != 0)
			fprintf(stderr, "carecircle restore: %s\n", err);
		else
			rc = 0;
		if (app.db)
			db_close(app.db);
	} else if (restore_sqlite(from, cfg.db, force, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle restore: %s\n", err);
	} else {
		rc = 0;
	}
	config_free(&cfg);
	return rc;
}
