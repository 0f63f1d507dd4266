/* token.h: personal access tokens for the JSON API. A token is shown once when created; only
 * its BLAKE2b hash is stored. Scope "read" allows GET, "write" also allows creating posts. */
#ifndef CC_TOKEN_H
#define CC_TOKEN_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "model/user.h"

enum { TOKEN_NAME_MAX = 60, TOKENS_PER_USER = 20 };

typedef struct api_token {
	int64_t id, created_at, last_used_at;
	const char *name, *prefix, *scope;
} api_token;

/* Creates a token for user_id; returns the raw token ("cc_…", shown once) or NULL. */
char *token_create(dbc *c, arena *a, int64_t user_id, const char *name, bool write);
/* The active user of a raw token: 1 found (write tells the scope), 0 not, < 0 error. */
int token_lookup(dbc *c, arena *a, const char *raw, user *out, bool *write);
/* A user's tokens that are not revoked, newest first. */
int token_list(dbc *c, arena *a, int64_t user_id, api_token **out);
/* Revokes one of the user's tokens; returns 1, 0 when not theirs, < 0 error. */
int token_revoke(dbc *c, int64_t user_id, int64_t id);
int64_t token_count(dbc *c, int64_t user_id);

#endif
