/* mod.c: reporting posts, the moderation queue, moderator actions, the audit log, and a
 * member's own posts under review. */
#include <string.h>

#include "core/util.h"
#include "model/answer.h"
#include "model/moderation.h"
#include "model/question.h"
#include "safety/limits.h"
#include "web/pages.h"
#include "web/safety.h"
#include "web/web.h"

enum { FLAGS_PER_HOUR = 30, NOTE_MAX = 500, REASON_MAX = 300, LOG_PAGE = 50 };

/* ---- reporting ---- */

static void flag_form(req *r, const question *q, int64_t aid, const char *reason, const char *note,
                      const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_str(ctx, "what", aid ? "an answer" : "a question");
	tv_str(ctx, "post_title", q->title);
	tv_str(ctx, "action", arena_printf(r->a, "/%s/questions/%lld/flag", q->topic_slug, (long long)q->id));
	char *back = web_question_url(r, q->topic_slug, q->id, q->slug);
	tv_str(ctx, "back_url", aid ? arena_printf(r->a, "%s#answer-%lld", back, (long long)aid) : back);
	if (aid)
		tv_int(ctx, "answer_id", aid);
	tval *list = tv_childlist(ctx, "reasons");
	for (int i = 0; flag_reasons[i]; i++) {
		tval *o = tv_push(list);
		tv_str(o, "value", flag_reasons[i]);
		tv_str(o, "label", flag_reason_label(flag_reasons[i]));
		tv_bool(o, "checked", reason && strcmp(reason, flag_reasons[i]) == 0);
	}
	tv_str(tv_child(ctx, "v"), "note", note);
	web_errors(ctx, e);
	web_page(r, status, "flag", ctx, "Report a post");
}

void page_flag(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	int64_t qid, aid = 0;
	question q;
	if (!web_parse_id(r->params[1], &qid) || question_get(c, r->a, qid, false, &q) != 1) {
		web_error_page(r, 404);
		return;
	}
	const char *as = req_arg(r, "answer");
	if (as && *as) {
		answer a;
		if (!util_parse_i64(as, 1, INT64_MAX, &aid) || answer_get(c, r->a, aid, &a) != 1 ||
		    a.question_id != q.id || strcmp(a.status, "published") != 0) {
			web_error_page(r, 404);
			return;
		}
	}
	ferrs e = {0};
	if (r->method != M_POST) {
		flag_form(r, &q, aid, NULL, "", &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *reason = kv_get(&r->form, "reason");
	bool known = false;
	for (int i = 0; reason && flag_reasons[i]; i++)
		known |= strcmp(reason, flag_reasons[i]) == 0;
	if (!known)
		ferr(&e, "reason", "Choose what the problem is.");
	const char *note = web_text(r, &e, "note", "The note", 0, NOTE_MAX);
	if (e.n) {
		flag_form(r, &q, aid, reason, note, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	user *u = web_user(r);
	const char *client = safety_client(r);
	if (limit_hit(c, "flag", u ? arena_printf(r->a, "u:%lld", (long long)u->id) : client, 3600, util_now()) >
	    FLAGS_PER_HOUR) {
		ferr(&e, NULL, "You have sent many reports in the last hour. Please try again later: your note is kept.");
		flag_form(r, &q, aid, reason, note, &e, 429);
		return;
	}
	int64_t id = mod_flag(c, aid ? "answer" : "question", aid ? aid : q.id, u ? u->id : 0,
	                      u ? arena_printf(r->a, "u:%lld", (long long)u->id) : client, reason, note);
	if (id < 0) {
		ferr(&e, NULL, "Your report could not be saved just now. Please try again.");
		flag_form(r, &q, aid, reason, note, &e, 503);
		return;
	}
	web_flash(r, "flagged");
	char *back = web_question_url(r, q.topic_slug, q.id, q.slug);
	web_redirect(r, aid ? arena_printf(r->a, "%s#answer-%lld", back, (long long)aid) : back);
}

/* ---- the queue ---- */

static void item_ctx(req *r, tval *o, const modq_item *it, const char *back)
{
	bool q = strcmp(it->post_type, "question") == 0;
	tv_str(o, "post_type", it->post_type);
	tv_int(o, "post_id", it->post_id);
	tv_bool(o, "is_question", q);
	tv_str(o, "kind_label", q ? "Question" : "Answer");
	tv_str(o, "title", q ? it->title : arena_printf(r->a, "Answer to “%s”", it->title));
	tv_str(o, "body", it->body_md);
	tv_str(o, "status", it->status);
	bool held = strcmp(it->status, "held") == 0, published = strcmp(it->status, "published") == 0;
	tv_bool(o, "can_approve", held);
	tv_bool(o, "can_restore", !held && !published && strcmp(it->status, "merged") != 0);
	tv_bool(o, "can_hide", held || published);
	tv_bool(o, "can_delete", strcmp(it->status, "deleted") != 0 && strcmp(it->status, "merged") != 0);
	tv_str(o, "author", it->author);
	tv_bool(o, "has_account", it->author_id != 0);
	tv_str(o, "reason", it->reason);
	tv_bool(o, "crisis", it->crisis);
	tv_int(o, "flags", it->flags);
	tv_str(o, "flag_reasons", it->flag_reasons);
	tv_int(o, "spam_score", it->spam_score);
	tv_bool(o, "locked", it->locked);
	tv_str(o, "back", back);
	web_time(r, o, "created", it->created_at);
	char *qurl = arena_printf(r->a, "/%s/questions/%lld", it->topic_slug, (long long)it->question_id);
	if (strcmp(it->status, "published") == 0)
		tv_str(o, "url", q ? qurl : arena_printf(r->a, "%s#answer-%lld", qurl, (long long)it->post_id));
	if (strcmp(it->status, "published") == 0)
		tv_str(o, "edit_url", q ? arena_printf(r->a, "%s/edit", qurl)
		                        : arena_printf(r->a, "%s/answers/%lld/edit", qurl, (long long)it->post_id));
}

void page_mod_queue(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	modq_item *items;
	int n = modq_list(c, r->a, 100, &items);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_str(ctx, "count_label", util_plural(r->a, n, "post", "posts"));
	tval *list = tv_childlist(ctx, "items");
	for (int i = 0; i < n; i++)
		item_ctx(r, tv_push(list), &items[i], "/mod");
	web_page(r, 200, "mod_queue", ctx, "Moderation");
}

static bool post_ref(req *r, const char **type, int64_t *id)
{
	*type = req_arg(r, "type");
	const char *s = req_arg(r, "id");
	return *type && (strcmp(*type, "question") == 0 || strcmp(*type, "answer") == 0) && s &&
	       util_parse_i64(s, 1, INT64_MAX, id);
}

void page_mod_post(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	const char *type;
	int64_t id;
	modq_item it;
	int rc;
	if (!post_ref(r, &type, &id) || (rc = modq_get(c, r->a, type, id, &it)) == 0) {
		web_error(r, 404, "no_such_post", "There is no such post.");
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	item_ctx(r, tv_child(ctx, "item"), &it, arena_printf(r->a, "/mod/post?type=%s&id=%lld", type, (long long)id));
	web_page(r, 200, "mod_post", ctx, "Moderate a post");
}

void page_mod_act(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	const char *type;
	int64_t id;
	int act = mod_action_parse(kv_get(&r->form, "action"));
	if (!post_ref(r, &type, &id) || act < 0 || act == MOD_EDIT || act == MOD_SCRAPE) {
		web_error(r, 400, "bad_action", "That moderation action is not known.");
		return;
	}
	ferrs e = {0};
	const char *reason = web_text(r, &e, "reason", "The reason", 0, REASON_MAX);
	if (e.n) {
		web_error(r, 422, "bad_reason", e.v[0].msg);
		return;
	}
	if ((act == MOD_HIDE || act == MOD_SUSPEND || act == MOD_DELETE) && !*reason) {
		web_error(r, 422, "reason_needed",
		          "Hiding, deleting and suspending need a reason: the author is shown it and the log keeps it. "
		          "Go back and add one.");
		return;
	}
	int64_t target = 0;
	if (act == MOD_MERGE) {
		const char *t = kv_get(&r->form, "target");
		if (!t || !util_parse_i64(t, 1, INT64_MAX, &target)) {
			web_error(r, 422, "target_needed", "Enter the number of the question to merge this one into.");
			return;
		}
	}
	int rc = mod_apply(c, r->a, web_user(r)->id, (enum mod_action)act, type, id, target, reason);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		web_error(r, 409, "nothing_done",
		          "Nothing was changed: the post, its author or the target question is not in a state "
		          "where that action applies.");
		return;
	}
	web_flash(r, "mod_done");
	const char *back = kv_get(&r->form, "back");
	web_redirect(r, back && url_is_local(back) ? back : "/mod");
}

/* ---- the audit log ---- */

void page_mod_log(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	int64_t page = 1;
	const char *ps = kv_get(&r->query, "page");
	if (ps && !util_parse_i64(ps, 1, 100000, &page)) {
		web_error(r, 400, "bad_page", "That page number is not valid.");
		return;
	}
	mod_entry *v;
	int n = mod_log_list(c, r->a, LOG_PAGE + 1, (int)((page - 1) * LOG_PAGE), &v);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *list = tv_childlist(ctx, "entries");
	for (int i = 0; i < n && i < LOG_PAGE; i++) {
		tval *o = tv_push(list);
		web_time(r, o, "when", v[i].created_at);
		tv_str(o, "moderator", v[i].moderator);
		tv_str(o, "action", v[i].action);
		tv_str(o, "target_user", v[i].target_user);
		tv_str(o, "reason", v[i].reason);
		if (v[i].post_id && *v[i].post_type) {
			tv_str(o, "post_url", arena_printf(r->a, "/mod/post?type=%s&id=%lld", v[i].post_type,
			                                   (long long)v[i].post_id));
			tv_str(o, "post_label", arena_printf(r->a, "%s %lld", v[i].post_type, (long long)v[i].post_id));
		}
	}
	if (n > LOG_PAGE)
		tv_str(ctx, "next_url", arena_printf(r->a, "/mod/log?page=%lld", (long long)page + 1));
	web_page(r, 200, "mod_log", ctx, "Moderation log");
}

/* ---- a member's posts under review ---- */

void page_own_posts(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	own_post *v;
	int n = mod_own_posts(c, r->a, web_user(r)->id, &v);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *list = tv_childlist(ctx, "posts");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(list);
		bool q = strcmp(v[i].post_type, "question") == 0;
		tv_str(o, "kind_label", q ? "Question" : "Answer to");
		tv_str(o, "title", v[i].title);
		tv_str(o, "status_label", strcmp(v[i].status, "held") == 0     ? "Waiting for a moderator"
		                          : strcmp(v[i].status, "hidden") == 0 ? "Hidden by a moderator"
		                                                               : "Removed by a moderator");
		tv_str(o, "reason", strcmp(v[i].status, "held") == 0 ? "" : v[i].reason);
		web_time(r, o, "created", v[i].created_at);
	}
	web_page(r, 200, "own_posts", ctx, "Your posts under review");
}
