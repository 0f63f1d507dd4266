/* limits.h: rate limits kept in the database, so they hold across every node.
 *
 * Fixed windows: one row per (bucket, client, window start) counts the events of that window;
 * a client is a keyed hash of an address ("ip:" + MAC) or an account ("u:" + id), never a raw
 * address. */
#ifndef CC_LIMITS_H
#define CC_LIMITS_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Counts one event and returns the count in this window including it (< 0 on error). */
int64_t limit_hit(dbc *c, const char *bucket, const char *client, int window, int64_t now);
/* The same, run later inside the transaction of what it counts (db_batch_run): that
 * transaction fails with DB_OVER when the count including it passes cap. */
bool limit_hit_with(db_batch *b, const char *bucket, const char *client, int window, int64_t now, int64_t cap);
/* The count so far in this window, without counting. */
int64_t limit_peek(dbc *c, const char *bucket, const char *client, int window, int64_t now);
/* Marks this window of the client as reported; true only for the first caller. */
bool limit_report_once(dbc *c, const char *bucket, const char *client, int window, int64_t now);
/* Forgets every window of a client in a bucket (a successful login clears its failures). */
int limit_clear(dbc *c, const char *bucket, const char *client);
/* Drops windows that ended before cutoff. */
int limit_purge(dbc *c, int64_t cutoff);

#endif
