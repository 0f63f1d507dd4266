/* home.c: the home page and the condition (topic) pages. */
#include <string.h>

#include "core/util.h"
#include "model/article.h"
#include "model/question.h"
#include "model/topic_related.h"
#include "model/topic.h"
#include "web/engage.h"
#include "web/pages.h"
#include "web/web.h"

/* Adds a question list under key for the question_list partial. */
static void question_items(req *r, tval *ctx, const char *key, question *qs, int n, bool show_topic)
{
	tval *list = tv_childlist(ctx, key);
	for (int i = 0; i < n; i++) {
		question *q = &qs[i];
		tval *o = tv_push(list);
		tv_str(o, "title", q->title);
		tv_str(o, "url", web_question_url(r, q->topic_slug, q->id, q->slug));
		tv_str(o, "excerpt", q->excerpt);
		tv_str(o, "comments", util_plural(r->a, q->answer_count, "comment", "comments"));
		tv_str(o, "topic_slug", q->topic_slug);
		tv_str(o, "topic_name", q->topic_name);
		tv_bool(o, "show_topic", show_topic);
		web_author(r, o, &q->by);
		web_time(r, o, "created", q->created_at);
	}
}

void page_home(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	topic *ts;
	question *recent, *open;
	int nt = topic_list(c, r->a, &ts);
	int nr = nt < 0 ? nt : question_list_recent(c, r->a, 10, &recent);
	int nu = nr < 0 ? nr : question_list_unanswered(c, r->a, 5, &open);
	if (nu < 0) {
		web_db_error(r, nu);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_str(ctx, "description",
	       "A health community: condition guides, questions and answers from members and trusted guides.");
	tv_str(ctx, "canonical", arena_printf(r->a, "%s/", APP(r)->cfg->base_url));
	tval *tl = tv_childlist(ctx, "topics");
	for (int i = 0; i < nt; i++) {
		tval *o = tv_push(tl);
		tv_str(o, "slug", ts[i].slug);
		tv_str(o, "name", ts[i].name);
		tv_str(o, "summary", ts[i].summary);
		tv_str(o, "count", util_plural(r->a, ts[i].question_count, "question", "questions"));
	}
	question_items(r, ctx, "questions", recent, nr, true);
	if (nu > 0) {
		tval *u = tv_child(ctx, "unanswered_list");
		question_items(r, u, "items", open, nu, true);
	}
	if (web_user(r)) /* the newsletter signup, filled in for members */
		tv_str(ctx, "newsletter_email", web_user(r)->email);
	web_page(r, 200, "home", ctx, "Health questions, answered with care");
}

enum { PER_PAGE = 20 };

void page_topic(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	topic t;
	int rc = topic_by_slug(c, r->a, r->params[0], &t);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		web_error_page(r, 404);
		return;
	}
	int64_t page = 1;
	const char *ps = kv_get(&r->query, "page");
	if (ps && !util_parse_i64(ps, 1, 100000, &page)) {
		web_error(r, 400, "bad_page", "That page number is not valid.");
		return;
	}
	int64_t pages = t.question_count ? (t.question_count + PER_PAGE - 1) / PER_PAGE : 1;
	if (page > pages) {
		web_error_page(r, 404);
		return;
	}
	question *qs;
	int n = question_list_topic(c, r->a, t.id, PER_PAGE, (int)((page - 1) * PER_PAGE), &qs);
	article *arts = NULL;
	topic *rel = NULL;
	int na = n < 0 || page > 1 ? n : article_list_topic(c, r->a, t.id, &arts);
	int nrel = na < 0 ? na : topic_related_list(c, r->a, t.id, &rel);
	if (nrel < 0) {
		web_db_error(r, nrel);
		return;
	}
	tval *ctx = web_ctx(r);
	tval *to = tv_child(ctx, "topic");
	tv_str(to, "slug", t.slug);
	tv_str(to, "name", t.name);
	tv_str(to, "summary", t.summary);
	if (page == 1)
		tv_html(to, "overview_html", t.overview_html);
	tv_str(ctx, "description", t.summary);
	tv_str(ctx, "canonical",
	       page == 1 ? arena_printf(r->a, "%s/%s", APP(r)->cfg->base_url, t.slug)
	                 : arena_printf(r->a, "%s/%s?page=%lld", APP(r)->cfg->base_url, t.slug, (long long)page));
	tv_str(tv_push(tv_childlist(tv_child(ctx, "crumbs"), "items")), "name", t.name);
	question_items(r, ctx, "questions", qs, n, false);
	tv_str(ctx, "feed_url", arena_printf(r->a, "/feeds/%s.atom", t.slug));
	tv_str(ctx, "feed_title", arena_printf(r->a, "%s: new questions and articles", t.name));
	tv_bool(ctx, "has_articles", page == 1 && na > 0);
	tval *al = tv_childlist(ctx, "articles");
	for (int i = 0; page == 1 && i < na; i++) {
		tval *o = tv_push(al);
		tv_str(o, "title", arts[i].title);
		tv_str(o, "summary", arts[i].summary);
		tv_str(o, "url", arena_printf(r->a, "/%s/content/%s", t.slug, arts[i].slug));
		if (*arts[i].reviewer_name) {
			tv_str(o, "reviewer", arts[i].reviewer_name);
			if (arts[i].reviewed_at)
				web_time(r, o, "reviewed", arts[i].reviewed_at);
		}
	}
	tv_bool(ctx, "can_write", web_role(r, ROLE_GUIDE));
	tv_bool(ctx, "has_related", nrel > 0);
	tval *rl = tv_childlist(ctx, "related");
	for (int i = 0; i < nrel; i++) {
		tval *o = tv_push(rl);
		tv_str(o, "slug", rel[i].slug);
		tv_str(o, "name", rel[i].name);
		tv_str(o, "summary", rel[i].summary);
	}
	engage_topic(r, c, &t, ctx); /* "Get Email Updates" */
	if (pages > 1) {
		tval *pg = tv_child(ctx, "pager");
		tv_int(pg, "page", page);
		tv_int(pg, "pages", pages);
		if (page > 1)
			tv_str(pg, "prev", page == 2 ? arena_printf(r->a, "/%s", t.slug)
			                             : arena_printf(r->a, "/%s?page=%lld", t.slug, (long long)(page - 1)));
		if (page < pages)
			tv_str(pg, "next", arena_printf(r->a, "/%s?page=%lld", t.slug, (long long)(page + 1)));
	}
	web_page(r, 200, "topic", ctx, page == 1 ? t.name : arena_printf(r->a, "%s (page %lld)", t.name, (long long)page));
}
