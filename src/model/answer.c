/* answer.c: answer queries and writes; markdown rendered at write time. */
#include "model/answer.h"

#include <string.h>

#include "core/util.h"
#include "model/source.h"
#include "model/autolink.h"
#include "model/webhook.h"
#include "mail/mail.h"
#include "render/markdown.h"

#define A_COLS                                                                                              \
	"a.id, a.question_id, a.body_md, a.body_html, a.status, a.created_at, a.edited_at, a.rating_count, " \
	"a.rating_sum, " AUTHOR_COLS("a")
#define A_FROM " FROM answers a LEFT JOIN users u ON u.id = a.user_id "

static void read_a(const dbrows *r, int row, answer *x)
{
	x->id = db_int(r, row, 0);
	x->question_id = db_int(r, row, 1);
	x->body_md = db_text(r, row, 2);
	x->body_html = db_text(r, row, 3);
	x->status = db_text(r, row, 4);
	x->created_at = db_int(r, row, 5);
	x->edited_at = db_int(r, row, 6);
	x->rating_count = db_int(r, row, 7);
	x->rating_sum = db_int(r, row, 8);
	author_read(r, row, 9, &x->by);
}

static const dbq q_list = {"SELECT " A_COLS A_FROM
                           "WHERE a.question_id = $1 AND a.status = 'published' "
                           "ORDER BY a.created_at, a.id",
                           NULL};
static const dbq q_get = {"SELECT " A_COLS A_FROM "WHERE a.id = $1", NULL};

/* The same without the markdown (a page shows only the HTML): less to copy per answer. */
static const dbq q_list_shown = {"SELECT a.id, a.question_id, '', a.body_html, a.status, a.created_at, a.edited_at, "
                                 "a.rating_count, a.rating_sum, " AUTHOR_COLS("a") A_FROM "WHERE a.question_id = $1 AND a.status = 'published' "
                                 "ORDER BY a.created_at, a.id",
                                 NULL};

static int list_of(dbc *c, arena *a, const dbq *q, int64_t question_id, answer **out)
{
	dbrows r;
	int rc = db_query(c, q, DBP(dbi(question_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, answer, rc);
	for (int i = 0; i < rc; i++)
		read_a(&r, i, &(*out)[i]);
	return rc;
}

int answer_list(dbc *c, arena *a, int64_t question_id, answer **out)
{
	return list_of(c, a, &q_list, question_id, out);
}

int answer_list_shown(dbc *c, arena *a, int64_t question_id, answer **out)
{
	return list_of(c, a, &q_list_shown, question_id, out);
}

int answer_get(dbc *c, arena *a, int64_t id, answer *out)
{
	dbrows r;
	int rc = db_query(c, &q_get, DBP(dbi(id)), a, &r);
	if (rc == 1)
		read_a(&r, 0, out);
	return rc;
}

static const dbq q_insert = {
	"INSERT INTO answers (question_id, user_id, guest_name, body_md, body_html, created_at, "
	"terms_accepted_at, status, notified_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id",
	NULL};
static const dbq q_count = {
	"UPDATE questions SET answer_count = answer_count + 1 WHERE id = $1", NULL};

struct create_ctx {
	const answer_new *n;
	arena *a;
	const char *html;
	int64_t id;
};

static int create_tx(dbc *c, void *p)
{
	struct create_ctx *x = p;
	dbrows r;
	bool published = !x->n->status || strcmp(x->n->status, "published") == 0;
	int64_t now = util_now();
	int rc = db_batch_run(c, x->n->also);
	if (rc < 0)
		return rc;
	/* notified_at: the new-answer emails and webhooks go out now, or when a moderator first
	 * publishes it (moderation.c). */
	rc = db_query(c, &q_insert,
	              DBP(dbi(x->n->question_id), x->n->user_id ? dbi(x->n->user_id) : dbnull(),
	                  dbs(x->n->guest_name && *x->n->guest_name ? x->n->guest_name : NULL), dbs(x->n->body_md),
	                  dbs(x->html), dbi(x->n->created_at ? x->n->created_at : now),
	                  dbs(x->n->status ? x->n->status : "published"), published ? dbi(now) : dbnull()),
	              x->a, &r);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return DB_ERR;
	x->id = db_int(&r, 0, 0);
	if (x->n->then && (rc = x->n->then(c, x->n->then_ctx, x->id)) < 0)
		return rc;
	if (x->n->nsources && (rc = source_insert(c, "answer", x->id, x->n->sources, x->n->nsources)) < 0)
		return rc;
	if (!published)
		return 1; /* counted, and announced, when a moderator publishes it */
	rc = db_exec(c, &q_count, DBP(dbi(x->n->question_id)));
	if (rc >= 0) /* webhook deliveries commit with the answer */
		rc = webhook_on_answer(c, x->a, x->id, x->n->question_id);
	if (rc >= 0) /* email updates go out with the answer or not at all */
		rc = mail_on_answer(c, x->a, x->id);
	return rc < 0 ? rc : 1;
}

int64_t answer_create(dbc *c, arena *a, const answer_new *n)
{
	struct create_ctx x = {n, a, autolink_render_answer(c, a, n->body_md, strlen(n->body_md), n->question_id), 0};
	int rc = db_tx(c, create_tx, &x);
	return rc < 0 ? rc : x.id;
}

static const dbq q_old = {"SELECT body_md FROM answers WHERE id = $1", NULL};
static const dbq q_rev = {
	"INSERT INTO revisions (post_type, post_id, editor_id, title, body_md, note, created_at) "
	"VALUES ('answer', $1, $2, NULL, $3, $4, $5)",
	NULL};
static const dbq q_update = {
	"UPDATE answers SET body_md = $2, body_html = $3, edited_at = $4 WHERE id = $1", NULL};

struct edit_ctx {
	arena *a;
	int64_t id, editor_id;
	const char *body_md, *note, *html;
	const post_source *sources;
	int nsources; /* < 0: keep the sources */
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
	             DBP(dbi(x->id), x->editor_id ? dbi(x->editor_id) : dbnull(), dbs(db_text(&r, 0, 0)),
	                 dbs(x->note ? x->note : ""), dbi(now)));
	if (rc < 0)
		return rc;
	rc = db_exec(c, &q_update, DBP(dbi(x->id), dbs(x->body_md), dbs(x->html), dbi(now)));
	if (rc >= 0 && x->nsources >= 0)
		rc = source_replace(c, "answer", x->id, x->sources, x->nsources);
	return rc < 0 ? rc : 1;
}

int answer_edit(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *body_md, const char *note)
{
	return answer_edit_sources(c, a, id, editor_id, body_md, note, NULL, -1);
}

int answer_edit_sources(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *body_md, const char *note,
                        const post_source *sources, int nsources)
{
	/* The answer's question, for its topic (a name of that topic is not linked). */
	static const dbq q_qid = {"SELECT question_id FROM answers WHERE id = $1", NULL};
	int qrc;
	int64_t qid = db_scalar(c, &q_qid, DBP(dbi(id)), 0, &qrc);
	struct edit_ctx x = {a,    id, editor_id, body_md, note, autolink_render_answer(c, a, body_md, strlen(body_md), qid),
	                     sources, nsources};
	return db_tx(c, edit_tx, &x);
}

static const dbq q_user = {
	"SELECT " A_COLS ", q.title, t.slug, q.id, q.slug" A_FROM
	"JOIN questions q ON q.id = a.question_id JOIN topics t ON t.id = q.topic_id "
	"WHERE a.user_id = $1 AND a.status = 'published' AND q.status = 'published' "
	"ORDER BY a.created_at DESC, a.id DESC LIMIT $2",
	NULL};

int answer_list_user(dbc *c, arena *a, int64_t user_id, int limit, answer **out, const char ***qtitles,
                     const char ***qurls)
{
	dbrows r;
	int rc = db_query(c, &q_user, DBP(dbi(user_id), dbi(limit)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, answer, rc);
	*qtitles = ARENA_ARRAY(a, const char *, rc);
	*qurls = ARENA_ARRAY(a, const char *, rc);
	for (int i = 0; i < rc; i++) {
		read_a(&r, i, &(*out)[i]);
		(*qtitles)[i] = db_text(&r, i, 16);
		(*qurls)[i] = arena_printf(a, "/%s/questions/%lld-%s#answer-%lld", db_text(&r, i, 17),
		                           (long long)db_int(&r, i, 18), db_text(&r, i, 19),
		                           (long long)(*out)[i].id);
	}
	return rc;
}
