/* token.c: personal access tokens: create (hash kept), look up with the user, list, revoke. */
#include "model/token.h"

#include <string.h>

#include "core/util.h"
#include "model/session.h"

static const dbq q_create = {
	"INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6)",
	NULL};

char *token_create(dbc *c, arena *a, int64_t user_id, const char *name, bool write)
{
	char *raw = arena_printf(a, "cc_%s", util_token(a, 32));
	char *prefix = arena_strndup(a, raw, 10);
	if (db_exec(c, &q_create,
	            DBP(dbi(user_id), dbs(name), dbs(session_hash(a, raw)), dbs(prefix),
	                dbs(write ? "write" : "read"), dbi(util_now()))) < 0)
		return NULL;
	return raw;
}

static const dbq q_lookup = {
	"SELECT u.id, u.username, u.email, u.role, u.display_name, u.title, u.bio, u.status, "
	"u.created_at, t.scope, t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
	"WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'",
	NULL};
static const dbq q_touch = {"UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", NULL};

int token_lookup(dbc *c, arena *a, const char *raw, user *u, bool *write)
{
	if (!raw || strncmp(raw, "cc_", 3) != 0 || strlen(raw) != 46)
		return 0;
	dbrows r;
	int rc = db_query(c, &q_lookup, DBP(dbs(session_hash(a, raw))), a, &r);
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
	*write = strcmp(db_text(&r, 0, 9), "write") == 0;
	int64_t now = util_now();
	/* Last use is kept to the minute so busy scripts do not write on every call. */
	if (now - db_int(&r, 0, 11) > 60)
		db_exec(c, &q_touch, DBP(dbi(db_int(&r, 0, 10)), dbi(now)));
	return 1;
}

static const dbq q_list = {
	"SELECT id, name, prefix, scope, created_at, last_used_at FROM api_tokens "
	"WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
	NULL};

int token_list(dbc *c, arena *a, int64_t user_id, api_token **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBP(dbi(user_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, api_token, rc);
	for (int i = 0; i < rc; i++) {
		api_token *t = &(*out)[i];
		t->id = db_int(&r, i, 0);
		t->name = db_text(&r, i, 1);
		t->prefix = db_text(&r, i, 2);
		t->scope = db_text(&r, i, 3);
		t->created_at = db_int(&r, i, 4);
		t->last_used_at = db_int(&r, i, 5);
	}
	return rc;
}

static const dbq q_revoke = {
	"UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL", NULL};

int token_revoke(dbc *c, int64_t user_id, int64_t id)
{
	return db_exec(c, &q_revoke, DBP(dbi(id), dbi(user_id), dbi(util_now())));
}

static const dbq q_count = {
	"SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", NULL};

int64_t token_count(dbc *c, int64_t user_id)
{
	int rc;
	int64_t n = db_scalar(c, &q_count, DBP(dbi(user_id)), 0, &rc);
	return rc < 0 ? rc : n;
}
