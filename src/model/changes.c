/* changes.c: change tokens for cache invalidation across processes and nodes. */
#include "model/changes.h"

#include "core/util.h"

/* SQLite: data_version changes when another connection commits; PostgreSQL: the newest row
 * of the changes log. */
static const dbq q_token = {"PRAGMA data_version", "SELECT coalesce(max(id), 0) FROM changes"};
static const dbq q_record = {"SELECT 0", "INSERT INTO changes (at) VALUES ($1)"};
static const dbq q_prune = {"SELECT $1", "DELETE FROM changes WHERE at < $1 AND id < (SELECT max(id) FROM changes)"};

int changes_record(dbc *c)
{
	if (!db_conn_is_postgres(c))
		return 0; /* the commit itself moved data_version */
	return db_exec(c, &q_record, DBP(dbi(util_now())));
}

int64_t changes_token(dbc *c, int *rc)
{
	return db_scalar(c, &q_token, DBNOP, 0, rc);
}

int changes_prune(dbc *c, int64_t cutoff)
{
	return db_exec(c, &q_prune, DBP(dbi(cutoff)));
}
