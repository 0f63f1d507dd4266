/* postgres.c: the PostgreSQL engine (libpq): per-connection prepared statements, SQLSTATE mapping. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/engine.h"

/* Type OIDs from pg_type.h (server headers are not a client dependency). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

enum { CACHE_SIZE = 512, MAX_STREAM_COLS = 32, MAX_PARAMS = 255 };

/* Key for pg_advisory_lock while migrating: "care". */
#define MIGRATION_LOCK_KEY "1667330661"

struct pg_slot {
	const dbq *q;
	char name[16];
	int nparams; /* highest $N in the text */
	Oid *types;  /* declared at prepare time, nparams entries */
};

struct pg_conn {
	struct dbc base;
	PGconn *h;
	unsigned next_id; /* statement names s1, s2, … */
	char err[512];    /* last failure, kept past the rollback that follows it */
	struct pg_slot cache[CACHE_SIZE];
};

static void notice_cb(void *arg, const char *msg)
{
	(void)arg;
	char line[256];
	size_t n = 0;
	for (const char *s = msg; *s && *s != '\n' && n < sizeof line - 1; s++)
		line[n++] = *s == '"' ? '\'' : *s;
	line[n] = 0;
	log_warn("msg=\"postgres notice\" err=\"%s\"", line);
}

/* Keeps a one-line copy of the failure message for errmsg() and logfmt lines. */
static void set_err(struct pg_conn *c, const char *msg)
{
	if (!msg || !*msg)
		msg = PQerrorMessage(c->h);
	size_t n = 0;
	for (const char *s = msg; *s && n < sizeof c->err - 1; s++)
		c->err[n++] = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s == '"' ? '\'' : *s;
	while (n > 0 && c->err[n - 1] == ' ')
		n--;
	c->err[n] = 0;
}

static void cache_clear(struct pg_conn *c)
{
	for (int i = 0; i < CACHE_SIZE; i++)
		free(c->cache[i].types);
	memset(c->cache, 0, sizeof c->cache);
}

/* Session settings; run after every (re)connect because a reset loses them. */
static int setup(struct pg_conn *c)
{
	PGresult *r = PQexec(c->h, "SET client_min_messages = warning; SET client_encoding = 'UTF8'");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : DB_ERR;
	if (rc < 0)
		set_err(c, PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

/* Reconnects a broken connection; only called outside transactions. */
static bool reconnect(struct pg_conn *c)
{
	log_warn("msg=\"postgres connection lost, resetting\" err=\"%s\"", c->err);
	cache_clear(c);
	PQreset(c->h);
	if (PQstatus(c->h) != CONNECTION_OK) {
		set_err(c, NULL);
		log_error("msg=\"postgres reset failed\" err=\"%s\"", c->err);
		return false;
	}
	return setup(c) == 0;
}

/* Before an operation: a connection known to be broken is reset when that is safe. */
static bool usable(struct pg_conn *c, bool may_reset)
{
	if (PQstatus(c->h) == CONNECTION_OK)
		return true;
	if (!may_reset) {
		set_err(c, NULL);
		return false;
	}
	return reconnect(c);
}

static int map_state(const char *state)
{
	if (!state || strlen(state) != 5)
		return DB_ERR;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "53100") == 0)
		return DB_FULL;
	if (strcmp(state, "25006") == 0)
		return DB_READONLY;
	return DB_ERR;
}

/* Records a failed result r (may be NULL) and returns its code. The caller still owns r. */
static int fail(struct pg_conn *c, PGresult *r, const char *what, const char *sql)
{
	set_err(c, r ? PQresultErrorMessage(r) : NULL);
	int rc = map_state(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL);
	if (rc != DB_CONSTRAINT && rc != DB_BUSY) {
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		log_error("msg=\"%s\" state=%s err=\"%s\" sql=\"%.120s\"", what, state ? state : "none",
		          c->err, sql ? sql : "");
	}
	if (c->base.depth > 0)
		c->base.failed = true;
	else if (PQstatus(c->h) != CONNECTION_OK)
		reconnect(c);
	return rc;
}

static void pg_close(dbc *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	cache_clear(c);
	PQfinish(c->h);
	free(c);
}

static dbc *pg_open(db *d, char *err, size_t errlen)
{
	dbc *res = NULL;
	struct pg_conn *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base.e = d->e;
	c->base.d = d;
	c->h = PQconnectdb(d->url);
	if (!c->h || PQstatus(c->h) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to postgres: %s",
		         c->h ? PQerrorMessage(c->h) : "out of memory");
		goto out;
	}
	PQsetNoticeProcessor(c->h, notice_cb, NULL);
	if (setup(c) < 0) {
		snprintf(err, errlen, "cannot configure the postgres session: %s", c->err);
		goto out;
	}
	res = &c->base;
out:
	if (!res) {
		/* libpq messages end in a newline. */
		err[strcspn(err, "\n")] = 0;
		pg_close(&c->base);
	}
	return res;
}

/* Highest $N placeholder outside string literals and quoted identifiers. */
static int count_params(const char *sql)
{
	int max = 0;
	char quote = 0;
	for (const char *s = sql; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
			if (!*s)
				break;
		} else if (*s == '$' && s[1] >= '0' && s[1] <= '9') {
			char *end;
			long n = strtol(s + 1, &end, 10);
			if (n > max)
				max = n > MAX_PARAMS + 1 ? MAX_PARAMS + 1 : (int)n;
			s = end - 1;
		}
	}
	return max;
}

static Oid param_type(const dbv *v)
{
	switch (v->t) {
	case DBT_INT: return OID_INT8;
	case DBT_REAL: return OID_FLOAT8;
	case DBT_BLOB: return OID_BYTEA;
	default: return 0; /* TEXT and NULL: the server infers the type from the context */
	}
}

/* True when a non-NULL parameter would be sent with another type than the statement declares. */
static bool types_differ(const struct pg_slot *s, const dbv *p)
{
	for (int k = 0; k < s->nparams; k++)
		if (p[k].t != DBT_NULL && param_type(&p[k]) != s->types[k])
			return true;
	return false;
}

/* Finds q's statement, preparing it with the types of p (np >= its parameter count when it is
 * new) if needed; NULL with *rc on failure. */
static struct pg_slot *prepare(struct pg_conn *c, const dbq *q, const char *sql, const dbv *p,
                               int np, int *rc)
{
	size_t h = ((uintptr_t)q >> 3) % CACHE_SIZE;
	struct pg_slot *s = NULL;
	for (size_t i = 0; i < CACHE_SIZE && !s; i++) {
		struct pg_slot *t = &c->cache[(h + i) % CACHE_SIZE];
		if (t->q == q) {
			if (t->nparams > np || !types_differ(t, p))
				return t;
			/* Other parameter types than its first call: prepare it anew in this slot. */
			s = t;
		} else if (t->q == NULL) {
			s = t;
		}
	}
	if (!s) {
		/* Cache full: should not happen with a fixed set of queries. */
		log_error("msg=\"statement cache full\"");
		*rc = DB_ERR;
		return NULL;
	}
	int n = count_params(sql);
	if (n > MAX_PARAMS) {
		log_error("msg=\"too many parameters\" sql=\"%.120s\"", sql);
		*rc = DB_ERR;
		return NULL;
	}
	Oid *types = calloc((size_t)n + 1, sizeof(Oid));
	if (!types) {
		*rc = DB_ERR;
		return NULL;
	}
	for (int k = 0; k < n && k < np; k++)
		types[k] = param_type(&p[k]);
	char name[sizeof s->name];
	snprintf(name, sizeof name, "s%u", ++c->next_id);
	PGresult *r = PQprepare(c->h, name, sql, n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		/* fail() may reset the connection, which empties the cache (and s). */
		*rc = fail(c, r, "prepare failed", sql);
		PQclear(r);
		free(types);
		return NULL;
	}
	PQclear(r);
	if (s->q) {
		/* Drop the statement this one replaces; the name is ours ("sN"), never data. */
		char sql_dealloc[40];
		snprintf(sql_dealloc, sizeof sql_dealloc, "DEALLOCATE %s", s->name);
		PQclear(PQexec(c->h, sql_dealloc));
	}
	free(s->types);
	s->q = q;
	s->nparams = n;
	s->types = types;
	memcpy(s->name, name, sizeof name);
	return s;
}

static int64_t parse_int(const char *s)
{
	return strtoll(s, NULL, 10);
}

/* Converts one result row. With a, text and blobs are copied into it; without, text points
 * into r and blobs into buffers listed in frees (released by the caller after the callback). */
static void read_row(PGresult *r, int row, int cols, dbv *out, arena *a, unsigned char **frees)
{
	for (int j = 0; j < cols; j++) {
		dbv *v = &out[j];
		if (frees)
			frees[j] = NULL;
		if (PQgetisnull(r, row, j)) {
			*v = (dbv){.t = DBT_NULL};
			continue;
		}
		const char *s = PQgetvalue(r, row, j);
		size_t n = (size_t)PQgetlength(r, row, j);
		switch (PQftype(r, j)) {
		case OID_INT2:
		case OID_INT4:
		case OID_INT8: *v = (dbv){.t = DBT_INT, .i = parse_int(s)}; break;
		case OID_FLOAT4:
		case OID_FLOAT8:
		case OID_NUMERIC: *v = (dbv){.t = DBT_REAL, .d = strtod(s, NULL)}; break;
		case OID_BOOL: *v = (dbv){.t = DBT_INT, .i = s[0] == 't'}; break;
		case OID_BYTEA: {
			size_t bn = 0;
			unsigned char *b = PQunescapeBytea((const unsigned char *)s, &bn);
			if (!b) {
				*v = (dbv){.t = DBT_BLOB, .s = "", .n = 0};
				log_error("msg=\"bytea decode failed\"");
				break;
			}
			*v = (dbv){.t = DBT_BLOB, .n = bn};
			if (a) {
				char *cp = arena_alloc(a, bn + 1);
				if (bn)
					memcpy(cp, b, bn);
				cp[bn] = 0;
				v->s = cp;
				PQfreemem(b);
			} else {
				v->s = (const char *)b;
				frees[j] = b;
			}
			break;
		}
		default:
			*v = (dbv){.t = DBT_TEXT, .n = n};
			if (a) {
				char *cp = arena_alloc(a, n + 1);
				if (n)
					memcpy(cp, s, n);
				cp[n] = 0;
				v->s = cp;
			} else {
				v->s = s;
			}
		}
	}
}

static int deliver(PGresult *r, arena *a, dbrows *out, db_row_cb cb, void *ctx)
{
	int rows = PQntuples(r), cols = PQnfields(r);
	if (cb) {
		if (cols > MAX_STREAM_COLS) {
			log_error("msg=\"too many columns for streaming\"");
			return DB_ERR;
		}
		dbv row[MAX_STREAM_COLS];
		unsigned char *frees[MAX_STREAM_COLS];
		int seen = 0;
		for (int i = 0; i < rows; i++) {
			read_row(r, i, cols, row, NULL, frees);
			seen++;
			int stop = cb(ctx, row, cols);
			for (int j = 0; j < cols; j++)
				if (frees[j])
					PQfreemem(frees[j]);
			if (stop)
				break;
		}
		return seen;
	}
	dbv *v = NULL;
	if (rows > 0 && cols > 0) {
		v = arena_alloc(a, sizeof(dbv) * (size_t)rows * (size_t)cols);
		for (int i = 0; i < rows; i++)
			read_row(r, i, cols, v + (size_t)i * (size_t)cols, a, NULL);
	}
	out->n = rows;
	out->cols = cols;
	out->v = v;
	return rows;
}

static int pg_run(dbc *base, const dbq *q, const dbv *p, int np, arena *a, dbrows *out,
                  db_row_cb cb, void *ctx)
{
	struct pg_conn *c = (struct pg_conn *)base;
	const char *sql = q->pg ? q->pg : q->sql;
	struct pg_slot *s = NULL;
	PGresult *r = NULL;
	const char **vals = NULL;
	int *lens = NULL, *fmts = NULL;
	char(*num)[32] = NULL;
	char **copies = NULL;
	int n = 0, rc = DB_ERR;

	if (out) {
		out->n = out->cols = 0;
		out->v = NULL;
	}
	c->err[0] = 0;
	if (!usable(c, c->base.depth == 0)) {
		log_error("msg=\"postgres connection unusable\" err=\"%s\"", c->err);
		goto out;
	}
	Oid types[MAX_PARAMS];
	if (c->base.plan_each_run) {
		/* An unnamed statement, planned with these values (db_plan_each_run). */
		n = count_params(sql);
		if (n > MAX_PARAMS) {
			log_error("msg=\"too many parameters\" sql=\"%.120s\"", sql);
			goto out;
		}
		for (int k = 0; k < n && k < np; k++)
			types[k] = param_type(&p[k]);
	} else {
		s = prepare(c, q, sql, p, np, &rc);
		if (!s)
			goto out;
		n = s->nparams;
	}
	if (n > np) {
		snprintf(c->err, sizeof c->err, "statement needs %d parameters, got %d", n, np);
		log_error("msg=\"bind failed\" err=\"%s\" sql=\"%.120s\"", c->err, sql);
		goto out;
	}
	if (n > 0) {
		vals = calloc((size_t)n, sizeof *vals);
		lens = calloc((size_t)n, sizeof *lens);
		fmts = calloc((size_t)n, sizeof *fmts);
		num = calloc((size_t)n, sizeof *num);
		copies = calloc((size_t)n, sizeof *copies);
		if (!vals || !lens || !fmts || !num || !copies) {
			snprintf(c->err, sizeof c->err, "out of memory");
			goto out;
		}
	}
	for (int k = 0; k < n; k++) {
		const dbv *v = &p[k];
		switch (v->t) {
		case DBT_INT:
			snprintf(num[k], sizeof num[k], "%lld", (long long)v->i);
			vals[k] = num[k];
			break;
		case DBT_REAL:
			snprintf(num[k], sizeof num[k], "%.17g", v->d);
			vals[k] = num[k];
			break;
		case DBT_TEXT:
			if (v->s && v->s[v->n] != 0) {
				/* Text format reads up to a terminator, so end the copy at n. */
				copies[k] = malloc(v->n + 1);
				if (!copies[k]) {
					snprintf(c->err, sizeof c->err, "out of memory");
					goto out;
				}
				memcpy(copies[k], v->s, v->n);
				copies[k][v->n] = 0;
				vals[k] = copies[k];
			} else {
				vals[k] = v->s ? v->s : "";
			}
			break;
		case DBT_BLOB:
			vals[k] = v->n ? v->s : "";
			lens[k] = (int)v->n;
			fmts[k] = 1;
			break;
		default: vals[k] = NULL; break;
		}
	}
	r = s ? PQexecPrepared(c->h, s->name, n, vals, lens, fmts, 0)
	      : PQexecParams(c->h, sql, n, types, vals, lens, fmts, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK && (out || cb)) {
		rc = deliver(r, a, out, cb, ctx);
	} else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		const char *t = (out || cb) ? "" : PQcmdTuples(r);
		rc = *t ? (int)parse_int(t) : 0;
	} else {
		rc = fail(c, r, "statement failed", sql);
	}
out:
	/* fail() marks the transaction itself; the local failures above do it here. */
	if (rc < 0 && c->base.depth > 0)
		c->base.failed = true;
	if (copies)
		for (int k = 0; k < n; k++)
			free(copies[k]);
	free(copies);
	free(num);
	free(fmts);
	free(lens);
	free(vals);
	PQclear(r);
	return rc;
}

/* Runs constant SQL without parameters (scripts, transaction control). */
static int simple(struct pg_conn *c, const char *sql, bool may_reset, const char **tag)
{
	c->err[0] = 0;
	if (!usable(c, may_reset))
		return DB_ERR;
	PGresult *r = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		rc = fail(c, r, "statement failed", sql);
	else if (tag && strcmp(PQcmdStatus(r), *tag) != 0)
		rc = DB_ERR;
	PQclear(r);
	return rc;
}

static int pg_script(dbc *base, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)base;
	return simple(c, sql, c->base.depth == 0, NULL);
}

static int pg_begin(dbc *base)
{
	/* Nothing is open yet on the server, so a broken connection may be reset. */
	return simple((struct pg_conn *)base, "BEGIN", true, NULL);
}

static int pg_commit(dbc *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	/* COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK. */
	const char *tag = "COMMIT";
	int rc = simple(c, "COMMIT", false, &tag);
	if (rc == DB_ERR && !c->err[0])
		snprintf(c->err, sizeof c->err, "the transaction was aborted and rolled back");
	return rc;
}

static int pg_rollback(dbc *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	if (PQstatus(c->h) != CONNECTION_OK) {
		/* The server ended the transaction with the connection. */
		reconnect(c);
		return 0;
	}
	if (PQtransactionStatus(c->h) == PQTRANS_IDLE)
		return 0;
	/* Keep the message of the failure that led here. */
	char keep[sizeof c->err];
	memcpy(keep, c->err, sizeof keep);
	PGresult *r = PQexec(c->h, "ROLLBACK");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : DB_ERR;
	PQclear(r);
	memcpy(c->err, keep, sizeof keep);
	return rc;
}

static const dbq q_lock = {"SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", NULL};
static const dbq q_unlock = {"SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", NULL};

static int pg_lock_migrations(dbc *base, bool lock)
{
	int rc = pg_run(base, lock ? &q_lock : &q_unlock, NULL, 0, NULL, NULL, NULL, NULL);
	return rc < 0 ? rc : 0;
}

static const char *pg_errmsg(dbc *base)
{
	struct pg_conn *c = (struct pg_conn *)base;
	if (c->err[0])
		return c->err;
	return PQerrorMessage(c->h);
}

const struct db_engine db_postgres_engine = {
	.name = "postgres",
	.migration_dir = "src/db/migrations/postgres/",
	.open = pg_open,
	.close = pg_close,
	.run = pg_run,
	.script = pg_script,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.lock_migrations = pg_lock_migrations,
	.errmsg = pg_errmsg,
};
