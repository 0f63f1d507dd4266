/* migrate_data.c: `carecircle migrate-data --from sqlite:PATH --to postgres://…` copies a whole
 * site between engines, table by table in foreign-key order, and verifies the row counts.
 *
 * This is the one place where SQL text is assembled at run time: table and column names come
 * from the databases' own catalogs, are checked against [a-z_][a-z0-9_]* and quoted; every
 * value is still a bound parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/app.h"
#include "core/buf.h"
#include "core/util.h"
#include "model/rating.h"

struct table {
	char *name;
	char **cols;
	int ncols;
	char **deps;
	int ndeps;
	bool done;
	int64_t rows;
};

static bool ident_ok(const char *s)
{
	if (!s || !*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return strlen(s) < 64;
}

static const dbq q_tables = {
	"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
	"AND name <> 'schema_migrations' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
	"AND name NOT LIKE '%_fts_%' ORDER BY name",
	NULL};
static const dbq q_src_cols = {"SELECT name FROM pragma_table_info($1) ORDER BY cid", NULL};
static const dbq q_src_fks = {"SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)", NULL};
static const dbq q_dst_cols = {
	"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
	"AND table_name = $1 AND is_generated = 'NEVER'",
	NULL};
static const dbq q_dst_count_users = {"SELECT count(*) FROM users", NULL};
static const dbq q_setval = {
	"SELECT CASE WHEN pg_get_serial_sequence($1, 'id') IS NULL THEN 0 "
	"ELSE setval(pg_get_serial_sequence($1, 'id'), $2, $3 = 1) END",
	NULL};

static void progress(const char *table, int64_t done, int64_t total)
{
	if (!isatty(STDERR_FILENO)) {
		if (done == total)
			fprintf(stderr, "copied %-24s %lld rows\n", table, (long long)total);
		return;
	}
	int width = 30;
	int filled = total ? (int)(done * width / total) : width;
	fprintf(stderr, "\r%-24s [", table);
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %lld/%lld", total ? (int)(done * 100 / total) : 100, (long long)done,
	        (long long)total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

struct copy_ctx {
	dbc *dst;
	const dbq *insert;
	struct table *t;
	int64_t done, total, max_id;
	int id_col;
	int rc;
};

static int copy_row(void *p, const dbv *row, int cols)
{
	struct copy_ctx *x = p;
	int rc = db_exec(x->dst, x->insert, row, cols);
	if (rc < 0) {
		x->rc = rc;
		return 1;
	}
	if (x->id_col >= 0 && row[x->id_col].t == DBT_INT && row[x->id_col].i > x->max_id)
		x->max_id = row[x->id_col].i;
	x->done++;
	if (x->done % 500 == 0 || x->done == x->total)
		progress(x->t->name, x->done, x->total);
	return 0;
}

static int64_t count_rows(dbc *c, arena *a, const char *table, int *rc)
{
	dbq *q = arena_zalloc(a, sizeof *q);
	q->sql = arena_printf(a, "SELECT count(*) FROM \"%s\"", table);
	return db_scalar(c, q, DBNOP, 0, rc);
}

static int copy_table(dbc *src, dbc *dst, arena *a, struct table *t, char *err, size_t errlen)
{
	int rc;
	int64_t total = count_rows(src, a, t->name, &rc);
	if (rc < 0) {
		snprintf(err, errlen, "cannot count %s: %s", t->name, db_errmsg(src));
		return -1;
	}
	buf sel, ins;
	buf_init(&sel, a, 256, 0);
	buf_init(&ins, a, 256, 0);
	buf_puts(&sel, "SELECT ");
	buf_printf(&ins, "INSERT INTO \"%s\" (", t->name);
	int id_col = -1;
	for (int i = 0; i < t->ncols; i++) {
		buf_printf(&sel, "%s\"%s\"", i ? ", " : "", t->cols[i]);
		buf_printf(&ins, "%s\"%s\"", i ? ", " : "", t->cols[i]);
		if (strcmp(t->cols[i], "id") == 0)
			id_col = i;
	}
	buf_printf(&sel, " FROM \"%s\"%s", t->name, id_col >= 0 ? " ORDER BY id" : "");
	buf_puts(&ins, ") VALUES (");
	for (int i = 0; i < t->ncols; i++)
		buf_printf(&ins, "%s$%d", i ? ", " : "", i + 1);
	buf_puts(&ins, ")");
	dbq *qs = arena_zalloc(a, sizeof *qs), *qi = arena_zalloc(a, sizeof *qi);
	qs->sql = sel.p;
	qi->sql = ins.p;
	struct copy_ctx x = {dst, qi, t, 0, total, 0, id_col, 0};
	if (db_begin(dst) < 0) {
		snprintf(err, errlen, "cannot begin on the target: %s", db_errmsg(dst));
		return -1;
	}
	rc = db_each(src, qs, DBNOP, copy_row, &x);
	if (rc < 0 || x.rc < 0) {
		snprintf(err, errlen, "copying %s failed: %s", t->name, db_errmsg(x.rc < 0 ? dst : src));
		db_rollback(dst);
		return -1;
	}
	if (id_col >= 0 && db_exec(dst, &q_setval, DBP(dbs(t->name), dbi(x.max_id ? x.max_id : 1), dbi(x.max_id ? 1 : 0))) < 0) {
		snprintf(err, errlen, "cannot move the id sequence of %s: %s", t->name, db_errmsg(dst));
		db_rollback(dst);
		return -1;
	}
	if (db_commit(dst) < 0) {
		snprintf(err, errlen, "cannot commit %s: %s", t->name, db_errmsg(dst));
		return -1;
	}
	if (total == 0)
		progress(t->name, 0, 0);
	t->rows = x.done;
	return 0;
}

/* Reads tables, the columns both sides have, and foreign-key dependencies. */
static int load_tables(dbc *src, dbc *dst, arena *a, struct table **out, char *err, size_t errlen)
{
	dbrows tr;
	int n = db_query(src, &q_tables, DBNOP, a, &tr);
	if (n < 0) {
		snprintf(err, errlen, "cannot list source tables: %s", db_errmsg(src));
		return -1;
	}
	struct table *ts = ARENA_ARRAY(a, struct table, n);
	int k = 0;
	for (int i = 0; i < n; i++) {
		const char *name = db_text(&tr, i, 0);
		if (!ident_ok(name)) {
			snprintf(err, errlen, "unexpected table name in the source: %s", name);
			return -1;
		}
		dbrows sc, dc, fk;
		if (db_query(src, &q_src_cols, DBP(dbs(name)), a, &sc) < 0 ||
		    db_query(dst, &q_dst_cols, DBP(dbs(name)), a, &dc) < 0 ||
		    db_query(src, &q_src_fks, DBP(dbs(name)), a, &fk) < 0) {
			snprintf(err, errlen, "cannot read the columns of %s", name);
			return -1;
		}
		if (dc.n == 0) {
			snprintf(err, errlen, "table %s exists in the source but not in the target (migrate both to the same version)", name);
			return -1;
		}
		struct table *t = &ts[k++];
		t->name = arena_strdup(a, name);
		t->cols = ARENA_ARRAY(a, char *, sc.n);
		for (int c = 0; c < sc.n; c++) {
			const char *col = db_text(&sc, c, 0);
			bool in_dst = false;
			for (int d = 0; d < dc.n && !in_dst; d++)
				in_dst = strcmp(db_text(&dc, d, 0), col) == 0;
			if (!ident_ok(col)) {
				snprintf(err, errlen, "unexpected column name %s.%s", name, col);
				return -1;
			}
			if (in_dst)
				t->cols[t->ncols++] = arena_strdup(a, col);
		}
		t->deps = ARENA_ARRAY(a, char *, fk.n);
		for (int f = 0; f < fk.n; f++)
			if (strcmp(db_text(&fk, f, 0), name) != 0)
				t->deps[t->ndeps++] = arena_strdup(a, db_text(&fk, f, 0));
	}
	*out = ts;
	return k;
}

static bool deps_done(struct table *ts, int n, struct table *t)
{
	for (int d = 0; d < t->ndeps; d++)
		for (int i = 0; i < n; i++)
			if (strcmp(ts[i].name, t->deps[d]) == 0 && !ts[i].done)
				return false;
	return true;
}

int cmd_migrate_data(int argc, char **argv)
{
	const char *from = app_flag(argc, argv, "from");
	const char *to = app_flag(argc, argv, "to");
	if (!from || !to || strncmp(to, "postgres", 8) != 0 || strncmp(from, "postgres", 8) == 0) {
		fprintf(stderr, "usage: carecircle migrate-data --from sqlite:PATH --to postgres://…\n"
		                "Copies every table of a SQLite site into an empty PostgreSQL database.\n");
		return 2;
	}
	char err[512];
	int rc = 1;
	arena *a = arena_new((size_t)1 << 30);
	db *s = db_open(from, "NORMAL", err, sizeof err), *d = NULL;
	if (!s) {
		fprintf(stderr, "carecircle migrate-data: source: %s\n", err);
		goto out;
	}
	d = db_open(to, "FULL", err, sizeof err);
	if (!d) {
		fprintf(stderr, "carecircle migrate-data: target: %s\n", err);
		goto out;
	}
	if (db_migrate(s, err, sizeof err) < 0 || db_migrate(d, err, sizeof err) < 0) {
		fprintf(stderr, "carecircle migrate-data: %s\n", err);
		goto out;
	}
	dbc *src = db_conn(s), *dst = db_conn(d);
	int qrc;
	if (db_scalar(dst, &q_dst_count_users, DBNOP, 0, &qrc) != 0 || qrc < 0) {
		fprintf(stderr, "carecircle migrate-data: the target database is not empty; use a new database\n");
		goto out;
	}
	struct table *ts;
	int n = load_tables(src, dst, a, &ts, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "carecircle migrate-data: %s\n", err);
		goto out;
	}
	/* The target's own start-up rows (the server secret) give way to the source's. */
	static const dbq q_clear_settings = {"DELETE FROM settings", NULL};
	db_exec(dst, &q_clear_settings, DBNOP);
	for (int copied = 0; copied < n;) {
		int before = copied;
		for (int i = 0; i < n; i++) {
			if (ts[i].done || !deps_done(ts, n, &ts[i]))
				continue;
			if (copy_table(src, dst, a, &ts[i], err, sizeof err) != 0) {
				fprintf(stderr, "\ncarecircle migrate-data: %s\n", err);
				goto out;
			}
			ts[i].done = true;
			copied++;
		}
		if (copied == before) {
			fprintf(stderr, "carecircle migrate-data: foreign keys form a cycle; cannot order the tables\n");
			goto out;
		}
	}
	/* The rating sums on posts are kept by triggers on ratings, which saw the copied rows in
	 * table order (a post copied after its ratings keeps the source's sums, one copied before
	 * them would count them twice): set them from the ratings now. */
	if (rating_recount(dst) < 0) {
		fprintf(stderr, "carecircle migrate-data: cannot recount the ratings: %s\n", db_errmsg(dst));
		goto out;
	}
	/* Verify: every table has the same number of rows on both sides. */
	int bad = 0;
	for (int i = 0; i < n; i++) {
		int r1, r2;
		int64_t c1 = count_rows(src, a, ts[i].name, &r1), c2 = count_rows(dst, a, ts[i].name, &r2);
		if (r1 < 0 || r2 < 0 || c1 != c2) {
			fprintf(stderr, "mismatch in %s: %lld rows in the source, %lld in the target\n", ts[i].name,
			        (long long)c1, (long long)c2);
			bad++;
		}
	}
	if (bad) {
		fprintf(stderr, "carecircle migrate-data: %d table%s differ\n", bad, bad == 1 ? "" : "s");
		goto out;
	}
	printf("copied %d tables; row counts verified\n", n);
	rc = 0;
out:
	if (d)
		db_close(d);
	if (s)
		db_close(s);
	arena_free(a);
	return rc;
}
