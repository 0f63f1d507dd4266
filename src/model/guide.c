/* guide.c: guides' followed topics and their queue of unanswered questions. */
#include "model/guide.h"

#include "core/util.h"
#include "mail/mail.h"

static const dbq q_counts = {
	"SELECT t.id, t.slug, t.name, "
	"(SELECT count(*) FROM questions q WHERE q.topic_id = t.id AND q.answer_count = 0 AND q.status = 'published'), "
	"COALESCE(g.notify, -1) FROM topics t LEFT JOIN guide_topics g ON g.topic_id = t.id AND g.user_id = $1 "
	"ORDER BY t.name",
	NULL};

int guide_topic_counts(dbc *c, arena *a, int64_t user_id, guide_topic **out)
{
	dbrows r;
	int rc = db_query(c, &q_counts, DBP(dbi(user_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, guide_topic, rc);
	for (int i = 0; i < rc; i++) {
		guide_topic *g = &(*out)[i];
		g->id = db_int(&r, i, 0);
		g->slug = db_text(&r, i, 1);
		g->name = db_text(&r, i, 2);
		g->unanswered = db_int(&r, i, 3);
		g->followed = db_int(&r, i, 4) >= 0;
		g->notify = db_int(&r, i, 4) > 0;
	}
	return rc;
}

static const dbq q_settings = {"SELECT topic_id, notify FROM guide_topics WHERE user_id = $1", NULL};
static const dbq q_clear = {"DELETE FROM guide_topics WHERE user_id = $1", NULL};
static const dbq q_follow = {
	"INSERT INTO guide_topics (user_id, topic_id, notify, created_at) SELECT $1, id, $3, $4 FROM topics "
	"WHERE id = $2 ON CONFLICT (user_id, topic_id) DO NOTHING",
	NULL};

struct follow_ctx {
	arena *a;
	int64_t user_id;
	const int64_t *ids, *notify_ids;
	int n, nn;
};

static bool listed(const int64_t *ids, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static int follow_tx(dbc *c, void *p)
{
	struct follow_ctx *x = p;
	dbrows old = {0};
	int rc = x->nn < 0 ? db_query(c, &q_settings, DBP(dbi(x->user_id)), x->a, &old) : 0;
	if (rc >= 0)
		rc = db_exec(c, &q_clear, DBP(dbi(x->user_id)));
	int64_t now = util_now();
	for (int i = 0; i < x->n && rc >= 0; i++) {
		int notify = 1;
		if (x->nn >= 0) {
			notify = listed(x->notify_ids, x->nn, x->ids[i]);
		} else {
			for (int k = 0; k < old.n; k++)
				if (db_int(&old, k, 0) == x->ids[i])
					notify = db_int(&old, k, 1) != 0;
		}
		rc = db_exec(c, &q_follow, DBP(dbi(x->user_id), dbi(x->ids[i]), dbi(notify), dbi(now)));
	}
	return rc < 0 ? rc : 1;
}

int guide_follow_set(dbc *c, arena *a, int64_t user_id, const int64_t *topic_ids, int n,
                     const int64_t *notify_ids, int nn)
{
	struct follow_ctx x = {a, user_id, topic_ids, notify_ids, n, nn};
	return db_tx(c, follow_tx, &x);
}

static const dbq q_notify_set = {
	"UPDATE guide_topics SET notify = $3 WHERE user_id = $1 AND topic_id = $2", NULL};
static const dbq q_notify_cancel = {"DELETE FROM outbox WHERE status = 'queued' AND unsub_url = $1", NULL};

struct notify_ctx {
	arena *a;
	int64_t user_id, topic_id;
	bool on;
	int n;
};

static int notify_tx(dbc *c, void *p)
{
	struct notify_ctx *x = p;
	int rc = db_exec(c, &q_notify_set, DBP(dbi(x->user_id), dbi(x->topic_id), dbi(x->on ? 1 : 0)));
	if (rc < 0)
		return rc;
	x->n = rc;
	if (!x->on) /* stop at once: notices still waiting for this topic are dropped */
		rc = db_exec(c, &q_notify_cancel, DBP(dbs(mail_guide_url(x->a, x->user_id, x->topic_id))));
	return rc < 0 ? rc : 1;
}

int guide_notify_set(dbc *c, arena *a, int64_t user_id, int64_t topic_id, bool on)
{
	struct notify_ctx x = {a, user_id, topic_id, on, 0};
	int rc = db_tx(c, notify_tx, &x);
	return rc < 0 ? rc : x.n;
}

static const dbq q_queue = {
	"SELECT q.id, q.created_at, t.slug, t.name, q.slug, q.title, q.excerpt FROM questions q "
	"JOIN topics t ON t.id = q.topic_id "
	"WHERE q.answer_count = 0 AND q.status = 'published' AND "
	"(NOT EXISTS (SELECT 1 FROM guide_topics g WHERE g.user_id = $1) OR "
	" q.topic_id IN (SELECT g.topic_id FROM guide_topics g WHERE g.user_id = $1)) "
	"ORDER BY q.created_at, q.id LIMIT $2",
	NULL};

int guide_queue(dbc *c, arena *a, int64_t user_id, int limit, queue_item **out)
{
	dbrows r;
	int rc = db_query(c, &q_queue, DBP(dbi(user_id), dbi(limit)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, queue_item, rc);
	for (int i = 0; i < rc; i++) {
		queue_item *q = &(*out)[i];
		q->id = db_int(&r, i, 0);
		q->created_at = db_int(&r, i, 1);
		q->topic_slug = db_text(&r, i, 2);
		q->topic_name = db_text(&r, i, 3);
		q->slug = db_text(&r, i, 4);
		q->title = db_text(&r, i, 5);
		q->excerpt = db_text(&r, i, 6);
	}
	return rc;
}

static const dbq q_notify = {
	"SELECT u.id, u.email, u.display_name FROM guide_topics g JOIN users u ON u.id = g.user_id "
	"WHERE g.topic_id = $1 AND g.notify = 1 AND u.id <> $2 AND u.status = 'active' AND u.role <> 'member' "
	"AND u.email_verified = 1 AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.kind = 'topic' "
	"AND s.target_id = $1 AND s.mode = 'immediate' AND s.confirmed_at IS NOT NULL "
	"AND (s.user_id = u.id OR (s.user_id IS NULL AND s.email = u.email))) "
	"ORDER BY u.id",
	NULL};

int guide_notify_list(dbc *c, arena *a, int64_t topic_id, int64_t author_id, guide_recipient **out)
{
	dbrows r;
	int rc = db_query(c, &q_notify, DBP(dbi(topic_id), dbi(author_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, guide_recipient, rc + 1);
	for (int i = 0; i < rc; i++) {
		guide_recipient *g = &(*out)[i];
		g->user_id = db_int(&r, i, 0);
		g->email = db_text(&r, i, 1);
		g->name = db_text(&r, i, 2);
	}
	return rc;
}
