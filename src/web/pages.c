/* pages.c: legal pages, search, health check and robots.txt. */
#include <string.h>

#include "core/util.h"
#include "model/search.h"
#include "model/topic.h"
#include "web/pages.h"
#include "web/web.h"

static void legal(req *r, const char *tmpl, const char *title)
{
	tval *ctx = web_ctx(r);
	tv_str(ctx, "canonical", arena_printf(r->a, "%s%s", APP(r)->cfg->base_url, r->path));
	tv_str(tv_push(tv_childlist(tv_child(ctx, "crumbs"), "items")), "name", title);
	web_page(r, 200, tmpl, ctx, title);
}

void page_terms(req *r)
{
	legal(r, "terms", "Terms of use");
}

void page_privacy(req *r)
{
	legal(r, "privacy", "Privacy policy");
}

void page_disclaimer(req *r)
{
	legal(r, "disclaimer", "Medical disclaimer");
}

void page_healthz(req *r)
{
	static const dbq q_ping = {"SELECT 1", NULL};
	dbc *c = db_conn(APP(r)->db);
	int rc = DB_ERR;
	if (c)
		db_scalar(c, &q_ping, DBNOP, 0, &rc);
	res_header(r, "Cache-Control", "no-store");
	if (rc < 0)
		res_text(r, 503, "text/plain; charset=utf-8", "database unreachable\n");
	else
		res_text(r, 200, "text/plain; charset=utf-8", "ok\n");
}

void page_robots(req *r)
{
	res_header(r, "Cache-Control", "public, max-age=3600");
	r->status = 200;
	r->ctype = "text/plain; charset=utf-8";
	buf_puts(&r->out, "User-agent: *\nDisallow: /account\nDisallow: /mod\nDisallow: /admin\n"
	                  "Disallow: /search?\nDisallow: /login\nDisallow: /register\nDisallow: /guides\n");
	buf_printf(&r->out, "Sitemap: %s/sitemap.xml\n", APP(r)->cfg->base_url);
}

enum { SEARCH_PER_PAGE = 10 };

/* Splits a snippet with \x01…\x02 marks into parts the template escapes one by one. */
static void snippet_parts(tval *o, const char *s)
{
	tval *list = tv_childlist(o, "snippet");
	const char *p = s;
	while (*p) {
		bool hl = *p == '\x01';
		if (hl)
			p++;
		const char *e = p + strcspn(p, hl ? "\x02" : "\x01");
		tval *part = tv_push(list);
		tv_strn(part, "t", p, (size_t)(e - p));
		tv_bool(part, "hl", hl);
		p = *e == '\x02' ? e + 1 : e;
	}
}

void page_search(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	ferrs e = {0};
	const char *raw = kv_get(&r->query, "q");
	const char *topic_slug = kv_get(&r->query, "topic");
	int64_t page = 1;
	const char *ps = kv_get(&r->query, "page");
	if (ps && !util_parse_i64(ps, 1, 1000, &page))
		page = 1;
	/* Read the query like a form field so bad bytes get the same treatment. */
	kvlist saved = r->form;
	r->form = r->query;
	const char *q = raw ? web_text(r, &e, "q", "Your search", 0, 200) : "";
	r->form = saved;

	tval *ctx = web_ctx(r);
	tv_str(ctx, "search_q", q);
	/* The search form may be indexed; result pages stay out (crafted queries are spam bait). */
	tv_bool(ctx, "noindex", raw != NULL);
	tv_str(ctx, "description", "Search the questions and answers of every condition in this community.");
	tv_str(ctx, "q", q);
	topic *ts;
	int nt = topic_list(c, r->a, &ts);
	tval *tl = tv_childlist(ctx, "topics");
	for (int i = 0; i < nt; i++) {
		tval *o = tv_push(tl);
		tv_str(o, "slug", ts[i].slug);
		tv_str(o, "name", ts[i].name);
		tv_bool(o, "selected", topic_slug && strcmp(topic_slug, ts[i].slug) == 0);
	}
	web_errors(ctx, &e);
	if (*q && e.n == 0) {
		search_hit *hits;
		int64_t total;
		/* Guests' results leave members-only questions out (docs/security.md, Privacy). */
		int n = search_questions_as(c, r->a, q, topic_slug, SEARCH_PER_PAGE,
		                            (int)((page - 1) * SEARCH_PER_PAGE), web_user(r) != NULL, &hits, &total);
		if (n < 0) {
			web_db_error(r, n);
			return;
		}
		tv_bool(ctx, "searched", true);
		tv_str(ctx, "summary", arena_printf(r->a, "%s for “%s”", util_plural(r->a, total, "result", "results"), q));
		tval *list = tv_childlist(ctx, "hits");
		for (int i = 0; i < n; i++) {
			tval *o = tv_push(list);
			tv_str(o, "title", hits[i].title);
			tv_str(o, "url", web_question_url(r, hits[i].topic_slug, hits[i].id, hits[i].slug));
			tv_str(o, "topic_name", hits[i].topic_name);
			tv_str(o, "topic_slug", hits[i].topic_slug);
			tv_str(o, "comments", util_plural(r->a, hits[i].answer_count, "comment", "comments"));
			tv_bool(o, "in_answer", hits[i].in_answer);
			web_time(r, o, "created", hits[i].created_at);
			snippet_parts(o, hits[i].snippet);
		}
		if (page == 1) {
			article_hit *arts;
			int na = search_articles(c, r->a, q, topic_slug, 3, &arts);
			if (na < 0) {
				web_db_error(r, na);
				return;
			}
			tv_bool(ctx, "has_articles", na > 0);
			tval *al = tv_childlist(ctx, "article_hits");
			for (int i = 0; i < na; i++) {
				tval *o = tv_push(al);
				tv_str(o, "title", arts[i].title);
				tv_str(o, "url", arena_printf(r->a, "/%s/content/%s", arts[i].topic_slug, arts[i].slug));
				tv_str(o, "topic_name", arts[i].topic_name);
				tv_str(o, "topic_slug", arts[i].topic_slug);
				tv_str(o, "summary", arts[i].summary);
				snippet_parts(o, arts[i].snippet);
			}
		}
		int64_t pages = (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
		if (pages > 1) {
			buf base;
			buf_init(&base, r->a, 128, 4096);
			buf_puts(&base, "/search?q=");
			buf_urlenc(&base, q, strlen(q));
			if (topic_slug && *topic_slug) {
				buf_puts(&base, "&topic=");
				buf_urlenc(&base, topic_slug, strlen(topic_slug));
			}
			tval *pg = tv_child(ctx, "pager");
			tv_int(pg, "page", page);
			tv_int(pg, "pages", pages);
			if (page > 1)
				tv_str(pg, "prev", arena_printf(r->a, "%s&page=%lld", base.p, (long long)(page - 1)));
			if (page < pages)
				tv_str(pg, "next", arena_printf(r->a, "%s&page=%lld", base.p, (long long)(page + 1)));
		}
	}
	web_page(r, 200, "search", ctx, *q ? arena_printf(r->a, "Search: %s", q) : "Search");
}
