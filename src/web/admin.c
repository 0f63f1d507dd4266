/* admin.c: /admin pages: overview numbers, people (roles, suspension), topics, site settings.
 * The checks live in model/admin.c so the CLI applies the same ones. */
#include <string.h>

#include "core/util.h"
#include "model/admin.h"
#include "model/settings.h"
#include "model/topic.h"
#include "web/admin.h"
#include "web/web.h"

static const struct {
	const char *code, *text;
} notices[] = {
	{"role", "The role is changed."},
	{"suspended", "The account is suspended: its sessions and API tokens stop working."},
	{"active", "The account is active again."},
	{"topic", "The topic is saved."},
	{"settings", "The settings are saved."},
};

/* The ?done= notice shown after a change (Post/Redirect/Get). */
static void notice(req *r, tval *ctx)
{
	const char *d = kv_get(&r->query, "done");
	for (size_t i = 0; d && i < sizeof notices / sizeof notices[0]; i++)
		if (strcmp(d, notices[i].code) == 0)
			tv_str(ctx, "notice", notices[i].text);
}

static tval *admin_ctx(req *r)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	notice(r, ctx);
	return ctx;
}

void page_admin(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	site_stats s = {0};
	int rc = admin_stats(c, &s);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	tval *ctx = admin_ctx(r);
	tval *o = tv_child(ctx, "s");
	tv_int(o, "users", s.users);
	tv_int(o, "users_7d", s.users_7d);
	tv_int(o, "topics", s.topics);
	tv_int(o, "questions", s.questions);
	tv_int(o, "questions_7d", s.questions_7d);
	tv_int(o, "unanswered", s.unanswered);
	tv_int(o, "answers", s.answers);
	tv_int(o, "answers_7d", s.answers_7d);
	tv_int(o, "tokens", s.tokens);
	topic_activity *ta;
	int n = admin_topic_activity(c, r->a, &ta);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *list = tv_childlist(ctx, "activity");
	for (int i = 0; i < n; i++) {
		tval *t = tv_push(list);
		tv_str(t, "slug", ta[i].slug);
		tv_str(t, "name", ta[i].name);
		tv_int(t, "questions", ta[i].questions_30d);
		tv_int(t, "answers", ta[i].answers_30d);
		tv_int(t, "unanswered", ta[i].unanswered);
		tv_int(t, "views", ta[i].views);
	}
	web_page(r, 200, "admin", ctx, "Administration");
}

enum { USERS_PAGE = 50 };

static void users_page(req *r, dbc *c, const ferrs *e, int status)
{
	const char *q = kv_get(&r->query, "q");
	int64_t page = 1;
	const char *ps = kv_get(&r->query, "page");
	if (ps && !util_parse_i64(ps, 1, 10000, &page))
		page = 1;
	admin_user *us;
	int n = admin_user_list(c, r->a, q ? q : "", USERS_PAGE + 1, (int)(page - 1) * USERS_PAGE, &us);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = admin_ctx(r);
	tv_str(ctx, "q", q ? q : "");
	tval *list = tv_childlist(ctx, "users");
	for (int i = 0; i < n && i < USERS_PAGE; i++) {
		user *u = &us[i].u;
		tval *o = tv_push(list);
		tv_str(o, "username", u->username);
		tv_str(o, "display_name", u->display_name);
		tv_str(o, "email", u->email);
		tv_str(o, "status", u->status);
		tv_bool(o, "suspended", strcmp(u->status, "suspended") == 0);
		tv_str(o, "joined", util_date(r->a, u->created_at));
		tv_int(o, "questions", us[i].questions);
		tv_int(o, "answers", us[i].answers);
		tval *roles = tv_childlist(o, "roles");
		for (int k = ROLE_MEMBER; k <= ROLE_ADMIN; k++) {
			tval *ro = tv_push(roles);
			tv_str(ro, "value", role_name((enum role)k));
			tv_bool(ro, "selected", (int)u->role == k);
		}
	}
	buf qs;
	buf_init(&qs, r->a, 64, 1024);
	if (q && *q) {
		buf_puts(&qs, "&q=");
		buf_urlenc(&qs, q, strlen(q));
	}
	if (page > 1)
		tv_str(ctx, "prev_url", arena_printf(r->a, "/admin/users?page=%lld%s", (long long)page - 1, qs.p));
	if (n > USERS_PAGE)
		tv_str(ctx, "next_url", arena_printf(r->a, "/admin/users?page=%lld%s", (long long)page + 1, qs.p));
	web_errors(ctx, e);
	web_page(r, status, "admin_users", ctx, "People");
}

void page_admin_users(req *r)
{
	dbc *c = web_db(r);
	ferrs e = {0};
	if (c)
		users_page(r, c, &e, 200);
}

void page_admin_user_post(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user u;
	int rc = user_by_username(c, r->a, r->params[0], &u);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		web_error(r, 404, "no_such_user", "There is no account with that username.");
		return;
	}
	const char *action = kv_get(&r->form, "action");
	const char *done = NULL;
	ferrs e = {0};
	if (action && strcmp(action, "role") == 0) {
		int role = role_parse(kv_get(&r->form, "role"));
		if (role < 0) {
			web_error(r, 400, "bad_role", "Choose member, guide, moderator or admin.");
			return;
		}
		rc = admin_set_role(c, u.id, (enum role)role);
		done = "role";
	} else if (action && (strcmp(action, "suspend") == 0 || strcmp(action, "unsuspend") == 0)) {
		bool s = strcmp(action, "suspend") == 0;
		rc = admin_set_suspended(c, u.id, s);
		done = s ? "suspended" : "active";
	} else {
		web_error(r, 400, "bad_action", "That form button is not known.");
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		ferr(&e, NULL, "That would leave the site without an active admin. Make someone else an admin first.");
		users_page(r, c, &e, 409);
		return;
	}
	web_redirect(r, arena_printf(r->a, "/admin/users?done=%s&q=%s", done, u.username));
}

static void topic_fields(req *r, tval *ctx, bool with_slug, const char *slug, const char *name,
                         const char *summary, const ferrs *e)
{
	tval *f = tv_childlist(ctx, "fields");
	if (with_slug)
		web_field(r, f, "slug", "Address (slug)", "text", slug,
		          "Lowercase letters, numbers and dashes, e.g. “sleep-apnoea”. It becomes /slug.", "off", 60, e);
	web_field(r, f, "name", "Name", "text", name, NULL, "off", TOPIC_NAME_MAX, e);
	web_field(r, f, "summary", "Summary", "text", summary, "One or two sentences shown on the home page.", "off",
	          TOPIC_SUMMARY_MAX, e);
}

static void topics_page(req *r, dbc *c, const ferrs *e, int status)
{
	topic *ts;
	int n = topic_list(c, r->a, &ts);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = admin_ctx(r);
	tval *list = tv_childlist(ctx, "topics");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(list);
		tv_str(o, "slug", ts[i].slug);
		tv_str(o, "name", ts[i].name);
		tv_int(o, "question_count", ts[i].question_count);
	}
	bool posted = r->method == M_POST;
	topic_fields(r, ctx, true, posted ? kv_get(&r->form, "slug") : "", posted ? kv_get(&r->form, "name") : "",
	             posted ? kv_get(&r->form, "summary") : "", e);
	web_errors(ctx, e);
	web_page(r, status, "admin_topics", ctx, "Topics");
}

/* Reads and checks the topic form; returns false with errors in e. */
static bool read_topic_form(req *r, ferrs *e, const char *slug, const char **name, const char **summary,
                            const char **overview)
{
	*name = web_text(r, e, "name", "Name", 1, TOPIC_NAME_MAX);
	*summary = web_text(r, e, "summary", "Summary", 0, TOPIC_SUMMARY_MAX);
	*overview = web_text(r, e, "overview", "Guide overview", 0, TOPIC_OVERVIEW_MAX);
	const char *field;
	const char *why = e->n ? NULL : admin_topic_check(slug, *name, *summary, *overview, &field);
	if (why)
		ferr(e, field, why);
	return e->n == 0;
}

void page_admin_topics(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	ferrs e = {0};
	if (r->method != M_POST) {
		topics_page(r, c, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
		topics_page(r, c, &e, 403);
		return;
	}
	const char *slug = kv_get(&r->form, "slug");
	slug = slug ? slug : "";
	const char *name, *summary, *overview;
	if (!read_topic_form(r, &e, slug, &name, &summary, &overview)) {
		topics_page(r, c, &e, 422);
		return;
	}
	topic t;
	int rc = topic_by_slug(c, r->a, slug, &t);
	if (rc == 1)
		ferr(&e, "slug", "A topic with that slug exists already. Edit it from the list instead.");
	if (rc < 0 || e.n) {
		if (rc < 0)
			web_db_error(r, rc);
		else
			topics_page(r, c, &e, 409);
		return;
	}
	int64_t id = topic_upsert(c, r->a, slug, name, summary, overview);
	if (id < 0) {
		web_db_error(r, (int)id);
		return;
	}
	web_redirect(r, arena_printf(r->a, "/admin/topics/%s?done=topic", slug));
}

void page_admin_topic(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	topic t;
	int rc = topic_by_slug(c, r->a, r->params[0], &t);
	if (rc <= 0) {
		if (rc < 0)
			web_db_error(r, rc);
		else
			web_error(r, 404, "no_such_topic", "There is no topic with that slug.");
		return;
	}
	ferrs e = {0};
	const char *name = t.name, *summary = t.summary, *overview = t.overview_md;
	int status = 200;
	if (r->method == M_POST) {
		if (r->csrf_failed) {
			const char *why;
			web_csrf_check(r, &why);
			ferr(&e, NULL, why);
		}
		if (read_topic_form(r, &e, t.slug, &name, &summary, &overview) && !r->csrf_failed) {
			int64_t id = topic_upsert(c, r->a, t.slug, name, summary, overview);
			if (id < 0) {
				web_db_error(r, (int)id);
				return;
			}
			web_redirect(r, arena_printf(r->a, "/admin/topics/%s?done=topic", t.slug));
			return;
		}
		status = r->csrf_failed ? 403 : 422;
	}
	tval *ctx = admin_ctx(r);
	tval *to = tv_child(ctx, "t");
	tv_str(to, "slug", t.slug);
	tv_str(to, "name", t.name);
	tval *v = tv_child(ctx, "v");
	tv_str(v, "overview", overview);
	topic_fields(r, ctx, false, t.slug, name, summary, &e);
	web_errors(ctx, &e);
	web_page(r, status, "admin_topic", ctx, arena_printf(r->a, "Edit %s", t.name));
}

void page_admin_settings(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	ferrs e = {0};
	bool post = r->method == M_POST;
	if (post && r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *values[8] = {0};
	for (int i = 0; site_settings[i].key && i < 8; i++) {
		const site_setting *s = &site_settings[i];
		if (post) {
			values[i] = web_text(r, &e, s->key, s->label, 0, s->max);
			const char *why = ferr_for(&e, s->key) ? NULL : site_setting_check(s, values[i]);
			if (why)
				ferr(&e, s->key, why);
		} else {
			values[i] = settings_get(c, r->a, s->key);
		}
	}
	if (post && !e.n) {
		for (int i = 0; site_settings[i].key && i < 8; i++) {
			int rc = site_setting_set(c, site_settings[i].key, values[i]);
			if (rc < 0) {
				web_db_error(r, rc);
				return;
			}
		}
		web_redirect(r, "/admin/settings?done=settings");
		return;
	}
	tval *ctx = admin_ctx(r);
	tval *list = tv_childlist(ctx, "settings");
	for (int i = 0; site_settings[i].key && i < 8; i++) {
		const site_setting *s = &site_settings[i];
		tval *o = tv_push(list);
		tv_str(o, "id", s->key);
		tv_str(o, "label", s->label);
		tv_str(o, "hint", s->hint);
		tv_str(o, "value", values[i] ? values[i] : "");
		tv_bool(o, "multiline", s->multiline);
		const char *err = ferr_for(&e, s->key);
		tv_str(o, "error", err ? err : "");
	}
	web_errors(ctx, &e);
	web_page(r, post ? (r->csrf_failed ? 403 : 422) : 200, "admin_settings", ctx, "Site settings");
}
