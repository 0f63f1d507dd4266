/* profile.c: public profiles at /u/{username}. */
#include "core/util.h"
#include "model/answer.h"
#include "model/question.h"
#include "model/user.h"
#include "web/pages.h"
#include "web/web.h"

static const char *badge_class(enum role r)
{
	return r == ROLE_GUIDE ? "guide" : r == ROLE_MODERATOR ? "mod" : r == ROLE_ADMIN ? "admin" : "";
}

void page_profile(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user p;
	int rc = user_by_username(c, r->a, r->params[0], &p);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0 || p.id == 0) {
		web_error_page(r, 404);
		return;
	}
	user *me = web_user(r);
	bool own = me && me->id == p.id;
	question *qs;
	int nq = question_list_user(c, r->a, p.id, own || web_role(r, ROLE_MODERATOR), 20, &qs);
	answer *as;
	const char **titles, **urls;
	int na = nq < 0 ? nq : answer_list_user(c, r->a, p.id, 10, &as, &titles, &urls);
	if (na < 0) {
		web_db_error(r, na);
		return;
	}
	tval *ctx = web_ctx(r);
	tval *po = tv_child(ctx, "p");
	tv_str(po, "display_name", p.display_name);
	tv_str(po, "username", p.username);
	tv_str(po, "badge", role_badge(p.role));
	tv_str(po, "badge_class", badge_class(p.role));
	tv_str(po, "title", p.title);
	tv_str(po, "bio", p.bio);
	tv_str(po, "joined", util_date(r->a, p.created_at));
	tv_str(ctx, "description", *p.bio ? p.bio : arena_printf(r->a, "%s on %s", p.display_name, APP(r)->cfg->site_name));
	tval *list = tv_childlist(ctx, "questions");
	for (int i = 0; i < nq; i++) {
		tval *o = tv_push(list);
		tv_str(o, "title", qs[i].title);
		tv_str(o, "url", web_question_url(r, qs[i].topic_slug, qs[i].id, qs[i].slug));
		tv_str(o, "excerpt", qs[i].excerpt);
		tv_str(o, "comments", util_plural(r->a, qs[i].answer_count, "comment", "comments"));
		tv_str(o, "topic_slug", qs[i].topic_slug);
		tv_str(o, "topic_name", qs[i].topic_name);
		tv_bool(o, "show_topic", true);
		web_author(r, o, &qs[i].by);
		web_time(r, o, "created", qs[i].created_at);
	}
	if (na > 0) {
		tval *items = tv_childlist(tv_child(ctx, "answers_list"), "items");
		for (int i = 0; i < na; i++) {
			tval *o = tv_push(items);
			tv_str(o, "title", titles[i]);
			tv_str(o, "url", urls[i]);
			web_time(r, o, "created", as[i].created_at);
		}
	}
	web_page(r, 200, "profile", ctx, p.display_name);
}
