/* guide.c: guides' followed topics and their queue of unanswered questions. */
#include "model/guide.h"

#include "core/util.h"

static const dbq q_counts = {
	"SELECT t.id, t.slug, t.name, "
	"(SELECT count(*) FROM questions q WHERE q.topic_id = t.id AND q.answer_count = 0 AND q.status = 'published'), "
	"(SELECT count(*) FROM guide_topics g WHERE g.topic_id = t.id AND g.user_id = $1) "
	"FROM topics t ORDER BY t.name",
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
		g->followed = db_int(&r, i, 4) > 0;
	}
	return rc;
}

static const dbq q_clear = {"DELETE FROM guide_topics WHERE user_id = $1", NULL};
static const dbq q_follow = {
	"INSERT INTO guide_topics (user_id, topic_id, created_at) SELECT $1, id, $3 FROM topics WHERE id = $2 "
	"ON CONFLICT (user_id, topic_id) DO NOTHING",
	NULL};

struct follow_ctx {
	int64_t user_id;
	const int64_t *ids;
	int n;
};

static int follow_tx(dbc *c, void *p)
{
	struct follow_ctx *x = p;
	int rc = db_exec(c, &q_clear, DBP(dbi(x->user_id)));
	int64_t now = util_now();
	for (int i = 0; i < x->n && rc >= 0; i++)
		rc = db_exec(c, &q_follow, DBP(dbi(x->user_id), dbi(x->ids[i]), dbi(now)));
	return rc < 0 ? rc : 1;
}

int guide_follow_set(dbc *c, int64_t user_id, const int64_t *topic_ids, int n)
{
	struct follow_ctx x = {user_id, topic_ids, n};
	return db_tx(c, follow_tx, &x);
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
	"SELECT g.user_id FROM guide_topics g JOIN users u ON u.id = g.user_id "
	"WHERE g.topic_id = $1 AND g.notify = 1 AND u.status = 'active' AND u.role <> 'member' ORDER BY g.user_id",
	NULL};

int guide_notify_list(dbc *c, arena *a, int64_t topic_id, int64_t **user_ids)
{
	dbrows r;
	int rc = db_query(c, &q_notify, DBP(dbi(topic_id)), a, &r);
	if (rc < 0)
		return rc;
	*user_ids = ARENA_ARRAY(a, int64_t, rc);
	for (int i = 0; i < rc; i++)
		(*user_ids)[i] = db_int(&r, i, 0);
	return rc;
}
