/* guides.c: the guide's queue: unanswered questions in followed topics, oldest first, with counts. */
#include <string.h>

#include "core/util.h"
#include "model/guide.h"
#include "web/content.h"
#include "web/web.h"

enum { QUEUE_LIMIT = 50, FOLLOW_MAX = 500 };

void page_guide_queue(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	if (r->method == M_POST) {
		int64_t *ids = ARENA_ARRAY(r->a, int64_t, FOLLOW_MAX);
		int n = 0;
		for (int i = 0; i < r->form.n && n < FOLLOW_MAX; i++) {
			int64_t id;
			if (strcmp(r->form.v[i].k, "topic") == 0 && util_parse_i64(r->form.v[i].v, 1, INT64_MAX, &id))
				ids[n++] = id;
		}
		int rc = guide_follow_set(c, u->id, ids, n);
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
