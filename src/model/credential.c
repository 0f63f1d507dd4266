/* credential.c: guides' credentials and their audit trail. */
#include "model/credential.h"

#include <string.h>

#include "core/util.h"

static const dbq q_get = {
	"SELECT g.user_id, g.profession, g.specialty, g.registration_number, g.issuing_body, g.verified_by, "
	"coalesce(v.display_name, ''), g.verified_at, g.expires_at, g.revoked_at, g.revoked_reason "
	"FROM guide_credentials g LEFT JOIN users v ON v.id = g.verified_by WHERE g.user_id = $1",
	NULL};

int credential_get(dbc *c, arena *a, int64_t user_id, credential *out)
{
	dbrows r;
	int rc = db_query(c, &q_get, DBP(dbi(user_id)), a, &r);
	if (rc != 1)
		return rc;
	out->user_id = db_int(&r, 0, 0);
	out->profession = db_text(&r, 0, 1);
	out->specialty = db_text(&r, 0, 2);
	out->registration_number = db_text(&r, 0, 3);
	out->issuing_body = db_text(&r, 0, 4);
	out->verified_by = db_int(&r, 0, 5);
	out->verified_by_name = db_text(&r, 0, 6);
	out->verified_at = db_int(&r, 0, 7);
	out->expires_at = db_int(&r, 0, 8);
	out->revoked_at = db_int(&r, 0, 9);
	out->revoked_reason = db_text(&r, 0, 10);
	return 1;
}

static const dbq q_state = {
	"SELECT CASE WHEN revoked_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at <= $2) THEN -1 ELSE 1 END "
	"FROM guide_credentials WHERE user_id = $1",
	NULL};

int credential_state(dbc *c, int64_t user_id, int64_t now)
{
	int rc;
	int64_t v = db_scalar(c, &q_state, DBP(dbi(user_id), dbi(now)), 0, &rc);
	if (rc < 0)
		return rc - 1; /* keep errors apart from CRED_LAPSED */
	return (int)v;
}

static const dbq q_exists = {"SELECT count(*) FROM guide_credentials WHERE user_id = $1", NULL};
static const dbq q_upsert = {
	"INSERT INTO guide_credentials (user_id, profession, specialty, registration_number, issuing_body, "
	"verified_by, verified_at, expires_at, revoked_at, revoked_reason, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, '', $9) "
	"ON CONFLICT (user_id) DO UPDATE SET profession = excluded.profession, specialty = excluded.specialty, "
	"registration_number = excluded.registration_number, issuing_body = excluded.issuing_body, "
	"verified_by = excluded.verified_by, verified_at = excluded.verified_at, expires_at = excluded.expires_at, "
	"revoked_at = NULL, revoked_reason = '', updated_at = excluded.updated_at",
	NULL};
static const dbq q_event = {
	"INSERT INTO credential_events (user_id, actor_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
	NULL};
static const dbq q_revoke = {
	"UPDATE guide_credentials SET revoked_at = $2, revoked_reason = $3, updated_at = $2 "
	"WHERE user_id = $1 AND revoked_at IS NULL",
	NULL};

struct save_ctx {
	const credential *cr;
	arena *a;
	int64_t actor;
	const char *reason; /* revoke when set */
};

static int save_tx(dbc *c, void *p)
{
	struct save_ctx *x = p;
	const credential *cr = x->cr;
	int64_t now = util_now();
	int rc;
	const char *action, *detail;
	if (x->reason) {
		rc = db_exec(c, &q_revoke, DBP(dbi(cr->user_id), dbi(now), dbs(x->reason)));
		if (rc <= 0)
			return rc;
		action = "revoked";
		detail = arena_printf(x->a, "reason: %s", x->reason);
	} else {
		int64_t had = db_scalar(c, &q_exists, DBP(dbi(cr->user_id)), 0, &rc);
		if (rc < 0)
			return rc;
		rc = db_exec(c, &q_upsert,
		             DBP(dbi(cr->user_id), dbs(cr->profession), dbs(cr->specialty), dbs(cr->registration_number),
		                 dbs(cr->issuing_body), x->actor ? dbi(x->actor) : dbnull(), dbi(cr->verified_at),
		                 cr->expires_at ? dbi(cr->expires_at) : dbnull(), dbi(now)));
		if (rc < 0)
			return rc;
		action = had ? "updated" : "recorded";
		detail = arena_printf(x->a, "profession: %s; specialty: %s; registration: %s; issued by: %s; verified: %s; expires: %s",
		                      cr->profession, cr->specialty, cr->registration_number, cr->issuing_body,
		                      util_date(x->a, cr->verified_at),
		                      cr->expires_at ? util_date(x->a, cr->expires_at) : "never");
	}
	rc = db_exec(c, &q_event, DBP(dbi(cr->user_id), x->actor ? dbi(x->actor) : dbnull(), dbs(action), dbs(detail),
	                             dbi(now)));
	return rc < 0 ? rc : 1;
}

int credential_save(dbc *c, arena *a, const credential *cr, int64_t actor_id)
{
	struct save_ctx x = {cr, a, actor_id, NULL};
	return db_tx(c, save_tx, &x);
}

int credential_revoke(dbc *c, arena *a, int64_t user_id, int64_t actor_id, const char *reason)
{
	credential cr = {.user_id = user_id};
	struct save_ctx x = {&cr, a, actor_id, reason ? reason : ""};
	return db_tx(c, save_tx, &x);
}

static const dbq q_events = {
	"SELECT e.created_at, coalesce(u.display_name, 'system'), e.action, e.detail FROM credential_events e "
	"LEFT JOIN users u ON u.id = e.actor_id WHERE e.user_id = $1 ORDER BY e.id DESC",
	NULL};

int credential_events(dbc *c, arena *a, int64_t user_id, credential_event **out)
{
	dbrows r;
	int rc = db_query(c, &q_events, DBP(dbi(user_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, credential_event, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].created_at = db_int(&r, i, 0);
		(*out)[i].actor_name = db_text(&r, i, 1);
		(*out)[i].action = db_text(&r, i, 2);
		(*out)[i].detail = db_text(&r, i, 3);
	}
	return rc;
}

static const dbq q_guides = {
	"SELECT u.username, u.display_name, u.title, coalesce(g.profession, ''), "
	"CASE WHEN g.user_id IS NULL THEN 0 WHEN g.revoked_at IS NOT NULL OR (g.expires_at IS NOT NULL AND "
	"g.expires_at <= $1) THEN -1 ELSE 1 END, coalesce(g.expires_at, 0) "
	"FROM users u LEFT JOIN guide_credentials g ON g.user_id = u.id WHERE u.role = 'guide' "
	"ORDER BY u.display_name, u.id",
	NULL};

int credential_guides(dbc *c, arena *a, int64_t now, guide_row **out)
{
	dbrows r;
	int rc = db_query(c, &q_guides, DBP(dbi(now)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, guide_row, rc);
	for (int i = 0; i < rc; i++) {
		guide_row *g = &(*out)[i];
		g->username = db_text(&r, i, 0);
		g->display_name = db_text(&r, i, 1);
		g->title = db_text(&r, i, 2);
		g->profession = db_text(&r, i, 3);
		g->state = (int)db_int(&r, i, 4);
		g->expires_at = db_int(&r, i, 5);
	}
	return rc;
}
