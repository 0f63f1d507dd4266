/* credential.h: verified guides: credentials an admin records, their state, and the audit trail. */
#ifndef CC_CREDENTIAL_H
#define CC_CREDENTIAL_H
#include <stdint.h>

#include "db/db.h"

enum { CRED_FIELD_MAX = 120 };

typedef struct credential {
	int64_t user_id;
	const char *profession, *specialty, *registration_number, *issuing_body;
	int64_t verified_by;
	const char *verified_by_name; /* "" when the verifier is gone */
	int64_t verified_at, expires_at, revoked_at; /* expires_at, revoked_at: 0 = none */
	const char *revoked_reason;
} credential;

typedef struct credential_event {
	int64_t created_at;
	const char *actor_name, *action, *detail;
} credential_event;

enum cred_state { CRED_NONE = 0, CRED_VALID = 1, CRED_LAPSED = -1 };

int credential_get(dbc *c, arena *a, int64_t user_id, credential *out);
/* CRED_VALID, CRED_LAPSED (expired or revoked) or CRED_NONE; < -1 is a database error. */
int credential_state(dbc *c, int64_t user_id, int64_t now);
/* Records or updates (clearing any revocation), with an audit event, in one transaction. */
int credential_save(dbc *c, arena *a, const credential *cr, int64_t actor_id);
/* Revokes with a reason, with an audit event, in one transaction. 0 when there is nothing to revoke. */
int credential_revoke(dbc *c, arena *a, int64_t user_id, int64_t actor_id, const char *reason);
/* The audit trail, newest first. */
int credential_events(dbc *c, arena *a, int64_t user_id, credential_event **out);

typedef struct guide_row {
	const char *username, *display_name, *title, *profession;
	int state; /* enum cred_state */
	int64_t expires_at;
} guide_row;

/* Every guide with the state of their credentials, by name (the admin's list). */
int credential_guides(dbc *c, arena *a, int64_t now, guide_row **out);

#endif
