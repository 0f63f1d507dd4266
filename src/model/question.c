/* question.c: question queries and writes; markdown and excerpts rendered at write time. */
#include "model/question.h"

#include <string.h>

#include "core/util.h"
#include "model/autolink.h"
#include "model/webhook.h"
#include "mail/mail.h"
#include "render/markdown.h"

#define Q_COLS                                                                                    \
	"q.id, q.topic_id, t.slug, t.name, q.title, q.slug, q.body_md, q.body_html, q.excerpt, "     \
	"q.status, q.created_at, q.edited_at, q.view_count, q.answer_count, q.accepted_answer_id, " \
	"q.members_only, q.has_media, q.rating_count, q.rating_sum, " AUTHOR_COLS("q")
#define Q_FROM " FROM questions q JOIN topics t ON t.id = q.topic_id LEFT JOIN users u ON u.id = q.user_id "

/* List queries skip the bodies and the ratings. */
#define QL_COLS                                                                                   \
	"q.id, q.topic_id, t.slug, t.name, q.title, q.slug, '', '', q.excerpt, "                     \
	"q.status, q.created_at, q.edited_at, q.view_count, q.answer_count, q.accepted_answer_id, " \
	"q.members_only, q.has_media, 0, 0, " AUTHOR_COLS("q")

static void read_q(const dbrows *r, int row, question *q)
{
	q->id = db_int(r, row, 0);
	q->topic_id = db_int(r, row, 1);
	q->topic_slug = db_text(r, row, 2);
	q->topic_name = db_text(r, row, 3);
	q->title = db_text(r, row, 4);
	q->slug = db_text(r, row, 5);
	q->body_md = db_text(r, row, 6);
	q->body_html = db_text(r, row, 7);
	q->excerpt = db_text(r, row, 8);
	q->status = db_text(r, row, 9);
	q->created_at = db_int(r, row, 10);
	q->edited_at = db_int(r, row, 11);
	q->view_count = db_int(r, row, 12);
	q->answer_count = db_int(r, row, 13);
	q->accepted_answer_id = db_int(r, row, 14);
	q->members_only = db_int(r, row, 15) != 0;
	q->has_media = db_int(r, row, 16) != 0;
	q->rating_count = db_int(r, row, 17);
	q->rating_sum = db_int(r, row, 18);
	author_read(r, row, 19, &q->by);
}

static int many(dbc *c, arena *a, const dbq *q, const dbv *p, int np, question **out)
{
	dbrows r;
	int rc = db_query(c, q, p, np, a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, question, rc);
	for (int i = 0; i < rc; i++)
		read_q(&r, i, &(*out)[i]);
	return rc;
}

static const dbq q_get = {"SELECT " Q_COLS Q_FROM "WHERE q.id = $1 AND q.status = 'published'", NULL};
static const dbq q_get_any = {"SELECT " Q_COLS Q_FROM "WHERE q.id = $1", NULL};

int question_get(dbc *c, arena *a, int64_t id, bool any_status, question *out)
{
	dbrows r;
	int rc = db_query(c, any_status ? &q_get_any : &q_get, DBP(dbi(id)), a, &r);
	if (rc == 1)
		read_q(&r, 0, out);
	return rc;
}

static const dbq q_topic = {"SELECT " QL_COLS Q_FROM
                            "WHERE q.topic_id = $1 AND q.status = 'published' "
                            "ORDER BY q.created_at DESC, q.id DESC LIMIT $2 OFFSET $3",
                            NULL};
static const dbq q_recent = {"SELECT " QL_COLS Q_FROM "WHERE q.status = 'published' "
                             "ORDER BY q.created_at DESC, q.id DESC LIMIT $1",
                             NULL};
static const dbq q_unanswered = {"SELECT " QL_COLS Q_FROM
                                 "WHERE q.status = 'published' AND q.answer_count = 0 "
                                 "ORDER BY q.created_at, q.id LIMIT $1",
                                 NULL};
static const dbq q_user = {"SELECT " QL_COLS Q_FROM
                           "WHERE q.user_id = $1 AND q.status = 'published' AND (q.anonymous = 0 OR $2 = 1) "
                           "ORDER BY q.created_at DESC, q.id DESC LIMIT $3",
                           NULL};

int question_list_topic(dbc *c, arena *a, int64_t topic_id, int limit, int offset, question **out)
{
	return many(c, a, &q_topic, DBP(dbi(topic_id), dbi(limit), dbi(offset)), out);
}

/* Keyset pages (newest first) for the API: rows strictly after the (created_at, id) cursor. */
static const dbq q_page_all = {"SELECT " QL_COLS Q_FROM
                               "WHERE q.status = 'published' AND "
                               "(q.created_at < $1 OR (q.created_at = $1 AND q.id < $2)) "
                               "ORDER BY q.created_at DESC, q.id DESC LIMIT $3",
                               NULL};
static const dbq q_page_topic = {"SELECT " QL_COLS Q_FROM
                                 "WHERE q.status = 'published' AND q.topic_id = $4 AND "
                                 "(q.created_at < $1 OR (q.created_at = $1 AND q.id < $2)) "
                                 "ORDER BY q.created_at DESC, q.id DESC LIMIT $3",
                                 NULL};

int question_page(dbc *c, arena *a, int64_t topic_id, int64_t before_t, int64_t before_id, int limit,
                  question **out)
{
	if (topic_id)
		return many(c, a, &q_page_topic, DBP(dbi(before_t), dbi(before_id), dbi(limit), dbi(topic_id)), out);
	return many(c, a, &q_page_all, DBP(dbi(before_t), dbi(before_id), dbi(limit)), out);
}

int question_list_recent(dbc *c, arena *a, int limit, question **out)
{
	return many(c, a, &q_recent, DBP(dbi(limit)), out);
}

int question_list_unanswered(dbc *c, arena *a, int limit, question **out)
{
	return many(c, a, &q_unanswered, DBP(dbi(limit)), out);
}

int question_list_user(dbc *c, arena *a, int64_t user_id, bool include_anonymous, int limit,
                       question **out)
{
	return many(c, a, &q_user, DBP(dbi(user_id), dbi(include_anonymous ? 1 : 0), dbi(limit)), out);
}

static const dbq q_insert = {
	"INSERT INTO questions (topic_id, user_id, guest_name, anonymous, title, slug, body_md, "
	"body_html, excerpt, created_at, terms_accepted_at, status, members_only, notified_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13) RETURNING id",
	NULL};
static const dbq q_topic_count = {
	"UPDATE topics SET question_count = question_count + 1 WHERE id = $1", NULL};

struct create_ctx {
	const question_new *q;
	arena *a;
	const char *html, *excerpt, *slug;
	int64_t id;
};

static int create_tx(dbc *c, void *p)
{
	struct create_ctx *x = p;
	const question_new *q = x->q;
	dbrows r;
	bool published = !q->status || strcmp(q->status, "published") == 0;
	int64_t now = util_now();
	int rc = db_batch_run(c, q->also);
	if (rc < 0)
		return rc;
	/* notified_at: the new-question emails go out now, or when a moderator approves it. */
	rc = db_query(c, &q_insert,
	              DBP(dbi(q->topic_id), q->user_id ? dbi(q->user_id) : dbnull(),
	                  dbs(q->guest_name && *q->guest_name ? q->guest_name : NULL), dbi(q->anonymous ? 1 : 0),
	                  dbs(q->title), dbs(x->slug), dbs(q->body_md), dbs(x->html), dbs(x->excerpt),
	                  dbi(q->created_at ? q->created_at : now), dbs(q->status ? q->status : "published"),
	                  dbi(q->members_only ? 1 : 0), published ? dbi(now) : dbnull()),
	              x->a, &r);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return DB_ERR;
	x->id = db_int(&r, 0, 0);
	if (q->then && (rc = q->then(c, q->then_ctx, x->id)) < 0)
		return rc;
	if (!published)
		return 1; /* counted, and told to subscribers and guides, when a moderator publishes it */
	rc = db_exec(c, &q_topic_count, DBP(dbi(q->topic_id)));
	if (rc >= 0) /* webhook deliveries commit with the question */
		rc = webhook_on_question(c, x->a, x->id, q->topic_id, q->title, x->excerpt);
	if (rc >= 0) /* email updates (subscribers, guides of the topic) go out with the question or not at all */
		rc = mail_on_question(c, x->a, x->id);
	return rc < 0 ? rc : 1;
}

int64_t question_create(dbc *c, arena *a, const question_new *q)
{
	size_t bl = strlen(q->body_md);
	struct create_ctx x = {
		.q = q,
		.a = a,
		.html = autolink_render(c, a, q->body_md, bl, q->topic_id),
		.excerpt = md_excerpt(a, q->body_md, bl, EXCERPT_LEN),
		.slug = util_slugify(a, q->title, 80),
	};
	int rc = db_tx(c, create_tx, &x);
	return rc < 0 ? rc : x.id;
}

static const dbq q_old = {"SELECT title, body_md FROM questions WHERE id = $1", NULL};
static const dbq q_rev = {
	"INSERT INTO revisions (post_type, post_id, editor_id, title, body_md, note, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)",
	NULL};
static const dbq q_update = {
	"UPDATE questions SET title = $2, slug = $3, body_md = $4, body_html = $5, excerpt = $6, "
	"edited_at = $7, members_only = CASE WHEN $8 < 0 THEN members_only ELSE $8 END WHERE id = $1",
	NULL};

struct edit_ctx {
	arena *a;
	int64_t id, editor_id;
	const char *title, *body_md, *note, *html, *excerpt, *slug;
	int members_only;
};

static int edit_tx(dbc *c, void *p)
{
	struct edit_ctx *x = p;
	dbrows r;
	int rc = db_query(c, &q_old, DBP(dbi(x->id)), x->a, &r);
	if (rc <= 0)
		return rc;
	int64_t now = util_now();
	rc = db_exec(c, &q_rev,
	             DBP(dbs("question"), dbi(x->id), x->editor_id ? dbi(x->editor_id) : dbnull(),
	                 dbs(db_text(&r, 0, 0)), dbs(db_text(&r, 0, 1)), dbs(x->note ? x->note : ""),
	                 dbi(now)));
	if (rc < 0)
		return rc;
	rc = db_exec(c, &q_update,
	             DBP(dbi(x->id), dbs(x->title), dbs(x->slug), dbs(x->body_md), dbs(x->html),
	                 dbs(x->excerpt), dbi(now), dbi(x->members_only)));
	return rc < 0 ? rc : 1;
}

int question_edit(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *title,
                  const char *body_md, const char *note, int members_only)
{
	size_t bl = strlen(body_md);
	struct edit_ctx x = {a,
	                     id,
	                     editor_id,
	                     title,
	                     body_md,
	                     note,
	                     autolink_render_answer(c, a, body_md, bl, id),
	                     md_excerpt(a, body_md, bl, EXCERPT_LEN),
	                     util_slugify(a, title, 80),
	                     members_only};
	return db_tx(c, edit_tx, &x);
}

static const dbq q_accept = {
	"UPDATE questions SET accepted_answer_id = $2 WHERE id = $1 AND EXISTS "
	"(SELECT 1 FROM answers WHERE id = $2 AND question_id = $1 AND status = 'published')",
	NULL};
static const dbq q_unaccept = {"UPDATE questions SET accepted_answer_id = NULL WHERE id = $1", NULL};

int question_accept(dbc *c, int64_t id, int64_t answer_id)
{
	if (answer_id == 0)
		return db_exec(c, &q_unaccept, DBP(dbi(id)));
	return db_exec(c, &q_accept, DBP(dbi(id), dbi(answer_id)));
}

static const dbq q_views = {"UPDATE questions SET view_count = view_count + $2 WHERE id = $1", NULL};

int question_add_views(dbc *c, int64_t id, int64_t n)
{
	return db_exec(c, &q_views, DBP(dbi(id), dbi(n)));
}

static const dbq q_revs = {
	"SELECT r.id, r.editor_id, r.created_at, r.title, r.body_md, r.note, u.display_name "
	"FROM revisions r LEFT JOIN users u ON u.id = r.editor_id "
	"WHERE r.post_type = $1 AND r.post_id = $2 ORDER BY r.id DESC",
	NULL};

int revision_list(dbc *c, arena *a, const char *post_type, int64_t post_id, revision **out)
{
	dbrows r;
	int rc = db_query(c, &q_revs, DBP(dbs(post_type), dbi(post_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, revision, rc);
	for (int i = 0; i < rc; i++) {
		revision *v = &(*out)[i];
		v->id = db_int(&r, i, 0);
		v->editor_id = db_int(&r, i, 1);
		v->created_at = db_int(&r, i, 2);
		v->title = db_isnull(&r, i, 3) ? NULL : db_text(&r, i, 3);
		v->body_md = db_text(&r, i, 4);
		v->note = db_text(&r, i, 5);
		v->editor_name = db_text(&r, i, 6);
	}
	return rc;
}
