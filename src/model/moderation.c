/* moderation.c: queue, flags, status changes with their counts, locks, suspensions, merges, log. */
#include "model/moderation.h"

#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "model/webhook.h"

static const dbq q_note = {
	"INSERT INTO post_mod (post_type, post_id, reason, crisis, spam_score, first_post, queued, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	"ON CONFLICT (post_type, post_id) DO UPDATE SET reason = excluded.reason, crisis = excluded.crisis, "
	"spam_score = excluded.spam_score, first_post = excluded.first_post, queued = excluded.queued, "
	"updated_at = excluded.updated_at",
	NULL};

int mod_note_post(dbc *c, const char *post_type, int64_t post_id, const mod_note *n, bool queue)
{
	return db_exec(c, &q_note,
	               DBP(dbs(post_type), dbi(post_id), dbs(n->reason ? n->reason : ""), dbi(n->crisis),
	                   dbi(n->spam_score), dbi(n->first_post), dbi(queue), dbi(util_now())));
}

const char *const flag_reasons[] = {"spam", "misinformation", "abuse", "privacy", "other", NULL};

const char *flag_reason_label(const char *reason)
{
	static const char *const labels[] = {"Spam or advertising", "Medical misinformation",
	                                     "Abusive or unkind", "Shares private information", "Something else"};
	for (int i = 0; flag_reasons[i]; i++)
		if (strcmp(reason, flag_reasons[i]) == 0)
			return labels[i];
	return reason;
}

static const dbq q_flag_dup = {
	"SELECT COUNT(*) FROM flags WHERE post_type = $1 AND post_id = $2 AND client = $3 AND resolved_at IS NULL",
	NULL};
static const dbq q_flag = {
	"INSERT INTO flags (post_type, post_id, user_id, client, reason, note, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
	NULL};
static const dbq q_queue = {
	"INSERT INTO post_mod (post_type, post_id, reason, queued, updated_at) VALUES ($1, $2, $3, 1, $4) "
	"ON CONFLICT (post_type, post_id) DO UPDATE SET queued = 1, updated_at = excluded.updated_at, "
	"reason = CASE WHEN post_mod.reason = '' THEN excluded.reason ELSE post_mod.reason END",
	NULL};

struct flag_ctx {
	const char *type, *client, *reason, *note;
	int64_t id, user_id, flag_id;
	arena *a;
};

static int flag_tx(dbc *c, void *p)
{
	struct flag_ctx *x = p;
	int rc = 0;
	if (db_scalar(c, &q_flag_dup, DBP(dbs(x->type), dbi(x->id), dbs(x->client)), 0, &rc) > 0) {
		x->flag_id = 0;
		return 0;
	}
	if (rc < 0)
		return rc;
	int64_t now = util_now();
	x->flag_id = db_scalar(c, &q_flag,
	                       DBP(dbs(x->type), dbi(x->id), x->user_id ? dbi(x->user_id) : dbnull(),
	                           dbs(x->client), dbs(x->reason), dbs(x->note), dbi(now)),
	                       -1, &rc);
	if (rc < 0)
		return rc;
	rc = db_exec(c, &q_queue, DBP(dbs(x->type), dbi(x->id), dbs("flagged by a reader"), dbi(now)));
	if (rc < 0)
		return rc;
	/* post.flagged for the webhooks, in the flag's transaction (never the reporter or the note). */
	rc = webhook_on_flag(c, x->a, x->type, x->id, x->reason);
	return rc < 0 ? rc : 1;
}

int64_t mod_flag(dbc *c, const char *post_type, int64_t post_id, int64_t user_id, const char *client,
                 const char *reason, const char *note)
{
	struct flag_ctx x = {post_type, client, reason, note ? note : "", post_id, user_id, 0, arena_new(4096)};
	int rc = db_tx(c, flag_tx, &x);
	arena_free(x.a);
	return rc < 0 ? rc : x.flag_id;
}

/* ---- the queue ---- */

#define POST_JOIN                                                                              \
	"LEFT JOIN questions q ON m.post_type = 'question' AND q.id = m.post_id "                 \
	"LEFT JOIN answers a ON m.post_type = 'answer' AND a.id = m.post_id "                     \
	"LEFT JOIN questions pq ON pq.id = COALESCE(q.id, a.question_id) "                        \
	"LEFT JOIN topics t ON t.id = pq.topic_id "                                               \
	"LEFT JOIN users u ON u.id = COALESCE(q.user_id, a.user_id) "

#define MODQ_SELECT                                                                            \
	"SELECT m.post_type, m.post_id, m.reason, m.crisis, m.spam_score, m.first_post, m.updated_at, " \
	"pq.title, COALESCE(q.body_md, a.body_md), COALESCE(q.status, a.status), t.slug, pq.id, "     \
	"COALESCE(u.username, q.guest_name, a.guest_name, ''), COALESCE(u.id, 0), "                   \
	"COALESCE(q.created_at, a.created_at), "                                                      \
	"(SELECT COUNT(*) FROM flags f WHERE f.post_type = m.post_type AND f.post_id = m.post_id "     \
	" AND f.resolved_at IS NULL), "                                                               \
	"(SELECT COUNT(*) FROM question_locks l WHERE l.question_id = pq.id) "

static const dbq q_list = {
	MODQ_SELECT "FROM post_mod m " POST_JOIN
	"WHERE m.queued = 1 AND pq.id IS NOT NULL "
	"ORDER BY m.crisis DESC, m.updated_at, m.post_id LIMIT $1",
	NULL};
/* One post, whether or not it has a post_mod row yet. */
static const dbq q_one = {
	"SELECT k.post_type, k.post_id, COALESCE(m.reason, ''), COALESCE(m.crisis, 0), "
	"COALESCE(m.spam_score, 0), COALESCE(m.first_post, 0), COALESCE(m.updated_at, 0), "
	"pq.title, COALESCE(q.body_md, a.body_md), COALESCE(q.status, a.status), t.slug, pq.id, "
	"COALESCE(u.username, q.guest_name, a.guest_name, ''), COALESCE(u.id, 0), "
	"COALESCE(q.created_at, a.created_at), "
	"(SELECT COUNT(*) FROM flags f WHERE f.post_type = k.post_type AND f.post_id = k.post_id "
	" AND f.resolved_at IS NULL), "
	"(SELECT COUNT(*) FROM question_locks l WHERE l.question_id = pq.id) "
	"FROM (SELECT CAST($1 AS TEXT) AS post_type, CAST($2 AS BIGINT) AS post_id) k "
	"LEFT JOIN post_mod m ON m.post_type = k.post_type AND m.post_id = k.post_id "
	"LEFT JOIN questions q ON k.post_type = 'question' AND q.id = k.post_id "
	"LEFT JOIN answers a ON k.post_type = 'answer' AND a.id = k.post_id "
	"LEFT JOIN questions pq ON pq.id = COALESCE(q.id, a.question_id) "
	"LEFT JOIN topics t ON t.id = pq.topic_id "
	"LEFT JOIN users u ON u.id = COALESCE(q.user_id, a.user_id) "
	"WHERE pq.id IS NOT NULL",
	NULL};

static const dbq q_flag_reasons = {
	"SELECT reason, note FROM flags WHERE post_type = $1 AND post_id = $2 AND resolved_at IS NULL "
	"ORDER BY id",
	NULL};

static int read_items(dbc *c, arena *a, int n, dbrows r, modq_item **out);

int modq_list(dbc *c, arena *a, int limit, modq_item **out)
{
	dbrows r;
	int n = db_query(c, &q_list, DBP(dbi(limit)), a, &r);
	return n < 0 ? n : read_items(c, a, n, r, out);
}

int modq_get(dbc *c, arena *a, const char *post_type, int64_t post_id, modq_item *out)
{
	dbrows r;
	modq_item *v;
	int n = db_query(c, &q_one, DBP(dbs(post_type), dbi(post_id)), a, &r);
	if (n <= 0)
		return n;
	read_items(c, a, 1, r, &v);
	*out = v[0];
	return 1;
}

static int read_items(dbc *c, arena *a, int n, dbrows r, modq_item **out)
{
	modq_item *v = ARENA_ARRAY(a, modq_item, n ? n : 1);
	for (int i = 0; i < n; i++) {
		modq_item *it = &v[i];
		it->post_type = db_text(&r, i, 0);
		it->post_id = db_int(&r, i, 1);
		it->reason = db_text(&r, i, 2);
		it->crisis = db_int(&r, i, 3) != 0;
		it->spam_score = (int)db_int(&r, i, 4);
		it->first_post = db_int(&r, i, 5) != 0;
		it->updated_at = db_int(&r, i, 6);
		it->title = db_text(&r, i, 7);
		it->body_md = db_text(&r, i, 8);
		it->status = db_text(&r, i, 9);
		it->topic_slug = db_text(&r, i, 10);
		it->question_id = db_int(&r, i, 11);
		it->author = db_text(&r, i, 12);
		it->author_id = db_int(&r, i, 13);
		it->created_at = db_int(&r, i, 14);
		it->flags = (int)db_int(&r, i, 15);
		it->locked = db_int(&r, i, 16) != 0;
		it->flag_reasons = "";
		if (it->flags) {
			dbrows fr;
			int k = db_query(c, &q_flag_reasons, DBP(dbs(it->post_type), dbi(it->post_id)), a, &fr);
			char *s = "";
			for (int j = 0; j < k; j++) {
				const char *note = db_text(&fr, j, 1);
				s = arena_printf(a, "%s%s%s%s%s%s", s, j ? "; " : "", flag_reason_label(db_text(&fr, j, 0)),
				                 *note ? " (" : "", note, *note ? ")" : "");
			}
			it->flag_reasons = s;
		}
	}
	*out = v;
	return n;
}

static const dbq q_count = {"SELECT COUNT(*) FROM post_mod WHERE queued = 1", NULL};

int64_t modq_count(dbc *c)
{
	int rc;
	int64_t n = db_scalar(c, &q_count, DBNOP, 0, &rc);
	return rc < 0 ? rc : n;
}

/* ---- actions ---- */

static const char *const action_names[] = {"approve", "hide",    "restore", "delete", "dismiss", "lock",
                                           "unlock",  "suspend", "merge",   "edit",   "scrape"};

const char *mod_action_name(enum mod_action a)
{
	return (unsigned)a < sizeof action_names / sizeof action_names[0] ? action_names[a] : "?";
}

int mod_action_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof action_names / sizeof action_names[0]; i++)
		if (strcmp(s, action_names[i]) == 0)
			return (int)i;
	return -1;
}

static const dbq q_log = {
	"INSERT INTO mod_log (moderator_id, action, post_type, post_id, target_user_id, reason, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)",
	NULL};

int mod_log_add(dbc *c, int64_t moderator_id, enum mod_action act, const char *post_type,
                int64_t post_id, int64_t target_user_id, const char *reason)
{
	return db_exec(c, &q_log,
	               DBP(moderator_id ? dbi(moderator_id) : dbnull(), dbs(mod_action_name(act)), dbs(post_type),
	                   post_id ? dbi(post_id) : dbnull(), target_user_id ? dbi(target_user_id) : dbnull(),
	                   dbs(reason ? reason : ""), dbi(util_now())));
}

static const dbq q_q_state = {"SELECT status, topic_id, COALESCE(user_id, 0) FROM questions WHERE id = $1", NULL};
static const dbq q_a_state = {"SELECT status, question_id, COALESCE(user_id, 0) FROM answers WHERE id = $1", NULL};
static const dbq q_q_set = {"UPDATE questions SET status = $2 WHERE id = $1", NULL};
/* A post held since it was written was never announced: its first publication (approve, or
 * restore after a hide) does it, once; notified_at says it was done. */
static const dbq q_q_announce = {
	"UPDATE questions SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL AND status = 'published'", NULL};
static const dbq q_a_announce = {
	"UPDATE answers SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL AND status = 'published'", NULL};
static const dbq q_q_card = {"SELECT topic_id, title, COALESCE(excerpt, '') FROM questions WHERE id = $1", NULL};
static const dbq q_a_set = {"UPDATE answers SET status = $2 WHERE id = $1", NULL};
static const dbq q_topic_add = {"UPDATE topics SET question_count = question_count + $2 WHERE id = $1", NULL};
static const dbq q_answers_add = {"UPDATE questions SET answer_count = answer_count + $2 WHERE id = $1", NULL};
static const dbq q_unaccept = {
	"UPDATE questions SET accepted_answer_id = NULL WHERE accepted_answer_id = $1", NULL};
static const dbq q_resolve = {
	"UPDATE flags SET resolved_at = $3 WHERE post_type = $1 AND post_id = $2 AND resolved_at IS NULL", NULL};
static const dbq q_dequeue = {
	"INSERT INTO post_mod (post_type, post_id, reason, queued, updated_at) VALUES ($1, $2, $3, 0, $4) "
	"ON CONFLICT (post_type, post_id) DO UPDATE SET queued = 0, reason = excluded.reason, "
	"updated_at = excluded.updated_at",
	NULL};
static const dbq q_lock = {
	"INSERT INTO question_locks (question_id, locked_by, reason, created_at) VALUES ($1, $2, $3, $4) "
	"ON CONFLICT (question_id) DO NOTHING",
	NULL};
static const dbq q_unlock = {"DELETE FROM question_locks WHERE question_id = $1", NULL};
static const dbq q_suspend = {"UPDATE users SET status = 'suspended' WHERE id = $1 AND status = 'active' AND role <> 'admin'", NULL};
static const dbq q_kill_sessions = {"DELETE FROM sessions WHERE user_id = $1", NULL};
static const dbq q_move_answers = {"UPDATE answers SET question_id = $2 WHERE question_id = $1", NULL};
static const dbq q_recount = {
	"UPDATE questions SET answer_count = (SELECT COUNT(*) FROM answers WHERE question_id = $1 "
	"AND status = 'published') WHERE id = $1",
	NULL};
static const dbq q_merged = {
	"INSERT INTO post_mod (post_type, post_id, reason, merged_into, queued, updated_at) "
	"VALUES ('question', $1, $3, $2, 0, $4) "
	"ON CONFLICT (post_type, post_id) DO UPDATE SET merged_into = excluded.merged_into, queued = 0, "
	"reason = excluded.reason, updated_at = excluded.updated_at",
	NULL};

struct act_ctx {
	arena *a;
	int64_t mod_id, post_id, target;
	enum mod_action act;
	const char *type, *reason;
};

/* Moves a post to a new status, keeping the topic's and question's counts true. */
static int set_status(dbc *c, const char *type, int64_t id, const char *old, int64_t parent, const char *st)
{
	bool q = strcmp(type, "question") == 0;
	int rc = db_exec(c, q ? &q_q_set : &q_a_set, DBP(dbi(id), dbs(st)));
	if (rc < 0)
		return rc;
	bool was = strcmp(old, "published") == 0, is = strcmp(st, "published") == 0;
	if (was == is)
		return 1;
	rc = db_exec(c, q ? &q_topic_add : &q_answers_add, DBP(dbi(parent), dbi(is ? 1 : -1)));
	if (rc >= 0 && !q && !is)
		rc = db_exec(c, &q_unaccept, DBP(dbi(id)));
	return rc < 0 ? rc : 1;
}

/* On a post's first publication, what question_create or answer_create would have done had it
 * been published at once: the webhook deliveries (question.created, answer.created) and the
 * emails (topic subscribers and guides; the question's subscribers), all in the moderator's
 * transaction. Returns 0 when the post was announced before. */
static int announce(dbc *c, struct act_ctx *x, bool q, int64_t parent, int64_t now)
{
	int rc = db_exec(c, q ? &q_q_announce : &q_a_announce, DBP(dbi(x->post_id), dbi(now)));
	if (rc <= 0)
		return rc;
	if (q) {
		dbrows r;
		rc = db_query(c, &q_q_card, DBP(dbi(x->post_id)), x->a, &r);
		if (rc != 1)
			return rc < 0 ? rc : DB_ERR;
		rc = webhook_on_question(c, x->a, x->post_id, db_int(&r, 0, 0), db_text(&r, 0, 1), db_text(&r, 0, 2));
		if (rc >= 0)
			rc = mail_on_question(c, x->a, x->post_id);
	} else {
		rc = webhook_on_answer(c, x->a, x->post_id, parent);
		if (rc >= 0)
			rc = mail_on_answer(c, x->a, x->post_id);
	}
	return rc < 0 ? rc : 1;
}

static int act_tx(dbc *c, void *p)
{
	struct act_ctx *x = p;
	bool q = strcmp(x->type, "question") == 0;
	dbrows r;
	int rc = db_query(c, q ? &q_q_state : &q_a_state, DBP(dbi(x->post_id)), x->a, &r);
	if (rc <= 0)
		return rc;
	const char *old = db_text(&r, 0, 0);
	int64_t parent = db_int(&r, 0, 1), author = db_int(&r, 0, 2);
	int64_t now = util_now();
	const char *reason = x->reason ? x->reason : "";
	switch (x->act) {
	case MOD_APPROVE:
	case MOD_RESTORE:
		if (strcmp(old, "merged") == 0)
			return 0;
		rc = set_status(c, x->type, x->post_id, old, parent, "published");
		if (rc >= 0) /* webhooks and emails commit with the approval */
			rc = announce(c, x, q, parent, now);
		break;
	case MOD_HIDE: rc = set_status(c, x->type, x->post_id, old, parent, "hidden"); break;
	case MOD_DELETE: rc = set_status(c, x->type, x->post_id, old, parent, "deleted"); break;
	case MOD_DISMISS: rc = 1; break;
	case MOD_LOCK:
	case MOD_UNLOCK: {
		int64_t qid = q ? x->post_id : parent;
		rc = x->act == MOD_LOCK ? db_exec(c, &q_lock, DBP(dbi(qid), dbi(x->mod_id), dbs(reason), dbi(now)))
		                        : db_exec(c, &q_unlock, DBP(dbi(qid)));
		if (rc == 0)
			return 0;
		if (rc < 0)
			return rc;
		return mod_log_add(c, x->mod_id, x->act, "question", qid, 0, reason) < 0 ? DB_ERR : 1;
	}
	case MOD_SUSPEND:
		if (!author)
			return 0;
		rc = db_exec(c, &q_suspend, DBP(dbi(author)));
		if (rc <= 0)
			return rc;
		rc = db_exec(c, &q_kill_sessions, DBP(dbi(author)));
		if (rc < 0)
			return rc;
		return mod_log_add(c, x->mod_id, x->act, x->type, x->post_id, author, reason) < 0 ? DB_ERR : 1;
	case MOD_MERGE: {
		if (!q || x->target == x->post_id)
			return 0;
		dbrows t;
		rc = db_query(c, &q_q_state, DBP(dbi(x->target)), x->a, &t);
		if (rc <= 0 || strcmp(db_text(&t, 0, 0), "published") != 0)
			return rc < 0 ? rc : 0;
		if ((rc = db_exec(c, &q_move_answers, DBP(dbi(x->post_id), dbi(x->target)))) < 0 ||
		    (rc = db_exec(c, &q_recount, DBP(dbi(x->post_id)))) < 0 ||
		    (rc = db_exec(c, &q_recount, DBP(dbi(x->target)))) < 0)
			return rc;
		rc = set_status(c, x->type, x->post_id, old, parent, "merged");
		if (rc < 0)
			return rc;
		rc = db_exec(c, &q_merged, DBP(dbi(x->post_id), dbi(x->target), dbs(reason), dbi(now)));
		if (rc < 0)
			return rc;
		rc = db_exec(c, &q_resolve, DBP(dbs(x->type), dbi(x->post_id), dbi(now)));
		if (rc < 0)
			return rc;
		return mod_log_add(c, x->mod_id, x->act, x->type, x->post_id, author,
		                   arena_printf(x->a, "into question %lld%s%s", (long long)x->target,
		                                *reason ? ": " : "", reason)) < 0 ? DB_ERR : 1;
	}
	default: return 0;
	}
	if (rc < 0)
		return rc;
	/* The post leaves the queue; a hide reason stays for the author to read. */
	rc = db_exec(c, &q_resolve, DBP(dbs(x->type), dbi(x->post_id), dbi(now)));
	if (rc >= 0)
		rc = db_exec(c, &q_dequeue, DBP(dbs(x->type), dbi(x->post_id), dbs(reason), dbi(now)));
	if (rc < 0)
		return rc;
	return mod_log_add(c, x->mod_id, x->act, x->type, x->post_id, author, reason) < 0 ? DB_ERR : 1;
}

int mod_apply(dbc *c, arena *a, int64_t moderator_id, enum mod_action act, const char *post_type,
              int64_t post_id, int64_t target, const char *reason)
{
	if (strcmp(post_type, "question") != 0 && strcmp(post_type, "answer") != 0)
		return 0;
	struct act_ctx x = {a, moderator_id, post_id, target, act, post_type, reason};
	return db_tx(c, act_tx, &x);
}

struct hold_ctx {
	arena *a;
	const char *type;
	int64_t id;
	const mod_note *n;
};

static int hold_tx(dbc *c, void *p)
{
	struct hold_ctx *x = p;
	bool q = strcmp(x->type, "question") == 0;
	dbrows r;
	int rc = db_query(c, q ? &q_q_state : &q_a_state, DBP(dbi(x->id)), x->a, &r);
	if (rc <= 0)
		return rc;
	rc = set_status(c, x->type, x->id, db_text(&r, 0, 0), db_int(&r, 0, 1), "held");
	if (rc < 0)
		return rc;
	rc = mod_note_post(c, x->type, x->id, x->n, true);
	return rc < 0 ? rc : 1;
}

int mod_hold(dbc *c, arena *a, const char *post_type, int64_t post_id, const mod_note *n)
{
	struct hold_ctx x = {a, post_type, post_id, n};
	return db_tx(c, hold_tx, &x);
}

/* ---- the log ---- */

static const dbq q_log_list = {
	"SELECT l.id, COALESCE(mu.username, ''), l.action, COALESCE(l.post_type, ''), COALESCE(l.post_id, 0), "
	"COALESCE(tu.username, ''), l.reason, l.created_at, "
	"COALESCE(CASE WHEN l.post_type = 'question' THEN l.post_id ELSE a.question_id END, 0), "
	"COALESCE(t.slug, '') "
	"FROM mod_log l LEFT JOIN users mu ON mu.id = l.moderator_id "
	"LEFT JOIN users tu ON tu.id = l.target_user_id "
	"LEFT JOIN answers a ON l.post_type = 'answer' AND a.id = l.post_id "
	"LEFT JOIN questions pq ON pq.id = CASE WHEN l.post_type = 'question' THEN l.post_id ELSE a.question_id END "
	"LEFT JOIN topics t ON t.id = pq.topic_id "
	"ORDER BY l.created_at DESC, l.id DESC LIMIT $1 OFFSET $2",
	NULL};

int mod_log_list(dbc *c, arena *a, int limit, int offset, mod_entry **out)
{
	dbrows r;
	int n = db_query(c, &q_log_list, DBP(dbi(limit), dbi(offset)), a, &r);
	if (n < 0)
		return n;
	mod_entry *v = ARENA_ARRAY(a, mod_entry, n ? n : 1);
	for (int i = 0; i < n; i++) {
		v[i].id = db_int(&r, i, 0);
		v[i].moderator = db_text(&r, i, 1);
		v[i].action = db_text(&r, i, 2);
		v[i].post_type = db_text(&r, i, 3);
		v[i].post_id = db_int(&r, i, 4);
		v[i].target_user = db_text(&r, i, 5);
		v[i].reason = db_text(&r, i, 6);
		v[i].created_at = db_int(&r, i, 7);
		v[i].question_id = db_int(&r, i, 8);
		v[i].topic_slug = db_text(&r, i, 9);
	}
	*out = v;
	return n;
}

static const dbq q_is_locked = {"SELECT COUNT(*) FROM question_locks WHERE question_id = $1", NULL};

int mod_is_locked(dbc *c, int64_t question_id)
{
	int rc;
	int64_t n = db_scalar(c, &q_is_locked, DBP(dbi(question_id)), 0, &rc);
	return rc < 0 ? rc : n > 0;
}

static const dbq q_merged_into = {
	"SELECT COALESCE(merged_into, 0) FROM post_mod WHERE post_type = 'question' AND post_id = $1", NULL};

int64_t mod_merged_into(dbc *c, int64_t question_id)
{
	int rc;
	int64_t n = db_scalar(c, &q_merged_into, DBP(dbi(question_id)), 0, &rc);
	return rc < 0 ? 0 : n;
}

static const dbq q_own = {
	"SELECT 'question', q.id, q.id, q.status, COALESCE(m.reason, ''), q.title, q.created_at, t.slug "
	"FROM questions q JOIN topics t ON t.id = q.topic_id "
	"LEFT JOIN post_mod m ON m.post_type = 'question' AND m.post_id = q.id "
	"WHERE q.user_id = $1 AND q.status IN ('held', 'hidden', 'deleted') "
	"UNION ALL "
	"SELECT 'answer', a.id, q.id, a.status, COALESCE(m.reason, ''), q.title, a.created_at, t.slug "
	"FROM answers a JOIN questions q ON q.id = a.question_id JOIN topics t ON t.id = q.topic_id "
	"LEFT JOIN post_mod m ON m.post_type = 'answer' AND m.post_id = a.id "
	"WHERE a.user_id = $1 AND a.status IN ('held', 'hidden', 'deleted') "
	"ORDER BY 7 DESC LIMIT 100",
	NULL};

int mod_own_posts(dbc *c, arena *a, int64_t user_id, own_post **out)
{
	dbrows r;
	int n = db_query(c, &q_own, DBP(dbi(user_id)), a, &r);
	if (n < 0)
		return n;
	own_post *v = ARENA_ARRAY(a, own_post, n ? n : 1);
	for (int i = 0; i < n; i++) {
		v[i].post_type = db_text(&r, i, 0);
		v[i].post_id = db_int(&r, i, 1);
		v[i].question_id = db_int(&r, i, 2);
		v[i].status = db_text(&r, i, 3);
		v[i].reason = db_text(&r, i, 4);
		v[i].title = db_text(&r, i, 5);
		v[i].created_at = db_int(&r, i, 6);
		v[i].topic_slug = db_text(&r, i, 7);
	}
	*out = v;
	return n;
}
