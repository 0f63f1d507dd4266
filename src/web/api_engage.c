/* api_engage.c: JSON API handlers for articles, ratings and the token user's subscriptions.
 * Each write calls the same model functions and checks as its page (content.c, engage.c). */
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "model/answer.h"
#include "model/article.h"
#include "model/rating.h"
#include "model/source.h"
#include "model/subscription.h"
#include "web/api.h"
#include "web/engage.h"
#include "web/pages.h"

/* Cursor kinds of the offset-paged lists here (api.c uses 1 for answers, 2 for search). */
enum { CUR_ARTICLES = 3, CUR_SUBS = 4 };

/* ---- articles ---- */

static json_t *j_person(const char *username, const char *name)
{
	if (!username || !*username)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "username", json_string(username));
	json_object_set_new(o, "display_name", json_string(name ? name : ""));
	return o;
}

static json_t *j_article(req *r, const article *ar, const post_source *src, int nsrc, bool full)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(ar->id));
	json_t *t = json_object();
	json_object_set_new(t, "slug", json_string(ar->topic_slug));
	json_object_set_new(t, "name", json_string(ar->topic_name));
	json_object_set_new(o, "topic", t);
	json_object_set_new(o, "slug", json_string(ar->slug));
	json_object_set_new(o, "title", json_string(ar->title));
	json_object_set_new(o, "summary", json_string(ar->summary));
	json_object_set_new(o, "url", json_string(arena_printf(r->a, "%s/%s/content/%s", APP(r)->cfg->base_url,
	                                                       ar->topic_slug, ar->slug)));
	if (full) {
		json_object_set_new(o, "body_markdown", json_string(ar->body_md));
		json_object_set_new(o, "body_html", json_string(ar->body_html));
		json_t *l = json_array();
		for (int i = 0; i < nsrc; i++) {
			json_t *s = json_object();
			json_object_set_new(s, "title", json_string(src[i].title));
			json_object_set_new(s, "url", json_string(src[i].url));
			json_array_append_new(l, s);
		}
		json_object_set_new(o, "sources", l);
	}
	json_object_set_new(o, "author", j_person(ar->author_username, ar->author_name));
	json_object_set_new(o, "reviewed_by", j_person(ar->reviewer_username, ar->reviewer_name));
	json_object_set_new(o, "reviewed_at", api_time(r, ar->reviewed_at));
	json_object_set_new(o, "created_at", api_time(r, ar->created_at));
	json_object_set_new(o, "updated_at", api_time(r, ar->updated_at));
	return o;
}

/* Loads article {article} (params[1]) of topic t; answers 404 itself. */
static bool load_article(req *r, dbc *c, const topic *t, article *ar)
{
	int rc = article_by_slug(c, r->a, t->id, r->params[1], ar);
	if (rc < 0)
		api_db_error(r, rc);
	else if (rc == 0)
		api_error(r, 404, "no_such_article", "This topic has no article with that slug.", NULL);
	return rc == 1;
}

/* Sends the article as stored now (after a write: status 201 or 200). */
static void send_article(req *r, dbc *c, const topic *t, const char *slug, int status)
{
	article ar;
	int rc = article_by_slug(c, r->a, t->id, slug, &ar);
	if (rc != 1) {
		api_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	post_source *src;
	int ns = source_list(c, r->a, "article", ar.id, &src);
	if (ns < 0) {
		api_db_error(r, ns);
		return;
	}
	api_send(r, status, j_article(r, &ar, src, ns, true));
	if (status == 201)
		res_header(r, "Location", arena_printf(r->a, "/api/v1/topics/%s/articles/%s", t->slug, ar.slug));
}

/* "sources" is either the form's text (one "Title | URL" a line) or an array of {title, url};
 * both go through source_parse, the article form's check. */
static const char *sources_text(req *r, json_t *body, ferrs *e)
{
	json_t *s = json_object_get(body, "sources");
	if (!s || json_is_null(s))
		return NULL;
	if (json_is_string(s))
		return web_text(r, e, "sources", "The sources", 0, 12000);
	if (!json_is_array(s)) {
		ferr(e, "sources", "sources must be a list of {\"title\", \"url\"} objects.");
		return NULL;
	}
	buf b;
	buf_init(&b, r->a, 256, 16000);
	size_t i;
	json_t *it;
	json_array_foreach(s, i, it)
	{
		const char *title = json_string_value(json_object_get(it, "title"));
		const char *url = json_string_value(json_object_get(it, "url"));
		if (!json_is_object(it) || !url || strchr(url, '\n') || (title && (strchr(title, '\n') || strchr(title, '|')))) {
			ferr(e, "sources",
			     arena_printf(r->a, "Source %zu needs a \"url\" and may have a \"title\" (one line, no “|”).", i + 1));
			return NULL;
		}
		if (title && *title)
			buf_printf(&b, "%s | ", title);
		buf_printf(&b, "%s\n", url);
	}
	if (b.err) {
		ferr(e, "sources", "The sources are too long.");
		return NULL;
	}
	return b.p ? b.p : "";
}

/* Reads title, summary, body, sources and reviewed into n with the article form's limits.
 * have_sources says whether sources were given (an update keeps the old ones otherwise). */
static void read_article(req *r, json_t *body, ferrs *e, article_new *n, bool *have_sources)
{
	n->title = web_text(r, e, "title", "The title", ATITLE_MIN, ATITLE_MAX);
	n->summary = web_text(r, e, "summary", "The summary", 0, ASUMMARY_MAX);
	n->body_md = web_text(r, e, "body", "The article", ABODYX_MIN, ABODYX_MAX);
	json_t *rv = json_object_get(body, "reviewed");
	if (rv && !json_is_boolean(rv) && !json_is_null(rv))
		ferr(e, "reviewed", "reviewed must be true or false.");
	const char *srcs = sources_text(r, body, e);
	*have_sources = srcs != NULL;
	if (srcs) {
		const char *why = NULL;
		post_source *ps;
		int np = source_parse(r->a, srcs, &ps, &why);
		if (np < 0)
			ferr(e, "sources", why);
		n->sources = ps;
		n->nsources = np < 0 ? 0 : np;
	}
	user *u = web_user(r);
	n->author_id = u->id;
	if (json_is_true(rv)) {
		n->reviewer_id = u->id;
		n->reviewed_at = util_now();
	}
}

static const char *const article_keep[] = {"sources", "reviewed", NULL};

static void create_article(req *r, dbc *c, const topic *t)
{
	json_t *body = api_body_keep(r, article_keep);
	if (!body)
		return;
	ferrs e = {0};
	article_new n = {.topic_id = t->id};
	bool have_sources;
	read_article(r, body, &e, &n, &have_sources);
	n.slug = web_text(r, &e, "slug", "The address", 0, 80); /* the same checks as the article form */
	const char *slug_why = ferr_for(&e, "title") && !*n.slug ? NULL : article_slug_problem(r->a, n.slug, n.title);
	if (slug_why)
		ferr(&e, "slug", slug_why);
	if (e.n) {
		api_errors(r, &e);
		return;
	}
	int64_t id = article_create(c, r->a, &n);
	if (id == DB_CONSTRAINT) {
		api_error(r, 409, "slug_taken", "Another article of this topic has that slug: choose another one.", "slug");
		return;
	}
	if (id < 0) {
		api_db_error(r, (int)id);
		return;
	}
	send_article(r, c, t, *n.slug ? n.slug : util_slugify(r->a, n.title, 80), 201);
}

static const dbq q_review = {"SELECT reviewer_id, reviewed_at FROM articles WHERE id = $1", NULL};

static void update_article(req *r, dbc *c, const topic *t, const article *ar)
{
	json_t *body = api_body_keep(r, article_keep);
	if (!body)
		return;
	/* Fields left out keep their values. */
	if (!json_object_get(body, "title"))
		kv_add(r->a, &r->form, "title", ar->title, strlen(ar->title));
	if (!json_object_get(body, "summary"))
		kv_add(r->a, &r->form, "summary", ar->summary, strlen(ar->summary));
	if (!json_object_get(body, "body"))
		kv_add(r->a, &r->form, "body", ar->body_md, strlen(ar->body_md));
	ferrs e = {0};
	const char *slug = kv_get(&r->form, "slug");
	if (slug && strcmp(slug, ar->slug) != 0)
		ferr(&e, "slug", "The slug of an article cannot change (links to it would break).");
	article_new n = {.topic_id = t->id};
	bool have_sources;
	read_article(r, body, &e, &n, &have_sources);
	if (e.n) {
		api_errors(r, &e);
		return;
	}
	if (!have_sources) {
		post_source *src;
		int ns = source_list(c, r->a, "article", ar->id, &src);
		if (ns < 0) {
			api_db_error(r, ns);
			return;
		}
		n.sources = src;
		n.nsources = ns;
	}
	if (!n.reviewer_id) { /* as on the edit page: saving without "reviewed" keeps the earlier review */
		dbrows rr;
		if (db_query(c, &q_review, DBP(dbi(ar->id)), r->a, &rr) == 1) {
			n.reviewer_id = db_int(&rr, 0, 0);
			n.reviewed_at = db_int(&rr, 0, 1);
		}
	}
	int rc = article_update(c, r->a, ar->id, &n);
	if (rc < 0) {
		api_db_error(r, rc);
		return;
	}
	send_article(r, c, t, ar->slug, 200);
}

/* Writing articles is for guides (and above), as the pages' R_GUIDE. */
static bool guide_only(req *r)
{
	if (web_role(r, ROLE_GUIDE))
		return true;
	api_error(r, 403, "guide_required", "Only guides, moderators and admins write articles.", NULL);
	return false;
}

void api_articles(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	topic t;
	if (!api_auth(r, write, write) || (write && !guide_only(r)) || !(c = api_db(r)) || !api_load_topic(r, c, &t))
		return;
	if (write) {
		create_article(r, c, &t);
		return;
	}
	int limit;
	int64_t offset;
	if (!api_offset_page(r, CUR_ARTICLES, INT32_MAX, &limit, &offset))
		return;
	article *as;
	int n = article_list_topic(c, r->a, t.id, &as);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	int64_t i = offset;
	for (; i < n && i < offset + limit; i++)
		json_array_append_new(items, j_article(r, &as[i], NULL, 0, false));
	api_send(r, 200, api_offset_list(r, items, CUR_ARTICLES, i, n));
}

void api_article(req *r)
{
	bool write = r->method == M_PATCH;
	dbc *c;
	topic t;
	article ar;
	if (!api_auth(r, write, write) || (write && !guide_only(r)) || !(c = api_db(r)) || !api_load_topic(r, c, &t) ||
	    !load_article(r, c, &t, &ar))
		return;
	if (write)
		update_article(r, c, &t, &ar);
	else
		send_article(r, c, &t, ar.slug, 200);
}

/* ---- ratings ---- */

/* The aggregate of one post, with the caller's own stars when someone is signed in. */
static void send_rating(req *r, dbc *c, const char *type, int64_t post_id, int64_t question_id, int status)
{
	user *u = web_user(r);
	const char *voter = u ? arena_printf(r->a, "u:%lld", (long long)u->id) : NULL;
	rating_sum *sums;
	int n = rating_for_question(c, r->a, question_id, voter, &sums);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	int64_t count = 0, sum = 0, mine = 0;
	for (int i = 0; i < n; i++)
		if (sums[i].post_id == post_id && strcmp(sums[i].post_type, type) == 0) {
			count = sums[i].count;
			sum = sums[i].sum;
			mine = sums[i].mine;
		}
	json_t *o = json_object();
	json_object_set_new(o, "post_type", json_string(type));
	json_object_set_new(o, "post_id", json_integer(post_id));
	json_object_set_new(o, "count", json_integer(count));
	/* One decimal, as the page shows it. */
	json_object_set_new(o, "average", count ? json_real((double)((sum * 10 + count / 2) / count) / 10.0) : json_null());
	json_object_set_new(o, "mine", u && mine ? json_integer(mine) : json_null());
	api_send(r, status, o);
}

static const char *const rating_keep[] = {"stars", NULL};

/* POST {"stars": 1…5}: the member's rating (a second one replaces the first), as "Rate This". */
static void rate(req *r, dbc *c, const char *type, int64_t post_id, int64_t question_id)
{
	json_t *body = api_body_keep(r, rating_keep);
	if (!body)
		return;
	json_t *s = json_object_get(body, "stars");
	int64_t stars = 0;
	if (json_is_integer(s))
		stars = json_integer_value(s);
	else if (json_is_string(s) && !util_parse_i64(json_string_value(s), 1, 5, &stars))
		stars = 0;
	if (stars < 1 || stars > 5) {
		api_error(r, 422, "invalid", "stars must be a whole number from 1 to 5.", "stars");
		return;
	}
	const char *voter = arena_printf(r->a, "u:%lld", (long long)web_user(r)->id);
	int rc = rating_set(c, type, post_id, voter, NULL, util_now() / 86400, (int)stars);
	if (rc <= 0) {
		api_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	send_rating(r, c, type, post_id, question_id, 200);
}

void api_question_rating(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	question q;
	if (!api_auth(r, write, write) || !(c = api_db(r)) || !api_load_question(r, c, &q))
		return;
	if (write)
		rate(r, c, "question", q.id, q.id);
	else
		send_rating(r, c, "question", q.id, q.id, 200);
}

void api_answer_rating(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	if (!api_auth(r, write, write) || !(c = api_db(r)))
		return;
	int64_t id;
	answer a;
	question q;
	int rc = web_parse_id(r->params[0], &id) ? answer_get(c, r->a, id, &a) : 0;
	if (rc == 1 && strcmp(a.status, "published") == 0)
		rc = question_get(c, r->a, a.question_id, false, &q);
	else if (rc == 1)
		rc = 0;
	if (rc < 0) {
		api_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		api_error(r, 404, "no_such_answer", "There is no answer with that id.", NULL);
		return;
	}
	if (write)
		rate(r, c, "answer", a.id, q.id);
	else
		send_rating(r, c, "answer", a.id, q.id, 200);
}

/* ---- subscriptions ---- */

static json_t *j_sub(req *r, const subscription *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "kind", json_string(s->kind));
	json_object_set_new(o, "mode", json_string(s->mode));
	json_object_set_new(o, "target_id", strcmp(s->kind, "newsletter") == 0 ? json_null() : json_integer(s->target_id));
	json_object_set_new(o, "name", json_string(s->target_name));
	json_object_set_new(o, "url", json_string(s->target_url && *s->target_url == '/'
	                                              ? arena_printf(r->a, "%s%s", APP(r)->cfg->base_url, s->target_url)
	                                              : s->target_url));
	json_object_set_new(o, "confirmed", json_boolean(s->confirmed_at != 0));
	json_object_set_new(o, "created_at", api_time(r, s->created_at));
	return o;
}

static void list_subs(req *r, dbc *c)
{
	int limit;
	int64_t offset;
	if (!api_offset_page(r, CUR_SUBS, INT32_MAX, &limit, &offset))
		return;
	subscription *subs;
	int n = sub_list_user(c, r->a, web_user(r)->id, &subs);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	int64_t i = offset;
	for (; i < n && i < offset + limit; i++)
		json_array_append_new(items, j_sub(r, &subs[i]));
	api_send(r, 200, api_offset_list(r, items, CUR_SUBS, i, n));
}

static const char *const sub_keep[] = {"question_id", NULL};

/* POST {"topic": slug, "mode": "immediate"|"daily"} or {"question_id": id}: the same as the
 * pages' "Get email updates" for a member (one step for a verified address, else a
 * confirmation email first). */
static void create_sub(req *r, dbc *c)
{
	json_t *body = api_body_keep(r, sub_keep);
	if (!body)
		return;
	const char *slug = kv_get(&r->form, "topic");
	json_t *qj = json_object_get(body, "question_id");
	const char *m = kv_get(&r->form, "mode");
	int64_t qid = 0;
	if (json_is_integer(qj))
		qid = json_integer_value(qj);
	else if (json_is_string(qj) && !web_parse_id(json_string_value(qj), &qid))
		qid = -1;
	else if (qj && !json_is_null(qj))
		qid = -1;
	if ((slug && *slug) == (qj && !json_is_null(qj))) {
		api_error(r, 422, "invalid", "Give either \"topic\" (a topic slug) or \"question_id\".", slug ? "topic" : NULL);
		return;
	}
	if (m && strcmp(m, "immediate") != 0 && strcmp(m, "daily") != 0) {
		api_error(r, 422, "invalid", "mode must be \"immediate\" or \"daily\".", "mode");
		return;
	}
	const char *kind, *what, *mode = "immediate";
	int64_t target;
	if (slug && *slug) {
		topic t;
		int rc = topic_by_slug(c, r->a, slug, &t);
		if (rc < 0) {
			api_db_error(r, rc);
			return;
		}
		if (rc == 0) {
			api_error(r, 422, "invalid", "There is no topic with that slug.", "topic");
			return;
		}
		kind = "topic";
		target = t.id;
		mode = m ? m : "immediate";
		what = arena_printf(r->a, strcmp(mode, "daily") == 0 ? "a daily digest of new questions about %s"
		                                                      : "an email for each new question about %s",
		                    t.name);
	} else {
		question q;
		int rc = qid > 0 ? question_get(c, r->a, qid, false, &q) : 0;
		if (rc < 0) {
			api_db_error(r, rc);
			return;
		}
		if (rc == 0) {
			api_error(r, 422, "invalid", "There is no question with that id.", "question_id");
			return;
		}
		if (m && strcmp(m, "immediate") != 0) {
			api_error(r, 422, "invalid", "Question updates are sent one by one: leave mode out.", "mode");
			return;
		}
		kind = "question";
		target = q.id;
		what = arena_printf(r->a, "emails about new answers to “%s”", q.title);
	}
	user *u = web_user(r);
	bool existed = sub_of_user(c, u->id, kind, target, NULL) > 0;
	bool verified;
	int64_t id = engage_subscribe_member(c, r->a, u, kind, target, mode, what, &verified);
	if (id < 0) {
		api_db_error(r, (int)id);
		return;
	}
	subscription s;
	int rc = sub_get(c, r->a, id, &s);
	if (rc != 1) {
		api_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	api_send(r, existed ? 200 : 201, j_sub(r, &s));
	res_header(r, "Location", arena_printf(r->a, "/api/v1/subscriptions/%lld", (long long)id));
}

void api_subscriptions(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	if (!api_auth(r, true, write) || !(c = api_db(r)))
		return;
	if (write)
		create_sub(r, c);
	else
		list_subs(r, c);
}

/* GET one of mine; DELETE it (and any of its messages not yet sent). */
void api_subscription(req *r)
{
	bool write = r->method == M_DELETE;
	dbc *c;
	if (!api_auth(r, true, write) || !(c = api_db(r)))
		return;
	int64_t id;
	subscription s;
	int rc = web_parse_id(r->params[0], &id) ? sub_get(c, r->a, id, &s) : 0;
	if (rc < 0) {
		api_db_error(r, rc);
		return;
	}
	if (rc == 0 || s.user_id != web_user(r)->id) { /* someone else's is "not found" too */
		api_error(r, 404, "no_such_subscription", "You have no subscription with that id.", NULL);
		return;
	}
	if (!write) {
		api_send(r, 200, j_sub(r, &s));
		return;
	}
	rc = sub_delete(c, r->a, s.id);
	if (rc < 0) {
		api_db_error(r, rc);
		return;
	}
	json_t *o = j_sub(r, &s);
	json_object_set_new(o, "deleted", json_true());
	api_send(r, 200, o);
}
