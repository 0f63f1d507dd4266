/* subscription.c: subscribe (members at once, guests by double opt-in), confirm, unsubscribe. */
#include "model/subscription.h"

#include <string.h>

#include "core/util.h"
#include "mail/mail.h"

#define S_COLS                                                                                     \
	"s.id, s.target_id, COALESCE(s.user_id, 0), COALESCE(s.confirmed_at, 0), s.created_at, s.kind, " \
	"s.email, s.mode, COALESCE(t.name, q.title, 'Health newsletter'), "                              \
	"CASE WHEN s.kind = 'topic' THEN '/' || t.slug WHEN s.kind = 'question' THEN '/' || qt.slug || " \
	"'/questions/' || q.id || '-' || q.slug ELSE '/newsletter' END"
#define S_FROM                                                                                     \
	" FROM subscriptions s LEFT JOIN topics t ON s.kind = 'topic' AND t.id = s.target_id "          \
	"LEFT JOIN questions q ON s.kind = 'question' AND q.id = s.target_id "                           \
	"LEFT JOIN topics qt ON qt.id = q.topic_id "

static void read_s(const dbrows *r, int i, subscription *s)
{
	s->id = db_int(r, i, 0);
	s->target_id = db_int(r, i, 1);
	s->user_id = db_int(r, i, 2);
	s->confirmed_at = db_int(r, i, 3);
	s->created_at = db_int(r, i, 4);
	s->kind = db_text(r, i, 5);
	s->email = db_text(r, i, 6);
	s->mode = db_text(r, i, 7);
	s->target_name = db_text(r, i, 8);
	s->target_url = db_text(r, i, 9);
}

static const dbq q_find = {
	"SELECT id, COALESCE(confirmed_at, 0), created_at FROM subscriptions "
	"WHERE kind = $1 AND target_id = $2 AND email = $3",
	NULL};
static const dbq q_insert = {
	"INSERT INTO subscriptions (kind, target_id, user_id, email, mode, confirmed_at, created_at, "
	"last_digest_at, digest_qid) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, "
	"(SELECT COALESCE(MAX(id), 0) FROM questions)) RETURNING id",
	NULL};
static const dbq q_member_update = {
	"UPDATE subscriptions SET user_id = $2, mode = $3, confirmed_at = COALESCE(confirmed_at, $4) WHERE id = $1",
	NULL};
static const dbq q_recent_confirm = {
	"SELECT COUNT(*) FROM outbox WHERE kind = 'confirm' AND to_addr = $1 AND created_at > $2", NULL};
static const dbq q_guest_update = {
	"UPDATE subscriptions SET mode = $2, created_at = $3 WHERE id = $1", NULL};

struct sub_ctx {
	arena *a;
	const char *kind, *email, *mode, *what;
	int64_t target, user_id, id;
};

static int member_tx(dbc *c, void *p)
{
	struct sub_ctx *x = p;
	dbrows r;
	int64_t now = util_now();
	int rc = db_query(c, &q_find, DBP(dbs(x->kind), dbi(x->target), dbs(x->email)), x->a, &r);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		x->id = db_int(&r, 0, 0);
		rc = db_exec(c, &q_member_update, DBP(dbi(x->id), dbi(x->user_id), dbs(x->mode), dbi(now)));
		return rc < 0 ? rc : 1;
	}
	rc = db_query(c, &q_insert, DBP(dbs(x->kind), dbi(x->target), dbi(x->user_id), dbs(x->email), dbs(x->mode),
	                                 dbi(now), dbi(now)),
	              x->a, &r);
	if (rc < 0)
		return rc;
	x->id = db_int(&r, 0, 0);
	return 1;
}

int64_t sub_member(dbc *c, arena *a, const char *kind, int64_t target_id, int64_t user_id,
                   const char *email, const char *mode)
{
	struct sub_ctx x = {a, kind, email, mode, NULL, target_id, user_id, 0};
	int rc = db_tx(c, member_tx, &x);
	return rc < 0 ? rc : x.id;
}

static int guest_tx(dbc *c, void *p)
{
	struct sub_ctx *x = p;
	dbrows r;
	int64_t now = util_now();
	int rc = db_query(c, &q_find, DBP(dbs(x->kind), dbi(x->target), dbs(x->email)), x->a, &r);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		x->id = db_int(&r, 0, 0);
		if (db_int(&r, 0, 1) || now - db_int(&r, 0, 2) < 600)
			return 1; /* confirmed already, or a confirmation went out minutes ago */
		rc = db_exec(c, &q_guest_update, DBP(dbi(x->id), dbs(x->mode), dbi(now)));
	} else {
		rc = db_query(c, &q_insert, DBP(dbs(x->kind), dbi(x->target), x->user_id ? dbi(x->user_id) : dbnull(),
		                                 dbs(x->email), dbs(x->mode), dbnull(), dbi(now)),
		              x->a, &r);
		if (rc > 0)
			x->id = db_int(&r, 0, 0);
	}
	if (rc < 0)
		return rc;
	/* One confirmation per address per 10 minutes, whatever was asked for: the guest can
	 * confirm the others from the preferences page that link leads to. */
	int64_t recent = db_scalar(c, &q_recent_confirm, DBP(dbs(x->email), dbi(now - 600)), 0, &rc);
	if (rc < 0)
		return rc;
	if (recent > 0)
		return 1;
	char *confirm = mail_sub_url(x->a, x->id, "confirm");
	mail_doc d = {
		.kind = "confirm",
		.to = x->email,
		.subject = arena_printf(x->a, "Please confirm: %s", x->what),
		.heading = "Please confirm your email address",
		.intro = arena_printf(x->a, "Someone, probably you, asked to receive %s at this address. "
		                            "Nothing will be sent until you confirm.",
		                      x->what),
		.button_label = "Yes, send me these emails",
		.button_url = confirm,
		.outro = "If this was not you, ignore this message: the request is deleted after a week "
		         "and we will not write again.",
	};
	int64_t id = mail_queue(c, x->a, &d);
	return id < 0 ? (int)id : 1;
}

int64_t sub_guest(dbc *c, arena *a, const char *kind, int64_t target_id, const char *email,
                  const char *mode, const char *what)
{
	struct sub_ctx x = {a, kind, email, mode, what, target_id, 0, 0};
	int rc = db_tx(c, guest_tx, &x);
	return rc < 0 ? rc : x.id;
}

int64_t sub_unverified_member(dbc *c, arena *a, const char *kind, int64_t target_id, int64_t user_id,
                              const char *email, const char *mode, const char *what)
{
	struct sub_ctx x = {a, kind, email, mode, what, target_id, user_id, 0};
	int rc = db_tx(c, guest_tx, &x);
	return rc < 0 ? rc : x.id;
}

static const dbq q_get = {"SELECT " S_COLS S_FROM "WHERE s.id = $1", NULL};

int sub_get(dbc *c, arena *a, int64_t id, subscription *out)
{
	dbrows r;
	int rc = db_query(c, &q_get, DBP(dbi(id)), a, &r);
	if (rc == 1)
		read_s(&r, 0, out);
	return rc;
}

static const dbq q_of_user = {
	"SELECT id, COALESCE(confirmed_at, 0) FROM subscriptions WHERE user_id = $1 AND kind = $2 AND target_id = $3",
	NULL};

int64_t sub_of_user(dbc *c, int64_t user_id, const char *kind, int64_t target_id, bool *confirmed)
{
	dbrows r;
	arena *a = arena_new(4096);
	int rc = db_query(c, &q_of_user, DBP(dbi(user_id), dbs(kind), dbi(target_id)), a, &r);
	int64_t id = rc == 1 ? db_int(&r, 0, 0) : 0;
	if (confirmed)
		*confirmed = rc == 1 && db_int(&r, 0, 1) != 0;
	arena_free(a);
	return rc < 0 ? rc : id;
}

static const dbq q_confirm = {
	"UPDATE subscriptions SET confirmed_at = COALESCE(confirmed_at, $2) WHERE id = $1", NULL};

int sub_confirm(dbc *c, int64_t id)
{
	return db_exec(c, &q_confirm, DBP(dbi(id), dbi(util_now())));
}

static const dbq q_delete = {"DELETE FROM subscriptions WHERE id = $1", NULL};
static const dbq q_cancel = {"DELETE FROM outbox WHERE status = 'queued' AND unsub_url = $1", NULL};

struct del_ctx {
	arena *a;
	int64_t id;
	int n;
};

static int delete_tx(dbc *c, void *p)
{
	struct del_ctx *x = p;
	int rc = db_exec(c, &q_delete, DBP(dbi(x->id)));
	if (rc < 0)
		return rc;
	x->n = rc;
	/* Stop at once: messages for it still waiting in the outbox are dropped too. */
	rc = db_exec(c, &q_cancel, DBP(dbs(mail_sub_url(x->a, x->id, "unsubscribe"))));
	return rc < 0 ? rc : 1;
}

int sub_delete(dbc *c, arena *a, int64_t id)
{
	struct del_ctx x = {a, id, 0};
	int rc = db_tx(c, delete_tx, &x);
	return rc < 0 ? rc : x.n;
}

static int many(dbc *c, arena *a, const dbq *q, const dbv *p, int np, subscription **out)
{
	dbrows r;
	int rc = db_query(c, q, p, np, a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, subscription, rc + 1);
	for (int i = 0; i < rc; i++)
		read_s(&r, i, &(*out)[i]);
	return rc;
}

static const dbq q_by_email = {"SELECT " S_COLS S_FROM "WHERE s.email = $1 ORDER BY s.kind, s.id", NULL};
static const dbq q_by_user = {"SELECT " S_COLS S_FROM "WHERE s.user_id = $1 ORDER BY s.kind, s.id", NULL};

int sub_list_email(dbc *c, arena *a, const char *email, subscription **out)
{
	return many(c, a, &q_by_email, DBP(dbs(email)), out);
}

int sub_list_user(dbc *c, arena *a, int64_t user_id, subscription **out)
{
	return many(c, a, &q_by_user, DBP(dbi(user_id)), out);
}

static const dbq q_mode = {"UPDATE subscriptions SET mode = $2 WHERE id = $1 AND kind = 'topic'", NULL};

int sub_set_mode(dbc *c, int64_t id, const char *mode)
{
	return db_exec(c, &q_mode, DBP(dbi(id), dbs(mode)));
}
