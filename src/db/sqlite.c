/* sqlite.c: the SQLite engine: WAL, foreign keys, busy timeout, cached prepared statements. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/engine.h"
#include "db/sqlite_wal.h"

struct stmt_slot {
	const dbq *q;
	sqlite3_stmt *st;
	int nparams;
	int *map; /* bind index -> $N (1-based) */
};

enum { CACHE_SIZE = 512 };
/* The WAL is copied back into the database every CKPT_FRAMES pages (about 40 MiB) rather
 * than SQLite's 1,000: a page that many posts touch is copied once, not ten times (measured:
 * 4,000 pages posted about 4 % fewer answers a second under load). */
enum { CKPT_FRAMES = 10000 };

enum tx_op { TX_BEGIN, TX_BEGIN_IMMEDIATE, TX_COMMIT, TX_ROLLBACK, TX_OPS };
static const char *const tx_sql[TX_OPS] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

struct sqlite_conn {
	struct dbc base;
	sqlite3 *h;
	bool snap; /* inside a read snapshot (db_snapshot_begin) */
	struct stmt_slot cache[CACHE_SIZE];
	sqlite3_stmt *tx[TX_OPS]; /* prepared once: every request begins and ends one */
	atomic_bool ckpt_due; /* the writer: its WAL has grown past CKPT_FRAMES */
};


static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
	case SQLITE_FULL: return DB_FULL;
	case SQLITE_READONLY: return DB_READONLY;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return DB_ERR;
	default: return DB_ERR;
	}
}

static void sq_close(dbc *base)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	for (int i = 0; i < CACHE_SIZE; i++) {
		if (c->cache[i].st)
			sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].map);
	}
	for (size_t i = 0; i < sizeof c->tx / sizeof c->tx[0]; i++)
		sqlite3_finalize(c->tx[i]);
	sqlite3_close_v2(c->h);
	free(c);
}

static const char *walbuf_vfs; /* sqlite_wal.c, when it could be registered */

/* SQLite keeps memory statistics under one process-wide mutex taken on every allocation;
 * nothing here reads them, and with many threads that mutex is contended. Must run before
 * SQLite initialises (it refuses afterwards, harmlessly). Registers sqlite_wal.c's VFS. */
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	walbuf_vfs = sq_walbuf_register();
}

/* ccrank(fts_table, weight of column 0, weight of column 1, …): BM25 (k1 1.2, b 0.75, the
 * columns weighted) without its inverse document frequency. FTS5's bm25() works out, for every
 * query, how many rows of the whole index hold each phrase: on a million answers that reads the
 * full list of every common word (20 ms for one word, 350 ms for a group of sixteen synonyms),
 * far more than ranking the page's candidates. Search already ranks only the newest matches,
 * where the rare-word boost matters little; every phrase counts the same here. Lower is better,
 * as with bm25(). */
static void ccrank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                   sqlite3_value **val)
{
	enum { MAXCOL = 8, MAXCELL = 1024 };
	int ncol = api->xColumnCount(fts), nph = api->xPhraseCount(fts), ninst = 0;
	if (ncol > MAXCOL || nph * ncol > MAXCELL) {
		sqlite3_result_error(ctx, "ccrank: too many columns or phrases", -1);
		return;
	}
	/* Average column lengths, once per query. */
	double *avg = api->xGetAuxdata(fts, 0);
	if (!avg) {
		avg = sqlite3_malloc(MAXCOL * (int)sizeof *avg);
		sqlite3_int64 rows = 0, total = 0;
		if (!avg || api->xRowCount(fts, &rows) != SQLITE_OK) {
			sqlite3_free(avg);
			sqlite3_result_error_nomem(ctx);
			return;
		}
		for (int c = 0; c < ncol; c++) {
			total = 0;
			api->xColumnTotalSize(fts, c, &total);
			avg[c] = rows > 0 && total > 0 ? (double)total / (double)rows : 1.0;
		}
		if (api->xSetAuxdata(fts, avg, sqlite3_free) != SQLITE_OK) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	unsigned short tf[MAXCELL] = {0};
	if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
		sqlite3_result_error(ctx, "ccrank: cannot read matches", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int ph, col, off;
		if (api->xInst(fts, i, &ph, &col, &off) == SQLITE_OK && ph >= 0 && ph < nph && col >= 0 && col < ncol &&
		    tf[ph * ncol + col] < 65535)
			tf[ph * ncol + col]++;
	}
	const double k1 = 1.2, b = 0.75;
	double score = 0;
	for (int c = 0; c < ncol; c++) {
		double w = c < nval ? sqlite3_value_double(val[c]) : 1.0; /* val: the arguments after the table */
		if (w == 0)
			continue;
		int len = 0;
		api->xColumnSize(fts, c, &len);
		double norm = k1 * (1 - b + b * (double)len / avg[c]);
		for (int p = 0; p < nph; p++) {
			double f = tf[p * ncol + c];
			if (f > 0)
				score += w * f * (k1 + 1) / (f + norm);
		}
	}
	sqlite3_result_double(ctx, -score);
}

/* Registers ccrank with this connection's FTS5. */
static int register_rank(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return -1;
	return api->xCreateFunction(api, "ccrank", NULL, ccrank, NULL) == SQLITE_OK ? 0 : -1;
}

static dbc *sq_open(db *d, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sq_configure);
	struct sqlite_conn *c = calloc(1, sizeof *c);
	c->base.e = d->e;
	c->base.d = d;
	const char *sync = strcmp(d->sync, "NORMAL") == 0 ? "NORMAL" : strcmp(d->sync, "OFF") == 0 ? "OFF" : "FULL";
	/* A commit's WAL frames written in a few calls: safe only when every commit syncs (FULL). */
	int rc = sqlite3_open_v2(d->url, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         strcmp(sync, "FULL") == 0 ? walbuf_vfs : NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", d->url,
		         c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
		sq_close(&c->base);
		return NULL;
	}
	sqlite3_busy_timeout(c->h, 5000);
	sqlite3_extended_result_codes(c->h, 1);
	char sql[512];
	/* 2 MiB of page cache per connection: every network and write thread has one, and the
	 * operating system's file cache holds the rest (measured: no slower on the question page,
	 * half the memory under a posting load with 16 write threads; a write thread's cache is
	 * emptied by the next commit anyway). */
	snprintf(sql, sizeof sql,
	         "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=%s; "
	         "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=%d;",
	         sync, CKPT_FRAMES);
	char *msg = NULL;
	rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot configure %s: %s", d->url, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sq_close(&c->base);
		return NULL;
	}
	if (register_rank(c->h) < 0) {
		snprintf(err, errlen, "cannot add the search ranking to %s (is SQLite built with FTS5?)", d->url);
		sq_close(&c->base);
		return NULL;
	}
	return &c->base;
}

static struct stmt_slot *prepare(struct sqlite_conn *c, const dbq *q)
{
	size_t h = ((uintptr_t)q >> 3) % CACHE_SIZE;
	for (size_t i = 0; i < CACHE_SIZE; i++) {
		struct stmt_slot *s = &c->cache[(h + i) % CACHE_SIZE];
		if (s->q == q)
			return s;
		if (s->q == NULL) {
			if (sqlite3_prepare_v3(c->h, q->sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
			    SQLITE_OK) {
				log_error("msg=\"prepare failed\" err=\"%s\" sql=\"%.120s\"", sqlite3_errmsg(c->h),
				          q->sql);
				s->st = NULL;
				return NULL;
			}
			s->nparams = sqlite3_bind_parameter_count(s->st);
			s->map = calloc((size_t)s->nparams + 1, sizeof(int));
			for (int k = 1; k <= s->nparams; k++) {
				const char *name = sqlite3_bind_parameter_name(s->st, k);
				s->map[k] = name && name[0] == '$' ? (int)strtol(name + 1, NULL, 10) : k;
			}
			s->q = q;
			return s;
		}
	}
	/* Cache full: should not happen with a fixed set of queries. */
	log_error("msg=\"statement cache full\"");
	return NULL;
}

static int bind_all(struct stmt_slot *s, const dbv *p, int np)
{
	for (int k = 1; k <= s->nparams; k++) {
		int n = s->map[k];
		if (n < 1 || n > np)
			return SQLITE_RANGE;
		const dbv *v = &p[n - 1];
		int rc;
		switch (v->t) {
		case DBT_INT: rc = sqlite3_bind_int64(s->st, k, v->i); break;
		case DBT_REAL: rc = sqlite3_bind_double(s->st, k, v->d); break;
		case DBT_TEXT: rc = sqlite3_bind_text(s->st, k, v->s, (int)v->n, SQLITE_STATIC); break;
		case DBT_BLOB: rc = sqlite3_bind_blob(s->st, k, v->s, (int)v->n, SQLITE_STATIC); break;
		default: rc = sqlite3_bind_null(s->st, k); break;
		}
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Each cell is read through its sqlite3_value: one column lookup per cell instead of one per
 * call (type, then text, then bytes). The connection belongs to this thread (NOMUTEX), so the
 * value's not being protected by the connection's mutex does not matter. */
static void read_row(sqlite3_stmt *st, int cols, dbv *row, arena *a)
{
	for (int j = 0; j < cols; j++) {
		dbv *v = &row[j];
		sqlite3_value *cv = sqlite3_column_value(st, j);
		int type = sqlite3_value_type(cv);
		switch (type) {
		case SQLITE_INTEGER:
			*v = (dbv){.t = DBT_INT, .i = sqlite3_value_int64(cv)};
			break;
		case SQLITE_FLOAT:
			*v = (dbv){.t = DBT_REAL, .d = sqlite3_value_double(cv)};
			break;
		case SQLITE_NULL: *v = (dbv){.t = DBT_NULL}; break;
		default: {
			int blob = type == SQLITE_BLOB;
			const void *src = blob ? sqlite3_value_blob(cv) : (const void *)sqlite3_value_text(cv);
			size_t n = (size_t)sqlite3_value_bytes(cv);
			v->t = blob ? DBT_BLOB : DBT_TEXT;
			v->n = n;
			if (a) {
				char *cp = arena_alloc(a, n + 1);
				if (n)
					memcpy(cp, src, n);
				cp[n] = 0;
				v->s = cp;
			} else {
				v->s = src ? src : "";
			}
		}
		}
	}
}

static void sq_snapshot(dbc *base, bool on);

static int sq_run(dbc *base, const dbq *q, const dbv *p, int np, arena *a, dbrows *out,
                  db_row_cb cb, void *ctx)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	struct stmt_slot *s = prepare(c, q);
	if (!s)
		return DB_ERR;
	if (c->snap && !sqlite3_stmt_readonly(s->st))
		sq_snapshot(base, false); /* a write runs on its own, never inside the snapshot */
	int rc = bind_all(s, p, np);
	if (rc != SQLITE_OK) {
		log_error("msg=\"bind failed\" err=\"%s\" sql=\"%.120s\"", sqlite3_errstr(rc), q->sql);
		sqlite3_reset(s->st);
		sqlite3_clear_bindings(s->st);
		return DB_ERR;
	}
	int cols = sqlite3_column_count(s->st);
	int nrows = 0, cap = 0;
	dbv *rows = NULL;
	dbv small[32];
	int result;
	for (;;) {
		rc = sqlite3_step(s->st);
		if (rc != SQLITE_ROW)
			break;
		if (cb) {
			dbv *row = small;
			if (cols > 32) {
				log_error("msg=\"too many columns for streaming\" sql=\"%.120s\"", q->sql);
				sqlite3_reset(s->st);
				sqlite3_clear_bindings(s->st);
				return DB_ERR;
			}
			read_row(s->st, cols, row, NULL);
			nrows++;
			if (cb(ctx, row, cols))
				break;
		} else if (out) {
			if (nrows == cap) {
				int ncap = cap ? cap * 2 : 16;
				rows = arena_realloc(a, rows, sizeof(dbv) * (size_t)cap * (size_t)cols,
				                     sizeof(dbv) * (size_t)ncap * (size_t)cols);
				cap = ncap;
			}
			read_row(s->st, cols, rows + (size_t)nrows * (size_t)cols, a);
			nrows++;
		} else {
			nrows++;
		}
	}
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		result = (out || cb) ? nrows : sqlite3_changes(c->h);
	} else {
		result = map_rc(rc);
		if (result == 0)
			result = DB_ERR;
		if (result != DB_CONSTRAINT && result != DB_BUSY)
			log_error("msg=\"statement failed\" err=\"%s\" sql=\"%.120s\"", sqlite3_errmsg(c->h),
			          q->sql);
		if (c->base.depth > 0)
			c->base.failed = true;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	if (out) {
		out->n = nrows;
		out->cols = cols;
		out->v = rows;
	}
	return result;
}

static int sq_script(dbc *base, const char *sql)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("msg=\"script failed\" err=\"%s\"", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return map_rc(rc) ? map_rc(rc) : DB_ERR;
	}
	return 0;
}

static int simple(struct sqlite_conn *c, enum tx_op op)
{
	if (!c->tx[op] && sqlite3_prepare_v2(c->h, tx_sql[op], -1, &c->tx[op], NULL) != SQLITE_OK)
		return DB_ERR;
	int rc = sqlite3_step(c->tx[op]);
	sqlite3_reset(c->tx[op]);
	return rc == SQLITE_DONE ? 0 : (map_rc(rc) ? map_rc(rc) : DB_ERR);
}

static void sq_snapshot(dbc *base, bool on)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	if (on && !c->snap && sqlite3_get_autocommit(c->h)) {
		c->snap = simple(c, TX_BEGIN) == 0; /* deferred: the read lock comes with the first read */
	} else if (!on && c->snap) {
		c->snap = false;
		if (!sqlite3_get_autocommit(c->h) && simple(c, TX_COMMIT) != 0)
			simple(c, TX_ROLLBACK);
	}
}

static int writer_wal_hook(void *p, sqlite3 *h, const char *name, int frames)
{
	if (frames >= CKPT_FRAMES + CKPT_FRAMES / 2) {
		/* Here, between batches: the WAL starts again from its beginning only after a
		 * checkpoint that nothing wrote behind. Most of it is copied by then (below). */
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	} else if (frames >= CKPT_FRAMES) {
		atomic_store(&((struct sqlite_conn *)p)->ckpt_due, true);
	}
	return SQLITE_OK;
}

static void sq_writer_opened(dbc *base)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	sqlite3_wal_hook(c->h, writer_wal_hook, c); /* replaces the automatic checkpoint */
}

static void sq_checkpoint_due(dbc *base)
{
	struct sqlite_conn *w = (struct sqlite_conn *)base->d->writer;
	if (!w || !atomic_exchange(&w->ckpt_due, false))
		return;
	/* PASSIVE: copies what no reader still needs, while the next batch appends to the WAL. */
	int rc = sqlite3_wal_checkpoint_v2(((struct sqlite_conn *)base)->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn("msg=\"checkpoint failed\" err=\"%s\"", sqlite3_errstr(rc));
}

static void *sq_defer_sync(dbc *base)
{
	return sq_walbuf_defer(((struct sqlite_conn *)base)->h);
}

static bool sq_sync_owed(void *token)
{
	return sq_walbuf_deferred(token);
}

static int sq_sync_deferred(void *token)
{
	if (sq_walbuf_sync(token) == 0)
		return 0;
	log_error("msg=\"WAL sync failed\"");
	return DB_ERR;
}

static void sq_release_memory(dbc *base)
{
	sqlite3_db_release_memory(((struct sqlite_conn *)base)->h);
}

static int sq_begin(dbc *base)
{
	sq_snapshot(base, false);
	return simple((struct sqlite_conn *)base, TX_BEGIN_IMMEDIATE);
}

static int sq_commit(dbc *base)
{
	return simple((struct sqlite_conn *)base, TX_COMMIT);
}

static int sq_rollback(dbc *base)
{
	struct sqlite_conn *c = (struct sqlite_conn *)base;
	if (sqlite3_get_autocommit(c->h))
		return 0;
	return simple(c, TX_ROLLBACK);
}

static const char *sq_errmsg(dbc *base)
{
	return sqlite3_errmsg(((struct sqlite_conn *)base)->h);
}

const struct db_engine db_sqlite_engine = {
	.name = "sqlite",
	.migration_dir = "src/db/migrations/sqlite/",
	.open = sq_open,
	.close = sq_close,
	.run = sq_run,
	.script = sq_script,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.snapshot = sq_snapshot,
	.writer_opened = sq_writer_opened,
	.checkpoint_due = sq_checkpoint_due,
	.release_memory = sq_release_memory,
	.defer_sync = sq_defer_sync,
	.sync_owed = sq_sync_owed,
	.sync_deferred = sq_sync_deferred,
	.lock_migrations = NULL,
	.errmsg = sq_errmsg,
};
