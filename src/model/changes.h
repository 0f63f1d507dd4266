/* changes.h: the change log that tells every node (and process) sharing a database that
 * content changed, so their page caches drop what they hold. */
#ifndef CC_CHANGES_H
#define CC_CHANGES_H
#include <stdint.h>

#include "db/db.h"

/* Records that content changed (PostgreSQL: a row in `changes`; SQLite needs nothing, as
 * PRAGMA data_version already moves when another connection commits). */
int changes_record(dbc *c);
/* A number that moves whenever another connection changed the database; < 0 rc on error. */
int64_t changes_token(dbc *c, int *rc);
/* Drops change rows older than cutoff (keeping the newest). */
int changes_prune(dbc *c, int64_t cutoff);

#endif
