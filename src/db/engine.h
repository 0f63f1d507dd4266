/* engine.h: what a database engine implements behind db.h. */
#ifndef CC_DB_ENGINE_H
#define CC_DB_ENGINE_H
#include <pthread.h>
#include <stdatomic.h>

#include "db/db.h"

typedef int (*db_row_cb)(void *ctx, const dbv *row, int cols);

struct db_engine {
	const char *name;
	const char *migration_dir; /* embedded prefix, e.g. "src/db/migrations/sqlite/" */
	dbc *(*open)(db *d, char *err, size_t errlen);
	void (*close)(dbc *c);
	/* Runs q; delivers rows to cb when set, else copies them to a/out. Returns rows or changes. */
	int (*run)(dbc *c, const dbq *q, const dbv *p, int np, arena *a, dbrows *out, db_row_cb cb,
	           void *ctx);
	int (*script)(dbc *c, const char *sql);
	int (*begin)(dbc *c);
	int (*commit)(dbc *c);
	int (*rollback)(dbc *c);
	/* Starts (on) or ends a read snapshot shared by the following reads; may be NULL. */
	void (*snapshot)(dbc *c, bool on);
	/* Makes c the group-commit connection (db.writer): its commits leave checkpoints to
	 * checkpoint_due instead of running them while every queued post waits; may be NULL. */
	void (*writer_opened)(dbc *c);
	/* Called by a leader once its batch is done and the next leader may start: checkpoints on
	 * c (the leader's own connection) if the writer's commits asked for it; may be NULL. */
	void (*checkpoint_due)(dbc *c);
	/* Early lock release for the writer (may be NULL): defer_sync before db_commit makes the
	 * commit write the log without waiting for the disk (returns a token, or NULL if it
	 * cannot); sync_owed after it says whether that wait was left out, and sync_deferred(token)
	 * does it (any thread, while the connection goes on with the next transaction). */
	void *(*defer_sync)(dbc *c);
	bool (*sync_owed)(void *token);
	int (*sync_deferred)(void *token);
	/* Frees what c holds and no longer needs (SQLite: its page cache, which another
	 * connection's next commit would empty anyway); may be NULL. */
	void (*release_memory)(dbc *c);
	/* Serializes migrations across processes (advisory lock); may be NULL. */
	int (*lock_migrations)(dbc *c, bool lock);
	const char *(*errmsg)(dbc *c);
};

struct db {
	const struct db_engine *e;
	char *url;    /* path for SQLite, conninfo for PostgreSQL */
	char *sync;
	int key_ok;
	unsigned long key; /* pthread_key_t for the thread's connection */
	/* Group commit: writers queue their transactions; one of them (the leader) runs the
	 * whole queue in one transaction and one commit, then wakes the others. */
	bool group;
	pthread_mutex_t gm;
	struct gjob *ghead, **gtail;
	bool gleader;
	/* The leaders' own connection, opened by the first one: only the leader of the moment
	 * uses it, and since only it writes, its page cache stays warm from batch to batch. */
	dbc *writer;
	atomic_int nopen;  /* connections open (for /metrics) */
	atomic_int ntx;    /* connections inside a transaction */
};

/* Every connection starts with this header. */
struct dbc {
	const struct db_engine *e;
	db *d;
	int depth; /* transaction nesting */
	bool failed; /* an inner step failed: the outer commit rolls back */
	bool plan_each_run; /* db_plan_each_run */
};

extern const struct db_engine db_sqlite_engine;
extern const struct db_engine db_postgres_engine;

#endif
