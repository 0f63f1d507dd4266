/* feeds.c: Atom feeds (site-wide and per topic) and sitemap.xml, through escaping templates. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/util.h"
#include "model/article.h"
#include "model/question.h"
#include "model/search.h"
#include "model/topic.h"
#include "web/content.h"
#include "web/web.h"

enum { FEED_ITEMS = 30, SITEMAP_QUESTIONS = 20000 };

static void xml_out(req *r, const char *tmpl, const char *ctype, tval *ctx)
{
	r->status = 200;
	r->ctype = ctype;
	res_header(r, "Cache-Control", "public, max-age=300");
	if (!tmpl_render(&r->out, tmpl, ctx))
		web_error_page(r, 500);
}

static const char *author_name(const author *au)
{
	if (au->user_id && !au->anonymous)
		return au->display_name;
	if (!au->user_id && au->guest_name && *au->guest_name)
		return au->guest_name;
	return "Anonymous";
}

/* Questions and articles, newest first, merged into one list of entries. */
static void entries(req *r, tval *ctx, question *qs, int nq, article *as, int na)
{
	const char *base = APP(r)->cfg->base_url;
	tval *list = tv_childlist(ctx, "entries");
	/* Members-only questions stay out of the feeds (docs/security.md, Privacy). */
	int kept = 0;
	for (int j = 0; j < nq; j++)
		if (!qs[j].members_only)
			qs[kept++] = qs[j];
	nq = kept;
	int i = 0, k = 0, n = 0;
	int64_t newest = 0;
	while ((i < nq || k < na) && n < FEED_ITEMS) {
		bool take_q = k >= na || (i < nq && qs[i].created_at >= as[k].updated_at);
		tval *o = tv_push(list);
		int64_t pub, upd;
		if (take_q) {
			question *q = &qs[i++];
			const char *path = web_question_url(r, q->topic_slug, q->id, q->slug);
			tv_str(o, "title", q->title);
			tv_str(o, "id", arena_printf(r->a, "%s/%s/questions/%lld", base, q->topic_slug, (long long)q->id));
			tv_str(o, "url", arena_printf(r->a, "%s%s", base, path));
			tv_str(o, "author", author_name(&q->by));
			tv_str(o, "summary", q->excerpt);
			tv_str(o, "content", q->body_html);
			tv_str(o, "topic_slug", q->topic_slug);
			tv_str(o, "topic_name", q->topic_name);
			pub = q->created_at;
			upd = q->edited_at > q->created_at ? q->edited_at : q->created_at;
		} else {
			article *a = &as[k++];
			const char *url = arena_printf(r->a, "%s/%s/content/%s", base, a->topic_slug, a->slug);
			tv_str(o, "title", a->title);
			tv_str(o, "id", url);
			tv_str(o, "url", url);
			tv_str(o, "author", *a->author_name ? a->author_name : APP(r)->cfg->site_name);
			tv_str(o, "summary", a->summary);
			tv_str(o, "content", a->body_html);
			tv_str(o, "topic_slug", a->topic_slug);
			tv_str(o, "topic_name", a->topic_name);
			pub = a->created_at;
			upd = a->updated_at;
		}
		tv_str(o, "published", util_iso8601(r->a, pub));
		tv_str(o, "updated", util_iso8601(r->a, upd));
		if (upd > newest)
			newest = upd;
		n++;
	}
	tv_str(ctx, "updated", util_iso8601(r->a, newest ? newest : util_now()));
}

void page_feed(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	const char *name = r->params[0];
	size_t nl = strlen(name);
	if (nl <= 5 || strcmp(name + nl - 5, ".atom") != 0) {
		web_error_page(r, 404);
		return;
	}
	char *slug = arena_strndup(r->a, name, nl - 5);
	const char *base = APP(r)->cfg->base_url;
	const char *site = APP(r)->cfg->site_name;
	tval *ctx = tv_obj(r->a);
	tv_str(ctx, "site_name", site);
	tv_str(ctx, "self_url", arena_printf(r->a, "%s/feeds/%s", base, name));
	tv_str(ctx, "feed_id", arena_printf(r->a, "%s/feeds/%s", base, name));
	question *qs;
	article *as;
	int nq, na;
	if (strcmp(slug, "all") == 0) {
		nq = question_list_recent(c, r->a, FEED_ITEMS, &qs);
		na = nq < 0 ? nq : article_list_recent(c, r->a, 0, FEED_ITEMS, &as);
		tv_str(ctx, "feed_title", arena_printf(r->a, "%s: new questions and articles", site));
		tv_str(ctx, "feed_subtitle", "New questions from the community and new articles from the guides.");
		tv_str(ctx, "alt_url", arena_printf(r->a, "%s/", base));
	} else {
		topic t;
		int rc = topic_by_slug(c, r->a, slug, &t);
		if (rc <= 0) {
			if (rc < 0)
				web_db_error(r, rc);
			else
				web_error_page(r, 404);
			return;
		}
		nq = question_list_topic(c, r->a, t.id, FEED_ITEMS, 0, &qs);
		na = nq < 0 ? nq : article_list_recent(c, r->a, t.id, FEED_ITEMS, &as);
		tv_str(ctx, "feed_title", arena_printf(r->a, "%s: %s", site, t.name));
		tv_str(ctx, "feed_subtitle", *t.summary ? t.summary : t.name);
		tv_str(ctx, "alt_url", arena_printf(r->a, "%s/%s", base, t.slug));
	}
	if (na < 0) {
		web_db_error(r, na);
		return;
	}
	entries(r, ctx, qs, nq, as, na);
	xml_out(r, "feed_atom", "application/atom+xml; charset=utf-8", ctx);
}

static const dbq q_sitemap_questions = {
	"SELECT t.slug, q.id, q.slug, coalesce(q.edited_at, q.created_at) FROM questions q "
	"JOIN topics t ON t.id = q.topic_id WHERE q.status = 'published' AND q.members_only = 0 "
	"ORDER BY q.id DESC LIMIT $1",
	NULL};

void page_sitemap(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	const char *base = APP(r)->cfg->base_url;
	topic *ts;
	article *as;
	dbrows qr;
	int nt = topic_list(c, r->a, &ts);
	int na = nt < 0 ? nt : article_list_recent(c, r->a, 0, 5000, &as);
	int nq = na < 0 ? na : db_query(c, &q_sitemap_questions, DBP(dbi(SITEMAP_QUESTIONS)), r->a, &qr);
	if (nq < 0) {
		web_db_error(r, nq);
		return;
	}
	tval *ctx = tv_obj(r->a);
	tval *list = tv_childlist(ctx, "urls");
	tv_str(tv_push(list), "loc", arena_printf(r->a, "%s/", base));
	for (int i = 0; i < nt; i++)
		tv_str(tv_push(list), "loc", arena_printf(r->a, "%s/%s", base, ts[i].slug));
	for (int i = 0; i < na; i++) {
		tval *o = tv_push(list);
		tv_str(o, "loc", arena_printf(r->a, "%s/%s/content/%s", base, as[i].topic_slug, as[i].slug));
		tv_str(o, "lastmod", util_iso8601(r->a, as[i].updated_at));
	}
	for (int i = 0; i < nq; i++) {
		tval *o = tv_push(list);
		tv_str(o, "loc", arena_printf(r->a, "%s%s", base,
		                              web_question_url(r, db_text(&qr, i, 0), db_int(&qr, i, 1), db_text(&qr, i, 2))));
		tv_str(o, "lastmod", util_iso8601(r->a, db_int(&qr, i, 3)));
	}
	xml_out(r, "sitemap_xml", "application/xml; charset=utf-8", ctx);
}
