/* db.c: engine-independent part of the database interface: handles, transactions, migrations. */
#include "db/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/embedded.h"
#include "core/log.h"
#include "core/util.h"
#include "db/engine.h"

const char *db_text(const dbrows *r, int row, int col)
{
	const dbv *v = db_cell(r, row, col);
	return (v->t == DBT_TEXT || v->t == DBT_BLOB) ? v->s : "";
}

int64_t db_int(const dbrows *r, int row, int col)
{
	const dbv *v = db_cell(r, row, col);
	switch (v->t) {
	case DBT_INT: return v->i;
	case DBT_REAL: return (int64_t)v->d;
	case DBT_TEXT: return strtoll(v->s, NULL, 10);
	default: return 0;
	}
}

double db_real(const dbrows *r, int row, int col)
{
	const dbv *v = db_cell(r, row, col);
	switch (v->t) {
	case DBT_INT: return (double)v->i;
	case DBT_REAL: return v->d;
	case DBT_TEXT: return strtod(v->s, NULL);
	default: return 0;
	}
}

bool db_isnull(const dbrows *r, int row, int col)
{
	return db_cell(r, row, col)->t == DBT_NULL;
}

static void conn_destroy(void *p)
{
	dbc *c = p;
	if (c) {
		atomic_fetch_sub(&c->d->nopen, 1);
		c->e->close(c);
	}
}

db *db_open(const char *url, const char *sync, char *err, size_t errlen)
{
	const struct db_engine *e;
	const char *target;
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		e = &db_postgres_engine;
		target = url;
	} else {
		e = &db_sqlite_engine;
		target = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	}
	db *d = calloc(1, sizeof *d);
	d->e = e;
	d->url = strdup(target);
	d->sync = strdup(sync && *sync ? sync : "FULL");
	pthread_key_t key;
	if (pthread_key_create(&key, conn_destroy) != 0) {
		snprintf(err, errlen, "cannot create thread key");
		db_close(d);
		return NULL;
	}
	d->key = (unsigned long)key;
	d->key_ok = 1;
	d->group = true;
	pthread_mutex_init(&d->gm, NULL);
	d->ghead = NULL;
	d->gtail = &d->ghead;
	/* Open this thread's connection now so a bad URL is reported at once. */
	dbc *c = e->open(d, err, errlen);
	if (!c) {
		db_close(d);
		return NULL;
	}
	atomic_fetch_add(&d->nopen, 1);
	pthread_setspecific((pthread_key_t)d->key, c);
	return d;
}

void db_close(db *d)
{
	if (!d)
		return;
	if (d->key_ok) {
		db_conn_release(d);
		pthread_key_delete((pthread_key_t)d->key);
	}
	if (d->writer) {
		atomic_fetch_sub(&d->nopen, 1);
		d->writer->e->close(d->writer);
	}
	pthread_mutex_destroy(&d->gm);
	free(d->url);
	free(d->sync);
	free(d);
}

void db_set_group_commit(db *d, bool on)
{
	d->group = on;
}

const char *db_engine_name(const db *d)
{
	return d->e->name;
}

bool db_conn_is_postgres(const dbc *c)
{
	return c->e == &db_postgres_engine;
}

dbc *db_conn(db *d)
{
	dbc *c = pthread_getspecific((pthread_key_t)d->key);
	if (c)
		return c;
	char err[512];
	c = d->e->open(d, err, sizeof err);
	if (!c) {
		log_error("msg=\"database open failed\" err=\"%s\"", err);
		return NULL;
	}
	atomic_fetch_add(&d->nopen, 1);
	pthread_setspecific((pthread_key_t)d->key, c);
	return c;
}

void db_pool_stats(db *d, int *open, int *in_tx)
{
	*open = atomic_load(&d->nopen);
	*in_tx = atomic_load(&d->ntx);
}

void db_conn_release(db *d)
{
	dbc *c = pthread_getspecific((pthread_key_t)d->key);
	if (c) {
		pthread_setspecific((pthread_key_t)d->key, NULL);
		atomic_fetch_sub(&d->nopen, 1);
		c->e->close(c);
	}
}

int db_query(dbc *c, const dbq *q, const dbv *p, int np, arena *a, dbrows *out)
{
	out->n = out->cols = 0;
	out->v = NULL;
	return c->e->run(c, q, p, np, a, out, NULL, NULL);
}

void db_plan_each_run(dbc *c, bool on)
{
	c->plan_each_run = on;
}

int db_exec(dbc *c, const dbq *q, const dbv *p, int np)
{
	return c->e->run(c, q, p, np, NULL, NULL, NULL, NULL);
}

int db_each(dbc *c, const dbq *q, const dbv *p, int np, db_row_cb cb, void *ctx)
{
	return c->e->run(c, q, p, np, NULL, NULL, cb, ctx);
}

struct scalar_ctx {
	int64_t v;
	bool seen;
};

static int scalar_cb(void *ctx, const dbv *row, int cols)
{
	struct scalar_ctx *s = ctx;
	if (cols > 0) {
		s->v = row[0].t == DBT_INT ? row[0].i
		       : row[0].t == DBT_TEXT ? strtoll(row[0].s, NULL, 10)
		       : row[0].t == DBT_REAL ? (int64_t)row[0].d
		                              : 0;
		s->seen = row[0].t != DBT_NULL;
	}
	return 1;
}

int64_t db_scalar(dbc *c, const dbq *q, const dbv *p, int np, int64_t dflt, int *rc)
{
	struct scalar_ctx s = {dflt, false};
	int r = db_each(c, q, p, np, scalar_cb, &s);
	if (rc)
		*rc = r;
	return s.seen ? s.v : dflt;
}

int db_begin(dbc *c)
{
	if (c->depth++ > 0)
		return 0;
	c->failed = false;
	int rc = c->e->begin(c);
	if (rc < 0)
		c->depth = 0;
	else
		atomic_fetch_add(&c->d->ntx, 1);
	return rc;
}

int db_commit(dbc *c)
{
	if (c->depth <= 0)
		return DB_ERR;
	if (--c->depth > 0)
		return 0;
	atomic_fetch_sub(&c->d->ntx, 1);
	if (c->failed) {
		c->e->rollback(c);
		return DB_ERR;
	}
	int rc = c->e->commit(c);
	if (rc < 0)
		c->e->rollback(c);
	return rc;
}

void db_rollback(dbc *c)
{
	if (c->depth <= 0)
		return;
	if (--c->depth > 0) {
		c->failed = true;
		return;
	}
	atomic_fetch_sub(&c->d->ntx, 1);
	c->e->rollback(c);
}

static void backoff(int attempt)
{
	struct timespec ts = {0, (long)(1 + attempt * attempt) * 2000000L};
	nanosleep(&ts, NULL);
}

/* One transaction, one commit. */
static int tx_alone(dbc *c, int (*fn)(dbc *c, void *ctx), void *ctx)
{
	int rc = DB_BUSY;
	for (int attempt = 0; attempt < 8; attempt++) {
		rc = db_begin(c);
		if (rc >= 0) {
			rc = fn(c, ctx);
			if (rc >= 0) {
				int crc = db_commit(c);
				if (crc < 0)
					rc = crc;
				else
					return rc;
			} else {
				db_rollback(c);
			}
		}
		if (rc != DB_BUSY)
			return rc;
		backoff(attempt);
	}
	return rc;
}

struct gjob {
	int (*fn)(dbc *c, void *ctx);
	void *ctx;
	int rc;
	bool done;
	pthread_cond_t cv; /* its thread waits here: woken when done, or to lead */
	struct gjob *next;
};

/* Runs each job of a batch inside the leader's open transaction. With savepoints, each job is
 * wrapped in its own, so one failing rolls back alone; without, the first failure stops the
 * pass (returns false) and the caller rolls everything back. Sets *busy on a lock conflict. */
static bool run_jobs(dbc *c, struct gjob *batch, bool savepoints, bool *busy)
{
	*busy = false;
	for (struct gjob *j = batch; j; j = j->next) {
		if (savepoints && db_script(c, "SAVEPOINT carecircle_group") < 0) {
			j->rc = DB_ERR;
			continue;
		}
		c->failed = false;
		j->rc = j->fn(c, j->ctx);
		if (j->rc >= 0 && c->failed)
			j->rc = DB_ERR;
		c->failed = false;
		*busy |= j->rc == DB_BUSY;
		if (savepoints) {
			if (j->rc < 0)
				db_script(c, "ROLLBACK TO SAVEPOINT carecircle_group");
			db_script(c, "RELEASE SAVEPOINT carecircle_group");
		} else if (j->rc < 0) {
			return false;
		}
	}
	return true;
}

/* The leader runs a batch of queued transactions in one transaction. The first pass runs them
 * one after another with no savepoints: a savepoint makes the full-text index write out what it
 * holds, a segment per post, and the jobs almost never fail. When one does fail, the batch is
 * rolled back and run again with a savepoint per job, so that only the failing one is undone.
 * A lock conflict reruns the whole batch. */
static void run_batch(dbc *c, struct gjob *batch, void **owed)
{
	*owed = NULL;
	bool several = batch->next != NULL, savepoints = false;
	int rc = DB_BUSY;
	for (int attempt = 0; attempt < 8; attempt++) {
		if (attempt)
			backoff(attempt - 1);
		rc = db_begin(c);
		if (rc < 0)
			continue;
		bool busy;
		bool clean = run_jobs(c, batch, savepoints, &busy);
		if (busy) {
			db_rollback(c);
			rc = DB_BUSY;
			continue;
		}
		if (!several && batch->rc < 0) {
			db_rollback(c);
			return; /* the one job failed: its rc says why */
		}
		if (!clean) {
			/* A job failed with no savepoints: again, each job under its own (once). */
			db_rollback(c);
			savepoints = true;
			attempt--;
			continue;
		}
		/* The writer commits without waiting for the disk; tx_group waits for it once the
		 * next batch may start. */
		void *tok = c == c->d->writer && c->e->defer_sync ? c->e->defer_sync(c) : NULL;
		rc = db_commit(c);
		if (tok && c->e->sync_owed(tok) && rc >= 0)
			*owed = tok;
		if (rc >= 0 || rc != DB_BUSY)
			break;
	}
	if (rc < 0)
		for (struct gjob *j = batch; j; j = j->next)
			if (j->rc >= 0 || j->rc == DB_BUSY)
				j->rc = rc;
}

/* The connection a leader runs its batch on (the leader's own if the writer cannot open). */
static dbc *leader_conn(dbc *c)
{
	db *d = c->d;
	if (!d->writer) {
		char err[512];
		d->writer = d->e->open(d, err, sizeof err);
		if (!d->writer) {
			log_warn("msg=\"group commit connection not opened\" err=\"%s\"", err);
			return c;
		}
		atomic_fetch_add(&d->nopen, 1);
		if (d->e->writer_opened)
			d->e->writer_opened(d->writer);
	}
	return d->writer;
}

static int tx_group(dbc *c, int (*fn)(dbc *c, void *ctx), void *ctx)
{
	db *d = c->d;
	struct gjob job = {fn, ctx, 0, false, PTHREAD_COND_INITIALIZER, NULL};
	bool led = false;
	pthread_mutex_lock(&d->gm);
	*d->gtail = &job;
	d->gtail = &job.next;
	while (!job.done) {
		if (d->gleader || !d->ghead) {
			/* Each waiter sleeps on its own condition: a finished batch wakes its own jobs
			 * and the next leader, not every thread that waits. (Nothing queued and not
			 * done: our job is in a batch that waits for the disk, which wakes us.) */
			pthread_cond_wait(&job.cv, &d->gm);
			continue;
		}
		/* Lead: take everything queued so far (our own job included). */
		d->gleader = true;
		led = true;
		struct gjob *batch = d->ghead;
		d->ghead = NULL;
		d->gtail = &d->ghead;
		pthread_mutex_unlock(&d->gm);
		void *owed;
		run_batch(leader_conn(c), batch, &owed);
		pthread_mutex_lock(&d->gm);
		if (owed) {
			/* Early lock release: the batch is committed and visible, not yet on disk. The
			 * next leader starts now; this batch's posts are told only once it is durable. */
			d->gleader = false;
			if (d->ghead)
				pthread_cond_signal(&d->ghead->cv);
			pthread_mutex_unlock(&d->gm);
			int src = d->e->sync_deferred(owed);
			pthread_mutex_lock(&d->gm);
			if (src < 0)
				for (struct gjob *j = batch; j; j = j->next)
					if (j->rc >= 0)
						j->rc = src;
		}
		for (struct gjob *j = batch, *next; j; j = next) {
			next = j->next; /* j lives on its waiting thread's stack until done is seen */
			j->done = true;
			if (j != &job)
				pthread_cond_signal(&j->cv);
		}
		if (!owed) {
			d->gleader = false;
			if (d->ghead) /* queued meanwhile: its first thread leads the next batch */
				pthread_cond_signal(&d->ghead->cv);
		}
	}
	pthread_mutex_unlock(&d->gm);
	pthread_cond_destroy(&job.cv);
	/* A leader checkpoints (when due) after handing on: the next batch does not wait for it. */
	if (led && d->e->checkpoint_due)
		d->e->checkpoint_due(c);
	return job.rc;
}

void db_snapshot_begin(dbc *c)
{
	if (c && c->e->snapshot && c->depth == 0)
		c->e->snapshot(c, true);
}

void db_snapshot_end(dbc *c)
{
	if (c && c->e->snapshot)
		c->e->snapshot(c, false);
}

void db_release_memory(dbc *c)
{
	if (c && c->e->release_memory && c->depth == 0)
		c->e->release_memory(c);
}

int db_tx(dbc *c, int (*fn)(dbc *c, void *ctx), void *ctx)
{
	/* The write may run on another connection (group commit): reads after it must see it. */
	db_snapshot_end(c);
	if (c->depth > 0) {
		/* Inside an outer transaction: the outer one retries. */
		int rc = fn(c, ctx);
		if (rc < 0)
			c->failed = true;
		return rc;
	}
	if (!c->d->group)
		return tx_alone(c, fn, ctx);
	/* The batch runs on the writer: the pages this connection read wait in memory for
	 * nothing while it waits for the commit (and the next commit would drop them). */
	db_release_memory(c);
	return tx_group(c, fn, ctx);
}

bool db_batch_add(db_batch *b, const dbq *q, const dbv *p, int np, int64_t cap)
{
	if (b->n >= DB_BATCH_MAX || np > DB_BATCH_PARAMS)
		return false;
	b->s[b->n].q = q;
	for (int i = 0; i < np; i++)
		b->s[b->n].p[i] = p[i];
	b->s[b->n].np = np;
	b->s[b->n].cap = cap;
	b->n++;
	return true;
}

int db_batch_run(dbc *c, const db_batch *b)
{
	for (int i = 0; b && i < b->n; i++) {
		int rc = 0;
		if (b->s[i].cap > 0) {
			int64_t n = db_scalar(c, b->s[i].q, b->s[i].p, b->s[i].np, 0, &rc);
			if (rc >= 0 && n > b->s[i].cap)
				return DB_OVER;
		} else {
			rc = db_exec(c, b->s[i].q, b->s[i].p, b->s[i].np);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int db_script(dbc *c, const char *sql)
{
	return c->e->script(c, sql);
}

const char *db_errmsg(dbc *c)
{
	return c->e->errmsg(c);
}

const char *db_strerror(int rc)
{
	switch (rc) {
	case DB_BUSY: return "the database is busy";
	case DB_CONSTRAINT: return "the change conflicts with existing data";
	case DB_FULL: return "the disk is full";
	case DB_READONLY: return "the database is read-only";
	case DB_OVER: return "a limit was reached";
	default: return "the database failed";
	}
}

static const dbq q_mig_table = {
	"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
	"name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
	NULL};
static const dbq q_mig_has = {"SELECT 1 FROM schema_migrations WHERE version = $1", NULL};
static const dbq q_mig_add = {
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", NULL};

static int cmp_names(const void *a, const void *b)
{
	return strcmp((*(const struct embedded_file *const *)a)->name,
	              (*(const struct embedded_file *const *)b)->name);
}

int db_migrate(db *d, char *err, size_t errlen)
{
	dbc *c = db_conn(d);
	if (!c) {
		snprintf(err, errlen, "cannot connect to the database");
		return DB_ERR;
	}
	const char *dir = d->e->migration_dir;
	size_t dl = strlen(dir);
	const struct embedded_file *files[256];
	int nf = 0;
	for (const struct embedded_file *f = embedded_files; f->name && nf < 256; f++)
		if (strncmp(f->name, dir, dl) == 0)
			files[nf++] = f;
	qsort(files, (size_t)nf, sizeof files[0], cmp_names);

	if (d->e->lock_migrations && d->e->lock_migrations(c, true) < 0) {
		snprintf(err, errlen, "cannot take the migration lock: %s", db_errmsg(c));
		return DB_ERR;
	}
	int applied = 0, rc = db_exec(c, &q_mig_table, DBNOP);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create schema_migrations: %s", db_errmsg(c));
		goto out;
	}
	for (int i = 0; i < nf; i++) {
		const char *base = files[i]->name + dl;
		int64_t version = strtoll(base, NULL, 10);
		if (version <= 0)
			continue;
		int qrc;
		if (db_scalar(c, &q_mig_has, DBP(dbi(version)), 0, &qrc) == 1)
			continue;
		if (qrc < 0) {
			rc = qrc;
			snprintf(err, errlen, "cannot read schema_migrations: %s", db_errmsg(c));
			goto out;
		}
		rc = db_begin(c);
		if (rc >= 0)
			rc = db_script(c, files[i]->data);
		if (rc >= 0)
			rc = db_exec(c, &q_mig_add, DBP(dbi(version), dbs(base), dbi(util_now())));
		if (rc < 0) {
			snprintf(err, errlen, "migration %s failed: %s", base, db_errmsg(c));
			db_rollback(c);
			goto out;
		}
		rc = db_commit(c);
		if (rc < 0) {
			snprintf(err, errlen, "migration %s did not commit: %s", base, db_errmsg(c));
			goto out;
		}
		log_info("msg=\"migration applied\" name=%s", base);
		applied++;
	}
	rc = applied;
out:
	if (d->e->lock_migrations)
		d->e->lock_migrations(c, false);
	return rc;
}
