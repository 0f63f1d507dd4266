/* db.h: the one database interface; SQLite and PostgreSQL implement it (engine.h).
 *
 * Queries are named string literals with $1…$n placeholders and typed parameter
 * arrays; nothing is ever formatted into SQL. A query may carry a PostgreSQL
 * variant where the dialects differ (full-text search). Each thread owns its own
 * connection, opened on first use, with its prepared statements cached. */
#ifndef CC_DB_H
#define CC_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct db db;
typedef struct dbc dbc;

/* Results: >= 0 rows or changes; < 0 one of these. */
enum {
	DB_ERR = -1,        /* hard error (bug, bad SQL) */
	DB_BUSY = -2,       /* lock contention or serialization failure: retry the transaction */
	DB_CONSTRAINT = -3, /* unique or foreign key violation */
	DB_FULL = -4,       /* disk full */
	DB_READONLY = -5,   /* database or disk is read-only */
	DB_OVER = -6,       /* a capped counter in a db_batch went over its cap */
};

enum db_type { DBT_NULL, DBT_INT, DBT_REAL, DBT_TEXT, DBT_BLOB };

typedef struct dbv {
	enum db_type t;
	int64_t i;
	double d;
	const char *s; /* TEXT (NUL-terminated) or BLOB */
	size_t n;
} dbv;

static inline dbv dbi(int64_t v) { return (dbv){.t = DBT_INT, .i = v}; }
static inline dbv dbnull(void) { return (dbv){.t = DBT_NULL}; }
/* NULL pointer binds SQL NULL. */
static inline dbv dbs(const char *s)
{
	return s ? (dbv){.t = DBT_TEXT, .s = s, .n = __builtin_strlen(s)} : (dbv){.t = DBT_NULL};
}
static inline dbv dbblob(const void *p, size_t n) { return (dbv){.t = DBT_BLOB, .s = p, .n = n}; }
static inline dbv dbreal(double v) { return (dbv){.t = DBT_REAL, .d = v}; }

typedef struct dbq {
	const char *sql;    /* runs on SQLite, and on PostgreSQL when pg is NULL */
	const char *pg;     /* PostgreSQL text where it differs */
} dbq;

typedef struct dbrows {
	int n, cols;
	dbv *v; /* row-major, copied into the caller's arena */
} dbrows;

#define DBP(...) (const dbv[]){__VA_ARGS__}, (int)(sizeof((const dbv[]){__VA_ARGS__}) / sizeof(dbv))
#define DBNOP NULL, 0

/* Cell accessors: text of NULL is "", int of NULL is 0. */
static inline const dbv *db_cell(const dbrows *r, int row, int col) { return &r->v[row * r->cols + col]; }
const char *db_text(const dbrows *r, int row, int col);
int64_t db_int(const dbrows *r, int row, int col);
double db_real(const dbrows *r, int row, int col);
bool db_isnull(const dbrows *r, int row, int col);

/* Opens the process-wide handle for a URL (path, sqlite:PATH, postgres://…).
 * sync is "FULL" or "NORMAL" for SQLite. Returns NULL with a message in err. */
db *db_open(const char *url, const char *sync, char *err, size_t errlen);
void db_close(db *d);
const char *db_engine_name(const db *d); /* "sqlite" or "postgres" */
/* True when the connection talks to PostgreSQL (for engine-specific query text). */
bool db_conn_is_postgres(const dbc *c);

/* This thread's connection, opened on first use (NULL if it cannot be opened). */
dbc *db_conn(db *d);
/* Connections open and connections inside a transaction right now (for /metrics). */
void db_pool_stats(db *d, int *open, int *in_tx);
/* Closes this thread's connection (worker threads call it before exiting). */
void db_conn_release(db *d);

/* Runs a query; rows are copied into a. Returns the row count or an error. */
int db_query(dbc *c, const dbq *q, const dbv *p, int np, arena *a, dbrows *out);
/* PostgreSQL: while on, statements on c are planned with their values on every run instead of
 * prepared once. For the few queries whose best plan depends on the values (full-text search: a
 * rare word wants the GIN index, a common one the newest rows first), where a cached generic plan
 * has to guess. SQLite plans every run anyway. */
void db_plan_each_run(dbc *c, bool on);
/* Runs a statement that returns no rows; returns the number of changed rows or an error. */
int db_exec(dbc *c, const dbq *q, const dbv *p, int np);
/* Streams rows to cb (return non-zero from cb to stop early). Returns rows seen or an error. */
int db_each(dbc *c, const dbq *q, const dbv *p, int np,
            int (*cb)(void *ctx, const dbv *row, int cols), void *ctx);
/* Convenience: first column of the first row as an integer, or dflt when no row. */
int64_t db_scalar(dbc *c, const dbq *q, const dbv *p, int np, int64_t dflt, int *rc);

/* A page's reads share one snapshot and one read lock (SQLite: one deferred transaction,
 * instead of a lock and unlock around every query), until db_snapshot_end. Any write ends the
 * snapshot first, so a write never runs inside it and reads after it see it. No-op on
 * engines where it does not help (PostgreSQL). */
void db_snapshot_begin(dbc *c);
void db_snapshot_end(dbc *c);
/* Lets go of memory c holds for nothing now (SQLite: the pages it read; another connection's
 * next commit would make it read them again anyway). Cheap; NULL is ignored. */
void db_release_memory(dbc *c);

/* Transactions nest: only the outermost begin/commit reach the engine. */
int db_begin(dbc *c);
int db_commit(dbc *c);
void db_rollback(dbc *c);
/* Runs fn inside a write transaction, retrying DB_BUSY a few times. fn returns >= 0 to commit.
 * It returns only once the transaction is durable. With group commit on (the default),
 * transactions from concurrent threads share one commit: each runs under its own savepoint,
 * so one that fails is rolled back alone. fn may run on another thread's connection and
 * must only touch the database through the dbc it is given. */
int db_tx(dbc *c, int (*fn)(dbc *c, void *ctx), void *ctx);
/* Small writes that must commit with a transaction's own, not in transactions of their own
 * (each would cost a durable commit): a post's rate-limit counter and repeat-check hash are
 * collected while the post is checked and run inside the post's transaction. A statement with
 * a cap must return a count (RETURNING); above the cap the transaction fails with DB_OVER and
 * rolls back, post and counter together. */
enum { DB_BATCH_MAX = 6, DB_BATCH_PARAMS = 4 };
typedef struct db_batch {
	int n;
	struct {
		const dbq *q;
		dbv p[DB_BATCH_PARAMS];
		int np;
		int64_t cap; /* 0 = none */
	} s[DB_BATCH_MAX];
} db_batch;
/* Adds a statement (parameters are copied, strings are not: they must outlive the run).
 * False when the batch is full. */
bool db_batch_add(db_batch *b, const dbq *q, const dbv *p, int np, int64_t cap);
/* Runs every statement in order on c (inside the caller's transaction); NULL runs nothing. */
int db_batch_run(dbc *c, const db_batch *b);
/* Turns group commit on or off (off: one commit per transaction, for comparison). */
void db_set_group_commit(db *d, bool on);

/* Runs a constant multi-statement script (migrations only; never with data). */
int db_script(dbc *c, const char *sql);
const char *db_errmsg(dbc *c);

/* Applies the embedded numbered migrations for this engine. Returns the count applied or < 0. */
int db_migrate(db *d, char *err, size_t errlen);

/* A short human sentence for an error code, for error pages. */
const char *db_strerror(int rc);

#endif
