/* draft.c: saving and restoring unfinished questions. */
#include "model/draft.h"

#include "core/util.h"

static const dbq q_get = {
	"SELECT d.topic_id, d.updated_at, d.title, d.body_md, t.slug, t.name, d.anonymous "
	"FROM drafts d JOIN topics t ON t.id = d.topic_id WHERE d.user_id = $1 AND d.topic_id = $2",
	NULL};
static const dbq q_list = {
	"SELECT d.topic_id, d.updated_at, d.title, d.body_md, t.slug, t.name, d.anonymous "
	"FROM drafts d JOIN topics t ON t.id = d.topic_id WHERE d.user_id = $1 "
	"ORDER BY d.updated_at DESC",
	NULL};
static const dbq q_save = {
	"INSERT INTO drafts (user_id, topic_id, title, body_md, anonymous, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, topic_id) DO UPDATE SET "
	"title = excluded.title, body_md = excluded.body_md, anonymous = excluded.anonymous, "
	"updated_at = excluded.updated_at",
	NULL};
static const dbq q_delete = {"DELETE FROM drafts WHERE user_id = $1 AND topic_id = $2", NULL};

static void read_d(const dbrows *r, int i, draft *d)
{
	d->topic_id = db_int(r, i, 0);
	d->updated_at = db_int(r, i, 1);
	d->title = db_text(r, i, 2);
	d->body_md = db_text(r, i, 3);
	d->topic_slug = db_text(r, i, 4);
	d->topic_name = db_text(r, i, 5);
	d->anonymous = db_int(r, i, 6) != 0;
}

int draft_get(dbc *c, arena *a, int64_t user_id, int64_t topic_id, draft *out)
{
	dbrows r;
	int rc = db_query(c, &q_get, DBP(dbi(user_id), dbi(topic_id)), a, &r);
	if (rc == 1)
		read_d(&r, 0, out);
	return rc;
}

int draft_list(dbc *c, arena *a, int64_t user_id, draft **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBP(dbi(user_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, draft, rc);
	for (int i = 0; i < rc; i++)
		read_d(&r, i, &(*out)[i]);
	return rc;
}

int draft_save(dbc *c, int64_t user_id, int64_t topic_id, const char *title, const char *body_md,
               bool anonymous)
{
	return db_exec(c, &q_save,
	               DBP(dbi(user_id), dbi(topic_id), dbs(title), dbs(body_md), dbi(anonymous ? 1 : 0),
	                   dbi(util_now())));
}

int draft_delete(dbc *c, int64_t user_id, int64_t topic_id)
{
	return db_exec(c, &q_delete, DBP(dbi(user_id), dbi(topic_id)));
}

bool draft_delete_with(db_batch *b, int64_t user_id, int64_t topic_id)
{
	return db_batch_add(b, &q_delete, DBP(dbi(user_id), dbi(topic_id)), 0);
}
