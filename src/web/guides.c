/* guides.c: the guide's queue: unanswered questions in followed topics, oldest first, with counts;
 * which followed topics email their new questions; the one-click stop link in those emails. */
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "model/guide.h"
#include "model/topic.h"
#include "web/content.h"
#include "web/engage.h"
#include "web/web.h"

enum { QUEUE_LIMIT = 50, FOLLOW_MAX = 500 };

void page_guide_queue(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	if (r->method == M_POST) {
		int64_t *ids = ARENA_ARRAY(r->a, int64_t, FOLLOW_MAX), *nids = ARENA_ARRAY(r->a, int64_t, FOLLOW_MAX);
		int n = 0, nn = 0;
		for (int i = 0; i < r->form.n; i++) {
			int64_t id;
			const char *k = r->form.v[i].k;
			bool t = strcmp(k, "topic") == 0, e = strcmp(k, "notify") == 0;
			if (!(t || e) || !util_parse_i64(r->form.v[i].v, 1, INT64_MAX, &id))
				continue;
			if (t && n < FOLLOW_MAX)
				ids[n++] = id;
			else if (e && nn < FOLLOW_MAX)
				nids[nn++] = id;
		}
		/* The page's form says which topics email (its boxes send nothing when unticked); a
		 * post without that part keeps each followed topic's setting. */
		bool with_notify = kv_get(&r->form, "notify_form") != NULL;
		int rc = guide_follow_set(c, r->a, u->id, ids, n, nids, with_notify ? nn : -1);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		web_redirect(r, "/guides/queue");
		return;
	}
	guide_topic *ts;
	queue_item *qs;
	int nt = guide_topic_counts(c, r->a, u->id, &ts);
	int nq = nt < 0 ? nt : guide_queue(c, r->a, u->id, QUEUE_LIMIT, &qs);
	if (nq < 0) {
		web_db_error(r, nq);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	int64_t waiting = 0;
	int followed = 0;
	for (int i = 0; i < nt; i++)
		followed += ts[i].followed;
	tval *tl = tv_childlist(ctx, "topics");
	for (int i = 0; i < nt; i++) {
		tval *o = tv_push(tl);
		tv_int(o, "id", ts[i].id);
		tv_str(o, "name", ts[i].name);
		tv_int(o, "unanswered", ts[i].unanswered);
		tv_bool(o, "followed", ts[i].followed);
		tv_bool(o, "notify", ts[i].followed ? ts[i].notify : true); /* on by default when followed */
		if (!followed || ts[i].followed)
			waiting += ts[i].unanswered;
	}
	tv_str(ctx, "summary",
	       arena_printf(r->a, "%s %s, oldest first.", util_plural(r->a, waiting, "question waits", "questions wait"),
	                    followed ? arena_printf(r->a, "in the %s you follow", util_plural(r->a, followed, "topic", "topics"))
	                             : "across all topics"));
	tval *il = tv_childlist(ctx, "items");
	for (int i = 0; i < nq; i++) {
		tval *o = tv_push(il);
		tv_str(o, "title", qs[i].title);
		tv_str(o, "url", web_question_url(r, qs[i].topic_slug, qs[i].id, qs[i].slug));
		tv_str(o, "excerpt", qs[i].excerpt);
		tv_str(o, "topic_slug", qs[i].topic_slug);
		tv_str(o, "topic_name", qs[i].topic_name);
		web_time(r, o, "created", qs[i].created_at);
	}
	tv_str(tv_push(tv_childlist(tv_child(ctx, "crumbs"), "items")), "name", "Guide queue");
	web_page(r, 200, "guide_queue", ctx, "Questions waiting for an answer");
}

/* /guides/notices/{token}/unsubscribe: the link in a guide's new-question email. The token is
 * the credential (no login, no CSRF), so a mail client's RFC 8058 one-click POST works; GET
 * only asks, because mail scanners open links. It turns off emails for that one topic. */
void page_guide_unsubscribe(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	int64_t uid, tid;
	if (r->nparams < 1 || !mail_guide_token_check(r->params[0], &uid, &tid)) {
		web_error(r, 404, "bad_link", "This link is not valid. It may have been copied incompletely.");
		return;
	}
	topic t;
	int rc = topic_by_id(c, r->a, tid, &t);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	const char *name = rc == 1 ? t.name : "this topic";
	const char *what = arena_printf(r->a, "emails about new questions in %s", name);
	if (r->method == M_POST) {
		rc = guide_notify_set(c, r->a, uid, tid, false);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		engage_notice(r, 200, "You are unsubscribed",
		              arena_printf(r->a, "We will not send you %s any more. You still follow the topic in "
		                                 "your guide queue, where you can turn them on again.",
		                           what),
		              "/guides/queue", "Go to your guide queue", NULL, NULL, NULL);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_str(ctx, "heading", "Unsubscribe");
	tv_str(ctx, "text", arena_printf(r->a, "Stop sending you %s?", what));
	tv_str(ctx, "unsub_action", r->path);
	tv_str(ctx, "back_url", "/guides/queue");
	tv_str(ctx, "back_label", "Choose on your guide queue instead");
	tv_bool(ctx, "noindex", true);
	web_page(r, 200, "email_notice", ctx, "Unsubscribe");
}
