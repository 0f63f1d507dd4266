/* session.h: login sessions kept in the database (so every node sees them). Only a hash
 * of the cookie token is stored. */
#ifndef CC_SESSION_H
#define CC_SESSION_H
#include <stdint.h>

#include "db/db.h"
#include "model/user.h"

enum { SESSION_TTL = 30 * 86400 };

/* Hex BLAKE2b of a raw token, the form stored in sessions.token_hash. */
char *session_hash(arena *a, const char *token);
/* Creates a session and returns the raw cookie token (NULL on error). */
char *session_create(dbc *c, arena *a, int64_t user_id);
/* Finds the active user of a token; 1 found, 0 not, < 0 error. Refreshes last_seen hourly. */
int session_lookup(dbc *c, arena *a, const char *token, user *out);
int session_delete(dbc *c, arena *a, const char *token);
/* Ends every session of a user (logout everywhere, password change). */
int session_delete_user(dbc *c, int64_t user_id);
/* Removes expired sessions; returns how many. */
int session_purge(dbc *c);

#endif
