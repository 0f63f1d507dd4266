/* api.c: JSON API handlers for topics, questions, answers, search and the current user. */
#include <stdint.h>
#include <string.h>

#include "core/embedded.h"
#include "core/util.h"
#include "model/answer.h"
#include "model/question.h"
#include "model/search.h"
#include "model/topic.h"
#include "web/api.h"
#include "web/pages.h"

static json_t *j_topic(req *r, const topic *t, bool full)
{
	json_t *o = json_object();
	json_object_set_new(o, "slug", json_string(t->slug));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "summary", json_string(t->summary));
	json_object_set_new(o, "question_count", json_integer(t->question_count));
	json_object_set_new(o, "url", json_string(arena_printf(r->a, "%s/%s", APP(r)->cfg->base_url, t->slug)));
	if (full) {
		json_object_set_new(o, "overview_markdown", json_string(t->overview_md));
		json_object_set_new(o, "overview_html", json_string(t->overview_html));
	}
	return o;
}

static json_t *j_question(req *r, const question *q, bool full)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(q->id));
	json_t *t = json_object();
	json_object_set_new(t, "slug", json_string(q->topic_slug));
	json_object_set_new(t, "name", json_string(q->topic_name));
	json_object_set_new(o, "topic", t);
	json_object_set_new(o, "title", json_string(q->title));
	json_object_set_new(o, "url", json_string(arena_printf(r->a, "%s%s", APP(r)->cfg->base_url,
	                                                       web_question_url(r, q->topic_slug, q->id, q->slug))));
	/* A members-only question gives anonymous callers its teaser only. */
	bool teaser = q->members_only && !r->user;
	json_object_set_new(o, "members_only", json_boolean(q->members_only));
	json_object_set_new(o, "excerpt", json_string(teaser ? web_teaser(r, q->excerpt) : q->excerpt));
	if (full && !teaser) {
		json_object_set_new(o, "body_markdown", json_string(q->body_md));
		json_object_set_new(o, "body_html", json_string(q->body_html));
	}
	json_object_set_new(o, "author", api_author(&q->by));
	json_object_set_new(o, "created_at", api_time(r, q->created_at));
	json_object_set_new(o, "edited_at", api_time(r, q->edited_at));
	json_object_set_new(o, "view_count", json_integer(q->view_count));
	json_object_set_new(o, "answer_count", json_integer(q->answer_count));
	json_object_set_new(o, "accepted_answer_id", q->accepted_answer_id ? json_integer(q->accepted_answer_id) : json_null());
	return o;
}

static json_t *j_answer(req *r, const answer *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "question_id", json_integer(a->question_id));
	json_object_set_new(o, "body_markdown", json_string(a->body_md));
	json_object_set_new(o, "body_html", json_string(a->body_html));
	json_object_set_new(o, "author", api_author(&a->by));
	json_object_set_new(o, "created_at", api_time(r, a->created_at));
	json_object_set_new(o, "edited_at", api_time(r, a->edited_at));
	return o;
}

void api_me(req *r)
{
	if (!api_auth(r, true, false))
		return;
	user *u = web_user(r);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(u->id));
	json_object_set_new(o, "username", json_string(u->username));
	json_object_set_new(o, "display_name", json_string(u->display_name));
	json_object_set_new(o, "email", json_string(u->email));
	json_object_set_new(o, "role", json_string(role_name(u->role)));
	json_object_set_new(o, "title", json_string(u->title));
	json_object_set_new(o, "bio", json_string(u->bio));
	json_object_set_new(o, "created_at", api_time(r, u->created_at));
	api_send(r, 200, o);
}

void api_topics(req *r)
{
	dbc *c;
	if (!api_auth(r, false, false) || !(c = api_db(r)))
		return;
	topic *ts;
	int n = topic_list(c, r->a, &ts);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, j_topic(r, &ts[i], false));
	api_send(r, 200, api_list(items, NULL));
}

bool api_load_topic(req *r, dbc *c, topic *t)
{
	int rc = topic_by_slug(c, r->a, r->params[0], t);
	if (rc < 0)
		api_db_error(r, rc);
	else if (rc == 0)
		api_error(r, 404, "no_such_topic", "There is no topic with that slug.", NULL);
	return rc == 1;
}

void api_topic(req *r)
{
	dbc *c;
	topic t;
	if (!api_auth(r, false, false) || !(c = api_db(r)) || !api_load_topic(r, c, &t))
		return;
	api_send(r, 200, j_topic(r, &t, true));
}

/* One keyset page of questions (topic_id 0 = all topics). */
static void list_questions(req *r, dbc *c, int64_t topic_id)
{
	int limit;
	int64_t bt = INT64_MAX, bid = INT64_MAX;
	if (!api_limit(r, &limit) || !api_cursor_arg(r, &bt, &bid))
		return;
	question *qs;
	int n = question_page(c, r->a, topic_id, bt, bid, limit + 1, &qs);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(items, j_question(r, &qs[i], false));
	const char *next = n > limit ? api_cursor(r, qs[limit - 1].created_at, qs[limit - 1].id) : NULL;
	api_send(r, 200, api_list(items, next));
}

/* Reads "pii_ok" (true: post personal details as they are, as the form's tick box does). */
static void pii_arg(json_t *body, ferrs *e)
{
	json_t *pii = json_object_get(body, "pii_ok");
	if (pii && !json_is_boolean(pii) && !json_is_null(pii))
		ferr(e, "pii_ok", "pii_ok must be true or false.");
}

static void pii_take(req *r, json_t *body)
{
	if (json_is_true(json_object_get(body, "pii_ok")))
		kv_add(r->a, &r->form, "pii_ok", "1", 1);
}

/* Answers a post that was written: 201 when it is public, 202 when it waits for a moderator
 * (status "held"; no Location, as only the author and moderators can see it). With crisis
 * language the body also gives help_url, the page of urgent help the form shows. */
static void send_post(req *r, json_t *o, const post_verdict *v, const char *public_url, const char *location)
{
	bool held = strcmp(v->status, "held") == 0;
	json_object_set_new(o, "status", json_string(v->status));
	if (v->crisis)
		json_object_set_new(o, "help_url", json_string(arena_printf(r->a, "%s%s", APP(r)->cfg->base_url,
		                                                            safety_help_url(r, held ? NULL : public_url))));
	api_send(r, held ? 202 : 201, o);
	if (!held)
		res_header(r, "Location", location);
}

static void create_question(req *r, dbc *c, const topic *t)
{
	json_t *body = api_body(r);
	if (!body)
		return;
	ferrs e = {0};
	/* The same checks as the ask form (web_text: clean UTF-8, limits in code points). */
	const char *title = web_text(r, &e, "title", "Title", TITLE_MIN, TITLE_MAX);
	const char *md = web_text(r, &e, "body", "Body", QBODY_MIN, QBODY_MAX);
	json_t *anon = json_object_get(body, "anonymous");
	if (anon && !json_is_boolean(anon) && !json_is_null(anon))
		ferr(&e, "anonymous", "anonymous must be true or false.");
	json_t *mo = json_object_get(body, "members_only");
	if (mo && !json_is_boolean(mo) && !json_is_null(mo))
		ferr(&e, "members_only", "members_only must be true or false.");
	pii_arg(body, &e);
	if (e.n) {
		api_errors(r, &e);
		return;
	}
	/* Then the ask form's safety checks (links, personal details, rate limit, spam, crisis
	 * language): what the form refuses is refused, what it holds is held. */
	pii_take(r, body);
	post_verdict v;
	int st = safety_check_post(r, c, &e, "question", 0, title, md, &v);
	if (st) {
		api_refused(r, st, &e, &v);
		return;
	}
	user *u = web_user(r);
	question_new n = {
		.status = v.status,
		.topic_id = t->id,
		.user_id = u->id,
		.guest_name = "",
		.anonymous = json_is_true(anon),
		.members_only = json_is_true(mo),
		.title = title,
		.body_md = md,
		.also = &v.writes,
		.then = safety_note_tx,
		.then_ctx = &v,
	};
	int64_t id = question_create(c, r->a, &n);
	if (id == DB_OVER) {
		ferr(&e, NULL, v.over_msg);
		api_refused(r, 429, &e, &v);
		return;
	}
	if (id < 0) {
		api_db_error(r, (int)id);
		return;
	}
	question q;
	int rc = question_get(c, r->a, id, true, &q);
	if (rc != 1) {
		api_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	send_post(r, j_question(r, &q, true), &v, web_question_url(r, q.topic_slug, q.id, q.slug),
	          arena_printf(r->a, "/api/v1/questions/%lld", (long long)id));
}

void api_topic_questions(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	topic t;
	if (!api_auth(r, write, write) || !(c = api_db(r)) || !api_load_topic(r, c, &t))
		return;
	if (write)
		create_question(r, c, &t);
	else
		list_questions(r, c, t.id);
}

void api_questions(req *r)
{
	dbc *c;
	if (!api_auth(r, false, false) || !(c = api_db(r)))
		return;
	const char *slug = kv_get(&r->query, "topic");
	int64_t topic_id = 0;
	if (slug && *slug) {
		topic t;
		int rc = topic_by_slug(c, r->a, slug, &t);
		if (rc < 0) {
			api_db_error(r, rc);
			return;
		}
		if (rc == 0) {
			api_error(r, 404, "no_such_topic", "There is no topic with that slug.", "topic");
			return;
		}
		topic_id = t.id;
	}
	list_questions(r, c, topic_id);
}

bool api_load_question(req *r, dbc *c, question *q)
{
	int64_t id;
	if (!web_parse_id(r->params[0], &id)) {
		api_error(r, 404, "no_such_question", "There is no question with that id.", NULL);
		return false;
	}
	int rc = question_get(c, r->a, id, false, q);
	if (rc < 0)
		api_db_error(r, rc);
	else if (rc == 0)
		api_error(r, 404, "no_such_question", "There is no question with that id.", NULL);
	return rc == 1;
}

void api_question(req *r)
{
	dbc *c;
	question q;
	if (!api_auth(r, false, false) || !(c = api_db(r)) || !api_load_question(r, c, &q))
		return;
	api_send(r, 200, j_question(r, &q, true));
}

static void create_answer(req *r, dbc *c, const question *q)
{
	json_t *body = api_body(r);
	if (!body)
		return;
	ferrs e = {0};
	const char *md = web_text(r, &e, "body", "Body", ABODY_MIN, ABODY_MAX);
	pii_arg(body, &e);
	if (e.n) {
		api_errors(r, &e);
		return;
	}
	/* The answer form's safety checks (a locked question, links, personal details, rate
	 * limit, spam, crisis language). */
	pii_take(r, body);
	post_verdict v;
	int st = safety_check_post(r, c, &e, "answer", q->id, NULL, md, &v);
	if (st) {
		api_refused(r, st, &e, &v);
		return;
	}
	answer_new n = {.status = v.status, .question_id = q->id, .user_id = web_user(r)->id, .guest_name = "",
	                .body_md = md, .also = &v.writes, .then = safety_note_tx, .then_ctx = &v};
	int64_t id = answer_create(c, r->a, &n);
	if (id == DB_OVER) {
		ferr(&e, NULL, v.over_msg);
		api_refused(r, 429, &e, &v);
		return;
	}
	if (id < 0) {
		api_db_error(r, (int)id);
		return;
	}
	answer a;
	int rc = answer_get(c, r->a, id, &a);
	if (rc != 1) {
		api_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	send_post(r, j_answer(r, &a), &v,
	          arena_printf(r->a, "%s#answer-%lld", web_question_url(r, q->topic_slug, q->id, q->slug), (long long)id),
	          arena_printf(r->a, "/api/v1/questions/%lld/answers", (long long)q->id));
}

void api_answers(req *r)
{
	bool write = r->method == M_POST;
	dbc *c;
	question q;
	if (!api_auth(r, write, write) || !(c = api_db(r)) || !api_load_question(r, c, &q))
		return;
	if (q.members_only && !r->user) {
		api_error(r, 403, "members_only",
		          "This question is for members only: call with a token to read its answers.", NULL);
		return;
	}
	if (write) {
		create_answer(r, c, &q);
		return;
	}
	int limit;
	int64_t offset;
	if (!api_offset_page(r, 1, INT64_MAX, &limit, &offset))
		return;
	/* Oldest first; answers of one question are few, so the page is cut from the full list. */
	answer *as;
	int n = answer_list(c, r->a, q.id, &as);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	int64_t i = offset;
	for (; i < n && i < offset + limit; i++)
		json_array_append_new(items, j_answer(r, &as[i]));
	api_send(r, 200, api_offset_list(r, items, 1, i, n));
}

/* Search snippets mark matches with \x01 … \x02; the API gives plain text. */
static char *plain_snippet(req *r, const char *s)
{
	char *o = arena_strdup(r->a, s), *w = o;
	for (const char *p = s; *p; p++)
		if (*p != '\x01' && *p != '\x02')
			*w++ = *p;
	*w = 0;
	return o;
}

void api_search(req *r)
{
	dbc *c;
	if (!api_auth(r, false, false) || !(c = api_db(r)))
		return;
	const char *q = kv_get(&r->query, "q");
	if (!q || !*util_trim(q, &(size_t){strlen(q)})) {
		api_error(r, 400, "missing_query", "Give the words to search for in q.", "q");
		return;
	}
	int limit;
	int64_t offset;
	if (!api_offset_page(r, 2, 10000, &limit, &offset))
		return;
	search_hit *hits;
	int64_t total;
	int n = search_questions_as(c, r->a, q, kv_get(&r->query, "topic"), limit, (int)offset, r->user != NULL,
	                            &hits, &total);
	if (n < 0) {
		api_db_error(r, n);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		search_hit *h = &hits[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(h->id));
		json_t *t = json_object();
		json_object_set_new(t, "slug", json_string(h->topic_slug));
		json_object_set_new(t, "name", json_string(h->topic_name));
		json_object_set_new(o, "topic", t);
		json_object_set_new(o, "title", json_string(h->title));
		json_object_set_new(o, "snippet", json_string(plain_snippet(r, h->snippet)));
		json_object_set_new(o, "url", json_string(arena_printf(r->a, "%s%s", APP(r)->cfg->base_url,
		                                                       web_question_url(r, h->topic_slug, h->id, h->slug))));
		json_object_set_new(o, "answer_count", json_integer(h->answer_count));
		json_object_set_new(o, "created_at", api_time(r, h->created_at));
		json_array_append_new(items, o);
	}
	json_t *j = api_offset_list(r, items, 2, offset + n, total);
	json_object_set_new(j, "total", json_integer(total));
	api_send(r, 200, j);
}

void api_openapi(req *r)
{
	if (!api_auth(r, false, false))
		return;
	const struct embedded_file *f = embedded_find("data/openapi.json");
	if (!f) {
		api_error(r, 404, "not_found", "The API description is not built into this binary.", NULL);
		return;
	}
	json_error_t err;
	json_t *j = json_loadb(f->data, f->len, 0, &err);
	if (!j) {
		api_error(r, 500, "internal", "The built-in API description is not valid JSON.", NULL);
		return;
	}
	json_t *servers = json_array();
	json_t *s = json_object();
	json_object_set_new(s, "url", json_string(arena_printf(r->a, "%s/api/v1", APP(r)->cfg->base_url)));
	json_array_append_new(servers, s);
	json_object_set_new(j, "servers", servers);
	api_send(r, 200, j);
}
