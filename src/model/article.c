/* article.c: guide articles; markdown rendered (and auto-linked) when written. */
#include "model/article.h"

#include <string.h>

#include "core/utf8.h"
#include "core/util.h"
#include "model/autolink.h"
#include "model/topic.h"

static bool text_ok(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (s && !utf8_valid(s, n))
		return false;
	size_t cp = s ? utf8_count(s, n) : 0;
	return cp >= min && cp <= max;
}

const char *article_slug_problem(arena *a, const char *slug, const char *title)
{
	if (*slug && !topic_slug_valid(slug))
		return "The address can use lowercase letters, digits and single dashes (2 to 60 characters).";
	if (!*slug && !*util_slugify(a, title ? title : "", 80))
		return "Give the article an address: the title has no letters or digits to make one from.";
	if (strcmp(slug, "new") == 0)
		return "“new” is kept for the page that writes articles: choose another address.";
	return NULL;
}

const char *article_check(arena *a, const article_new *n, const char **field)
{
	*field = "slug";
	const char *why = article_slug_problem(a, n->slug ? n->slug : "", n->title);
	if (why)
		return why;
	*field = "title";
	if (!text_ok(n->title, ATITLE_MIN, ATITLE_MAX))
		return "The title must be 5 to 150 characters of text.";
	*field = "summary";
	if (!text_ok(n->summary, 0, ASUMMARY_MAX))
		return "The summary must be at most 300 characters of text.";
	*field = "body";
	if (!text_ok(n->body_md, ABODYX_MIN, ABODYX_MAX))
		return "The article must be 50 to 60,000 characters of text.";
	*field = NULL;
	return NULL;
}

#define AR_COLS                                                                                        \
	"ar.id, ar.topic_id, t.slug, t.name, ar.slug, ar.title, ar.summary, ar.body_md, ar.body_html, "   \
	"coalesce(au.username, ''), coalesce(au.display_name, ''), coalesce(rv.username, ''), "           \
	"coalesce(rv.display_name, ''), ar.reviewed_at, ar.created_at, ar.updated_at"
#define AR_FROM                                                                                        \
	" FROM articles ar JOIN topics t ON t.id = ar.topic_id LEFT JOIN users au ON au.id = ar.author_id " \
	"LEFT JOIN users rv ON rv.id = ar.reviewer_id "

static void read_ar(const dbrows *r, int i, article *x)
{
	x->id = db_int(r, i, 0);
	x->topic_id = db_int(r, i, 1);
	x->topic_slug = db_text(r, i, 2);
	x->topic_name = db_text(r, i, 3);
	x->slug = db_text(r, i, 4);
	x->title = db_text(r, i, 5);
	x->summary = db_text(r, i, 6);
	x->body_md = db_text(r, i, 7);
	x->body_html = db_text(r, i, 8);
	x->author_username = db_text(r, i, 9);
	x->author_name = db_text(r, i, 10);
	x->reviewer_username = db_text(r, i, 11);
	x->reviewer_name = db_text(r, i, 12);
	x->reviewed_at = db_int(r, i, 13);
	x->created_at = db_int(r, i, 14);
	x->updated_at = db_int(r, i, 15);
}

static int read_list(int rc, const dbrows *r, arena *a, article **out)
{
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, article, rc);
	for (int i = 0; i < rc; i++)
		read_ar(r, i, &(*out)[i]);
	return rc;
}

static const dbq q_insert = {
	"INSERT INTO articles (topic_id, slug, title, summary, body_md, body_html, author_id, reviewer_id, "
	"reviewed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
	NULL};
static const dbq q_update = {
	"UPDATE articles SET title = $2, summary = $3, body_md = $4, body_html = $5, reviewer_id = $6, "
	"reviewed_at = $7, updated_at = $8 WHERE id = $1",
	NULL};

struct write_ctx {
	const article_new *n;
	arena *a;
	const char *slug, *html;
	int64_t id; /* 0 = create */
};

static int write_tx(dbc *c, void *p)
{
	struct write_ctx *x = p;
	const article_new *n = x->n;
	dbv reviewer = n->reviewer_id ? dbi(n->reviewer_id) : dbnull();
	dbv reviewed = n->reviewed_at ? dbi(n->reviewed_at) : dbnull();
	int rc;
	if (!x->id) {
		dbrows r;
		rc = db_query(c, &q_insert,
		              DBP(dbi(n->topic_id), dbs(x->slug), dbs(n->title), dbs(n->summary), dbs(n->body_md),
		                  dbs(x->html), n->author_id ? dbi(n->author_id) : dbnull(), reviewer, reviewed,
		                  dbi(n->created_at ? n->created_at : util_now())),
		              x->a, &r);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return DB_ERR;
		x->id = db_int(&r, 0, 0);
		rc = source_insert(c, "article", x->id, n->sources, n->nsources);
	} else {
		rc = db_exec(c, &q_update,
		             DBP(dbi(x->id), dbs(n->title), dbs(n->summary), dbs(n->body_md), dbs(x->html), reviewer,
		                 reviewed, dbi(util_now())));
		if (rc <= 0)
			return rc < 0 ? rc : DB_ERR;
		rc = source_replace(c, "article", x->id, n->sources, n->nsources);
	}
	return rc < 0 ? rc : 1;
}

int64_t article_create(dbc *c, arena *a, const article_new *n)
{
	const char *slug = n->slug && *n->slug ? n->slug : util_slugify(a, n->title, 80);
	struct write_ctx x = {n, a, slug, autolink_render(c, a, n->body_md, strlen(n->body_md), n->topic_id), 0};
	int rc = db_tx(c, write_tx, &x);
	return rc < 0 ? rc : x.id;
}

int article_update(dbc *c, arena *a, int64_t id, const article_new *n)
{
	struct write_ctx x = {n, a, NULL, autolink_render(c, a, n->body_md, strlen(n->body_md), n->topic_id), id};
	return db_tx(c, write_tx, &x);
}

static const dbq q_by_slug = {"SELECT " AR_COLS AR_FROM "WHERE ar.topic_id = $1 AND ar.slug = $2 "
                              "AND ar.status = 'published'",
                              NULL};
static const dbq q_topic = {"SELECT " AR_COLS AR_FROM "WHERE ar.topic_id = $1 AND ar.status = 'published' "
                            "ORDER BY ar.created_at, ar.id",
                            NULL};
static const dbq q_recent = {"SELECT " AR_COLS AR_FROM "WHERE ar.status = 'published' AND ($1 = 0 OR ar.topic_id = $1) "
                             "ORDER BY ar.updated_at DESC, ar.id DESC LIMIT $2",
                             NULL};

int article_by_slug(dbc *c, arena *a, int64_t topic_id, const char *slug, article *out)
{
	dbrows r;
	int rc = db_query(c, &q_by_slug, DBP(dbi(topic_id), dbs(slug)), a, &r);
	if (rc == 1)
		read_ar(&r, 0, out);
	return rc;
}

int article_list_topic(dbc *c, arena *a, int64_t topic_id, article **out)
{
	dbrows r;
	int rc = db_query(c, &q_topic, DBP(dbi(topic_id)), a, &r);
	return read_list(rc, &r, a, out);
}

int article_list_recent(dbc *c, arena *a, int64_t topic_id, int limit, article **out)
{
	dbrows r;
	int rc = db_query(c, &q_recent, DBP(dbi(topic_id), dbi(limit)), a, &r);
	return read_list(rc, &r, a, out);
}
