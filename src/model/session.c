/* session.c: session tokens: create, look up with the user, rotate and end. */
#include "model/session.h"

#include <sodium.h>
#include <string.h>

#include "core/util.h"

char *session_hash(arena *a, const char *token)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	return util_hex(a, h, sizeof h);
}

static const dbq q_create = {
	"INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen) "
	"VALUES ($1, $2, $3, $4, $3)",
	NULL};

char *session_create(dbc *c, arena *a, int64_t user_id)
{
	char *token = util_token(a, 32);
	int64_t now = util_now();
	if (db_exec(c, &q_create,
	            DBP(dbs(session_hash(a, token)), dbi(user_id), dbi(now), dbi(now + SESSION_TTL))) < 0)
		return NULL;
	return token;
}

static const dbq q_lookup = {
	"SELECT u.id, u.username, u.email, u.role, u.display_name, u.title, u.bio, u.status, "
	"u.created_at, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status = 'active'",
	NULL};
static const dbq q_touch = {
	"UPDATE sessions SET last_seen = $2, expires_at = $3 WHERE token_hash = $1", NULL};

int session_lookup(dbc *c, arena *a, const char *token, user *u)
{
	if (!token || strlen(token) != 43)
		return 0;
	char *h = session_hash(a, token);
	int64_t now = util_now();
	dbrows r;
	int rc = db_query(c, &q_lookup, DBP(dbs(h), dbi(now)), a, &r);
	if (rc <= 0)
		return rc;
	u->id = db_int(&r, 0, 0);
	u->username = db_text(&r, 0, 1);
	u->email = db_text(&r, 0, 2);
	int role = role_parse(db_text(&r, 0, 3));
	u->role = role < 0 ? ROLE_MEMBER : (enum role)role;
	u->display_name = db_text(&r, 0, 4);
	u->title = db_text(&r, 0, 5);
	u->bio = db_text(&r, 0, 6);
	u->status = db_text(&r, 0, 7);
	u->created_at = db_int(&r, 0, 8);
	if (now - db_int(&r, 0, 9) > 3600)
		db_exec(c, &q_touch, DBP(dbs(h), dbi(now), dbi(now + SESSION_TTL)));
	return 1;
}

static const dbq q_delete = {"DELETE FROM sessions WHERE token_hash = $1", NULL};
static const dbq q_delete_user = {"DELETE FROM sessions WHERE user_id = $1", NULL};
static const dbq q_purge = {"DELETE FROM sessions WHERE expires_at <= $1", NULL};

int session_delete(dbc *c, arena *a, const char *token)
{
	return db_exec(c, &q_delete, DBP(dbs(session_hash(a, token))));
}

int session_delete_user(dbc *c, int64_t user_id)
{
	return db_exec(c, &q_delete_user, DBP(dbi(user_id)));
}

int session_purge(dbc *c)
{
	return db_exec(c, &q_purge, DBP(dbi(util_now())));
}
