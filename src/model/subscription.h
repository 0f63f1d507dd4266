/* subscription.h: email updates on a topic or a question, and the newsletter. */
#ifndef CC_SUBSCRIPTION_H
#define CC_SUBSCRIPTION_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

typedef struct subscription {
	int64_t id, target_id, user_id, confirmed_at, created_at;
	const char *kind, *email, *mode;
	const char *target_name, *target_url; /* topic name, question title or "Health newsletter" */
} subscription;

/* A member's subscription: confirmed at once (their address is theirs). Returns the id. */
int64_t sub_member(dbc *c, arena *a, const char *kind, int64_t target_id, int64_t user_id,
                   const char *email, const char *mode);
/* A guest's: unconfirmed, and a confirmation email is queued in the same transaction (not
 * again within 10 minutes, so nobody can flood an address). Nothing is sent when the address
 * is already confirmed. Returns the id or < 0. */
int64_t sub_guest(dbc *c, arena *a, const char *kind, int64_t target_id, const char *email,
                  const char *mode, const char *what);
/* The same double opt-in for a member whose address is not verified yet (user_id is kept). */
int64_t sub_unverified_member(dbc *c, arena *a, const char *kind, int64_t target_id, int64_t user_id,
                              const char *email, const char *mode, const char *what);
int sub_get(dbc *c, arena *a, int64_t id, subscription *out);
/* The member's subscription of this kind and target (0 none); *confirmed says if it is. */
int64_t sub_of_user(dbc *c, int64_t user_id, const char *kind, int64_t target_id, bool *confirmed);
/* Confirms; 1 done (or already), 0 no such subscription. */
int sub_confirm(dbc *c, int64_t id);
/* Deletes it and any of its messages not yet sent. */
int sub_delete(dbc *c, arena *a, int64_t id);
/* Every subscription of an address (the preferences page). */
int sub_list_email(dbc *c, arena *a, const char *email, subscription **out);
int sub_list_user(dbc *c, arena *a, int64_t user_id, subscription **out);
/* Switches a topic subscription between immediate and daily. */
int sub_set_mode(dbc *c, int64_t id, const char *mode);

#endif
