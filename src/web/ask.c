/* ask.c: asking a question, with drafts for members. */
#include <string.h>

#include "core/util.h"
#include "http/static.h"
#include "safety/image.h"
#include "model/draft.h"
#include "model/question.h"
#include "model/search.h"
#include "model/topic.h"
#include "web/images.h"
#include "web/pages.h"
#include "web/safety.h"
#include "web/web.h"

static void ask_form(req *r, dbc *c, const topic *t, tval *v, const ferrs *e, bool has_draft,
                     const char *draft_when, int status, bool checking)
{
	tval *ctx = web_ctx(r);
	tval *to = tv_child(ctx, "topic");
	tv_str(to, "slug", t->slug);
	tv_str(to, "name", t->name);
	tval *l = tv_child(ctx, "limits");
	tv_int(l, "title_min", TITLE_MIN);
	tv_int(l, "title_max", TITLE_MAX);
	tv_int(l, "body_min", QBODY_MIN);
	tv_int(l, "body_max", QBODY_MAX);
	tv_put(ctx, "v", v);
	tv_bool(ctx, "has_draft", has_draft);
	tv_str(ctx, "draft_saved_at", draft_when);
	tv_bool(ctx, "noindex", true);
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cr = tv_push(crumbs);
	tv_str(cr, "name", t->name);
	tv_str(cr, "url", arena_printf(r->a, "/%s", t->slug));
	tv_str(tv_push(crumbs), "name", "Ask");
	web_errors(ctx, e);
	/* "Did you mean": questions like the title, when the person asked to check (or came with one). */
	const char *title = tv_get_str(v, "title");
	if (title && *title && c && (r->method != M_POST || checking)) {
		search_hit *sim;
		int ns = search_similar(c, r->a, title, 0, 5, &sim);
		tv_bool(ctx, "checked", true);
		tval *sl = tv_childlist(ctx, "similar");
		for (int i = 0; i < ns; i++) {
			tval *o = tv_push(sl);
			tv_str(o, "title", sim[i].title);
			tv_str(o, "url", web_question_url(r, sim[i].topic_slug, sim[i].id, sim[i].slug));
			tv_str(o, "topic_name", sim[i].topic_name);
			tv_str(o, "comments", util_plural(r->a, sim[i].answer_count, "comment", "comments"));
		}
		tv_bool(ctx, "has_similar", ns > 0);
	}
	safety_form(r, c, ctx, arena_printf(r->a, "/%s/ask#captcha", t->slug));
	images_form(r, ctx, v);
	web_page(r, status, "ask", ctx, arena_printf(r->a, "Ask about %s", t->name));
}

void page_ask(req *r)
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
		web_error(r, 404, "no_such_topic",
		          "There is no condition with that name here. Choose one from the home page to ask about it.");
		return;
	}
	user *u = web_user(r);
	ferrs e = {0};
	tval *v = tv_obj(r->a);
	draft d;
	bool has_draft = u && draft_get(c, r->a, u->id, t.id, &d) == 1;

	if (r->method != M_POST) {
		const char *when = NULL;
		if (has_draft) {
			tv_str(v, "title", d.title);
			tv_str(v, "body", d.body_md);
			tv_bool(v, "anonymous", d.anonymous);
			when = util_ago(r->a, d.updated_at, util_now());
		} else {
			tv_str(v, "title", kv_get(&r->query, "title"));
		}
		ask_form(r, c, &t, v, &e, has_draft, when, 200, false);
		return;
	}

	const char *action = kv_get(&r->form, "action");
	if (!action)
		action = "post";
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	bool post = strcmp(action, "post") == 0;
	bool check = strcmp(action, "check") == 0;
	bool anon = u && kv_get(&r->form, "anonymous") != NULL;
	bool members_only = u && kv_get(&r->form, "members_only") != NULL;
	const char *title = web_text(r, &e, "title", "Your question", post ? TITLE_MIN : 0, TITLE_MAX);
	const char *body = web_text(r, &e, "body", "Details", post ? QBODY_MIN : 0, QBODY_MAX);
	const char *guest = u ? "" : web_text(r, &e, "guest_name", "Your name", 0, GUEST_NAME_MAX);
	tv_str(v, "title", title);
	tv_str(v, "body", body);
	tv_str(v, "guest_name", guest);
	tv_bool(v, "anonymous", anon);
	tv_bool(v, "members_only", members_only);
	int status = r->csrf_failed ? 403 : 422;
	if (check && !e.n) {
		/* The "did you mean" step: similar questions above the kept form, nothing saved and
		 * the CAPTCHA not used up. */
		ask_form(r, c, &t, v, &e, has_draft, NULL, 200, true);
		return;
	}
	/* Without JavaScript (which shows similar questions while the title is typed) the first
	 * "Post" is the "did you mean" step when questions like it exist: they are listed above
	 * the kept form, nothing is saved and the CAPTCHA is not used up; the form shown then
	 * posts for real. */
	const char *step = kv_get(&r->form, "similar_step");
	if (post && !e.n && step && strcmp(step, "1") == 0 && r->nuploads == 0) {
		search_hit *sim;
		if (search_similar(c, r->a, title, 0, 1, &sim) > 0) {
			ask_form(r, c, &t, v, &e, has_draft, NULL, 200, true);
			return;
		}
	}
	int64_t img_ids[IMAGE_MAX_PER_POST];
	int nimg = 0;
	if (post) {
		safety_check_form(r, c, &e);
		if (!r->csrf_failed)
			nimg = images_take(r, c, &e, v, img_ids);
	}
	if (e.n) {
		ask_form(r, c, &t, v, &e, has_draft, NULL, status, false);
		return;
	}
	if (u && strcmp(action, "draft") == 0) {
		rc = draft_save(c, u->id, t.id, title, body, anon);
		if (rc < 0) {
			ferr(&e, NULL, "Your draft could not be saved just now. Your text is kept below.");
			ask_form(r, c, &t, v, &e, has_draft, NULL, 503, false);
			return;
		}
		web_flash(r, "draft");
		web_redirect(r, arena_printf(r->a, "/%s/ask", t.slug));
		return;
	}
	if (u && strcmp(action, "discard") == 0) {
		draft_delete(c, u->id, t.id);
		web_flash(r, "draft_deleted");
		web_redirect(r, arena_printf(r->a, "/%s/ask", t.slug));
		return;
	}
	if (!post) {
		web_error(r, 400, "bad_action", "That form button is not known.");
		return;
	}
	post_verdict verdict;
	if ((status = safety_check_post(r, c, &e, "question", 0, title, body, &verdict)) != 0) {
		ask_form(r, c, &t, v, &e, has_draft, NULL, status, false);
		return;
	}
	question_new n = {
		.status = verdict.status,
		.topic_id = t.id,
		.user_id = u ? u->id : 0,
		.guest_name = guest,
		.anonymous = anon,
		.members_only = members_only,
		.title = title,
		.body_md = body,
		.also = &verdict.writes,
		.then = safety_note_tx,
		.then_ctx = &verdict,
	};
	if (u) /* the draft goes with the posting, in its transaction */
		draft_delete_with(&verdict.writes, u->id, t.id);
	int64_t id = question_create(c, r->a, &n);
	if (id == DB_OVER) {
		ferr(&e, NULL, verdict.over_msg);
		ask_form(r, c, &t, v, &e, has_draft, NULL, 429, false);
		return;
	}
	if (id < 0) {
		ferr(&e, NULL, "Your question could not be saved just now. Your text is kept below: please try again.");
		ask_form(r, c, &t, v, &e, has_draft, NULL, 503, false);
		return;
	}
	images_attach(r, c, img_ids, nimg, "question", id);
	char *url = web_question_url(r, t.slug, id, util_slugify(r->a, title, 80));
	const char *to = safety_after_post(r, "question", &verdict, url, arena_printf(r->a, "/%s", t.slug));
	if (to) {
		web_redirect(r, to);
		return;
	}
	web_flash(r, "question");
	web_redirect(r, url);
}
