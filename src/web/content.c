/* content.c: guide articles: reading, writing and editing (guides and above). */
#include <string.h>

#include "core/util.h"
#include "model/article.h"
#include "model/topic.h"
#include "web/content.h"
#include "web/web.h"

/* Loads the topic named by the first path segment; answers 404 itself when absent. */
static bool load_topic(req *r, dbc *c, topic *t)
{
	int rc = topic_by_slug(c, r->a, r->params[0], t);
	if (rc < 0)
		web_db_error(r, rc);
	else if (rc == 0)
		web_error_page(r, 404);
	return rc == 1;
}

static bool load_article(req *r, dbc *c, const topic *t, const char *slug, article *ar)
{
	int rc = article_by_slug(c, r->a, t->id, slug, ar);
	if (rc < 0)
		web_db_error(r, rc);
	else if (rc == 0)
		web_error(r, 404, "no_such_article",
		          "There is no article at this address. The guide's other articles are listed on its page.");
	return rc == 1;
}

void page_article(req *r)
{
	dbc *c = web_db(r);
	topic t;
	article ar;
	if (!c || !load_topic(r, c, &t) || !load_article(r, c, &t, r->params[1], &ar))
		return;
	post_source *src;
	int ns = source_list(c, r->a, "article", ar.id, &src);
	article *all;
	int na = ns < 0 ? ns : article_list_topic(c, r->a, t.id, &all);
	if (na < 0) {
		web_db_error(r, na);
		return;
	}
	tval *ctx = web_ctx(r);
	const char *path = arena_printf(r->a, "/%s/content/%s", t.slug, ar.slug);
	tv_str(ctx, "canonical", arena_printf(r->a, "%s%s", APP(r)->cfg->base_url, path));
	tv_str(ctx, "description", *ar.summary ? ar.summary : t.summary);
	tv_bool(ctx, "og_article", true);
	tv_str(ctx, "feed_url", arena_printf(r->a, "/feeds/%s.atom", t.slug));
	tv_str(ctx, "feed_title", arena_printf(r->a, "%s: new questions and articles", t.name));
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cr = tv_push(crumbs);
	tv_str(cr, "name", t.name);
	tv_str(cr, "url", arena_printf(r->a, "/%s", t.slug));
	tv_str(tv_push(crumbs), "name", "Article");
	tval *o = tv_child(ctx, "a");
	tv_str(o, "topic_slug", t.slug);
	tv_str(o, "topic_name", t.name);
	tv_str(o, "title", ar.title);
	tv_str(o, "summary", ar.summary);
	tv_html(o, "body_html", ar.body_html);
	if (*ar.reviewer_username) {
		tv_str(o, "reviewer", ar.reviewer_name);
		tv_str(o, "reviewer_username", ar.reviewer_username);
		if (ar.reviewed_at)
			web_time(r, o, "reviewed", ar.reviewed_at);
	}
	web_time(r, o, "updated", ar.updated_at);
	tv_bool(ctx, "has_sources", ns > 0);
	tval *sl = tv_childlist(ctx, "sources");
	for (int i = 0; i < ns; i++) {
		tval *s = tv_push(sl);
		tv_str(s, "title", src[i].title);
		tv_str(s, "url", src[i].url);
	}
	tval *ml = tv_childlist(ctx, "more");
	int nm = 0;
	for (int i = 0; i < na; i++) {
		if (all[i].id == ar.id)
			continue;
		tval *m = tv_push(ml);
		tv_str(m, "title", all[i].title);
		tv_str(m, "url", arena_printf(r->a, "/%s/content/%s", t.slug, all[i].slug));
		nm++;
	}
	tv_bool(ctx, "has_more", nm > 0);
	if (web_role(r, ROLE_GUIDE)) {
		tv_bool(ctx, "can_edit", true);
		tv_str(ctx, "edit_url", arena_printf(r->a, "%s/edit", path));
	}
	web_page(r, 200, "article", ctx, ar.title);
}

static void article_form(req *r, const topic *t, bool is_new, const char *action, const char *back, tval *v,
                         const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tval *to = tv_child(ctx, "topic");
	tv_str(to, "slug", t->slug);
	tv_str(to, "name", t->name);
	tval *l = tv_child(ctx, "limits");
	tv_int(l, "title_min", ATITLE_MIN);
	tv_int(l, "title_max", ATITLE_MAX);
	tv_int(l, "summary_max", ASUMMARY_MAX);
	tv_int(l, "body_min", ABODYX_MIN);
	tv_int(l, "body_max", ABODYX_MAX);
	tv_bool(ctx, "new", is_new);
	tv_str(ctx, "heading", is_new ? "Write an article" : "Edit the article");
	tv_str(ctx, "button", is_new ? "Publish the article" : "Save the article");
	tv_str(ctx, "action", action);
	tv_str(ctx, "back_url", back);
	tv_bool(ctx, "noindex", true);
	tv_put(ctx, "v", v);
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cr = tv_push(crumbs);
	tv_str(cr, "name", t->name);
	tv_str(cr, "url", arena_printf(r->a, "/%s", t->slug));
	tv_str(tv_push(crumbs), "name", is_new ? "New article" : "Edit article");
	web_errors(ctx, e);
	web_page(r, status, "article_form", ctx, is_new ? "Write an article" : "Edit the article");
}

/* Reads and checks the article form into n; the values go back into v for the form. */
static void read_form(req *r, ferrs *e, tval *v, article_new *n, bool is_new)
{
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(e, NULL, why);
	}
	n->title = web_text(r, e, "title", "The title", ATITLE_MIN, ATITLE_MAX);
	n->slug = is_new ? web_text(r, e, "slug", "The address", 0, 80) : NULL;
	n->summary = web_text(r, e, "summary", "The summary", 0, ASUMMARY_MAX);
	n->body_md = web_text(r, e, "body", "The article", ABODYX_MIN, ABODYX_MAX);
	const char *srcs = web_text(r, e, "sources", "The sources", 0, 12000);
	bool reviewed = kv_get(&r->form, "reviewed") != NULL;
	tv_str(v, "title", n->title);
	tv_str(v, "slug", n->slug);
	tv_str(v, "summary", n->summary);
	tv_str(v, "body", n->body_md);
	tv_str(v, "sources", srcs);
	tv_bool(v, "reviewed", reviewed);
	const char *slug_why = is_new ? article_slug_problem(r->a, n->slug, n->title) : NULL;
	if (slug_why)
		ferr(e, "slug", slug_why);
	const char *why = NULL;
	post_source *ps;
	int np = source_parse(r->a, srcs, &ps, &why);
	if (np < 0)
		ferr(e, "sources", why);
	n->sources = ps;
	n->nsources = np < 0 ? 0 : np;
	user *u = web_user(r);
	n->author_id = u->id;
	n->reviewer_id = reviewed ? u->id : 0;
	n->reviewed_at = reviewed ? util_now() : 0;
}

void page_article_new(req *r)
{
	dbc *c = web_db(r);
	topic t;
	if (!c || !load_topic(r, c, &t))
		return;
	const char *action = arena_printf(r->a, "/%s/content/new", t.slug);
	const char *back = arena_printf(r->a, "/%s", t.slug);
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	if (r->method != M_POST) {
		article_form(r, &t, true, action, back, v, &e, 200);
		return;
	}
	article_new n = {.topic_id = t.id};
	read_form(r, &e, v, &n, true);
	if (e.n) {
		article_form(r, &t, true, action, back, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	int64_t id = article_create(c, r->a, &n);
	if (id == DB_CONSTRAINT) {
		ferr(&e, "slug", "Another article of this guide has that address: choose another one.");
		article_form(r, &t, true, action, back, v, &e, 422);
		return;
	}
	if (id < 0) {
		ferr(&e, NULL, "The article could not be saved just now. It is kept below: please try again.");
		article_form(r, &t, true, action, back, v, &e, 503);
		return;
	}
	const char *slug = *n.slug ? n.slug : util_slugify(r->a, n.title, 80);
	web_redirect(r, arena_printf(r->a, "/%s/content/%s", t.slug, slug));
}

void page_article_edit(req *r)
{
	dbc *c = web_db(r);
	topic t;
	article ar;
	if (!c || !load_topic(r, c, &t) || !load_article(r, c, &t, r->params[1], &ar))
		return;
	const char *path = arena_printf(r->a, "/%s/content/%s", t.slug, ar.slug);
	const char *action = arena_printf(r->a, "%s/edit", path);
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	if (r->method != M_POST) {
		post_source *src;
		int ns = source_list(c, r->a, "article", ar.id, &src);
		if (ns < 0) {
			web_db_error(r, ns);
			return;
		}
		tv_str(v, "title", ar.title);
		tv_str(v, "summary", ar.summary);
		tv_str(v, "body", ar.body_md);
		tv_str(v, "sources", source_format(r->a, src, ns));
		article_form(r, &t, false, action, path, v, &e, 200);
		return;
	}
	article_new n = {.topic_id = t.id};
	read_form(r, &e, v, &n, false);
	if (e.n) {
		article_form(r, &t, false, action, path, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	if (!n.reviewer_id) {
		/* Saving without ticking "reviewed" keeps the earlier review, not the editor's name. */
		static const dbq q_rev = {"SELECT reviewer_id, reviewed_at FROM articles WHERE id = $1", NULL};
		dbrows rr;
		if (db_query(c, &q_rev, DBP(dbi(ar.id)), r->a, &rr) == 1) {
			n.reviewer_id = db_int(&rr, 0, 0);
			n.reviewed_at = db_int(&rr, 0, 1);
		}
	}
	int rc = article_update(c, r->a, ar.id, &n);
	if (rc < 0) {
		ferr(&e, NULL, "The article could not be saved just now. It is kept below: please try again.");
		article_form(r, &t, false, action, path, v, &e, 503);
		return;
	}
	web_redirect(r, path);
}
