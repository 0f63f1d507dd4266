/* account_data.h: a member's data rights: everything about them as JSON, and closing the
 * account (posts kept as "Anonymous" or removed) in one transaction. docs/security.md, Privacy. */
#ifndef CC_ACCOUNT_DATA_H
#define CC_ACCOUNT_DATA_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Everything the site holds about user_id: profile, posts with their earlier versions, drafts,
 * ratings, helpful marks, subscriptions, sessions (session_hash marks the current one),
 * API tokens (no hashes), reports filed, images (no bytes), credentials, articles, moderation
 * actions about them and recent mail. Never another member's private data. Returns a new
 * reference (caller decrefs) or NULL with *rc set on a database error. */
json_t *account_export(dbc *c, arena *a, int64_t user_id, const char *session_hash, int *rc);

/* Closes the account in one transaction: with remove_posts the member's questions (and the
 * answers under them) and answers are deleted with everything attached; otherwise they stay
 * and show as "Anonymous". Ratings, drafts, sessions, tokens, subscriptions (also those made
 * with the address before signing up), mail still to be sent to the address and the user row
 * go. Returns 1, 0 when there is no such user, or < 0. */
int account_delete(dbc *c, int64_t user_id, bool remove_posts);

/* Active admins other than user_id (the last admin may not delete their account). < 0 on error. */
int64_t account_other_admins(dbc *c, int64_t user_id);

#endif
