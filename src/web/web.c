/* web.c: request dispatch (identity, route flags, CSRF), page layout, forms and shared helpers. */
#include "web/web.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/util.h"
#include "http/static.h"
#include "model/admin.h"
#include "model/author.h"
#include "model/question.h"
#include "model/session.h"
#include "web/pagecache.h"
#include "web/pages.h"
#include "web/safety.h"
#include "web/credentials.h"
#include "web/api.h"
#include "web/frontend.h"

/* ---- identity and dispatch ---- */

static const char *const security_headers[][2] = {
	{"Content-Security-Policy",
	 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	 "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	 "base-uri 'none'; object-src 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "same-origin"},
	{"Permissions-Policy",
	 "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

bool web_role(req *r, enum role at_least)
{
	user *u = web_user(r);
	return u && u->role >= at_least;
}

dbc *web_db_primary(req *r)
{
	dbc *c = db_conn(APP(r)->db);
	if (!c)
		web_error(r, 503, "db_unavailable", "The site cannot reach its database right now. Please try again in a minute.");
	return c;
}

/* True when this browser wrote something within the replica grace period (cc_rw cookie). */
static bool recent_writer(req *r)
{
	const char *v = req_cookie(r, "cc_rw");
	int64_t t;
	return v && util_parse_i64(v, 0, INT64_MAX, &t) && util_now() - t < APP(r)->cfg->replica_grace;
}

dbc *web_db(req *r)
{
	struct app *app = APP(r);
	if (app->replica && (r->method == M_GET || r->method == M_HEAD) && !recent_writer(r)) {
		dbc *c = db_conn(app->replica);
		if (c)
			return c;
		/* A replica that is down must not take the site down: fall back to the primary. */
	}
	return web_db_primary(r);
}

static void load_identity(req *r)
{
	const char *tok = req_cookie(r, "cc_sid");
	if (!tok || !*tok)
		return;
	dbc *c = db_conn(APP(r)->db);
	if (!c)
		return;
	user *u = arena_zalloc(r->a, sizeof *u);
	if (session_lookup(c, r->a, tok, u) == 1) {
		r->user = u;
		r->sess = session_hash(r->a, tok);
	}
}

static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

static void sort_routes(void)
{
	router_sort(web_routes, web_nroutes);
}

size_t web_body_limit(req *r)
{
	pthread_once(&routes_once, sort_routes);
	if (r->method != M_POST)
		return 0;
	const route *rt = NULL;
	unsigned allowed = 0;
	if (router_match(web_routes, web_nroutes, r, &rt, &allowed) == ROUTE_FOUND && (rt->flags & R_UPLOAD))
		return (size_t)APP(r)->cfg->max_body_kb * 1024 + UPLOAD_EXTRA;
	return 0;
}

static void dispatch(req *r)
{
	for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
		res_header(r, security_headers[i][0], security_headers[i][1]);
	if (strncmp(r->path, "/static/", 8) == 0) {
		r->route = "/static/…";
		if ((r->method == M_GET || r->method == M_HEAD) && static_serve(r))
			return;
		web_error_page(r, 404);
		return;
	}
	size_t pl = strlen(r->path);
	if (pl > 1 && r->path[pl - 1] == '/' && (r->method == M_GET || r->method == M_HEAD)) {
		char *p = arena_strndup(r->a, r->path, pl - 1);
		while (*p && p[strlen(p) - 1] == '/')
			p[strlen(p) - 1] = 0;
		web_redirect(r, *p && url_is_local(p) ? p : "/");
		r->status = 301;
		return;
	}
	load_identity(r);
	const route *rt = NULL;
	unsigned allowed = 0;
	switch (router_match(web_routes, web_nroutes, r, &rt, &allowed)) {
	case ROUTE_NOT_FOUND: web_error_page(r, 404); return;
	case ROUTE_BAD_METHOD: {
		static const struct {
			unsigned m;
			const char *name;
		} names[] = {{M_GET, "GET, HEAD"}, {M_POST, "POST"}, {M_PUT, "PUT"},
		             {M_PATCH, "PATCH"},   {M_DELETE, "DELETE"}, {M_OPTIONS, "OPTIONS"}};
		buf allow;
		buf_init(&allow, r->a, 64, 256);
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (allowed & names[i].m)
				buf_printf(&allow, "%s%s", allow.len ? ", " : "", names[i].name);
		res_header(r, "Allow", allow.p ? allow.p : "");
		web_error_page(r, 405);
		return;
	}
	case ROUTE_FOUND: break;
	}
	if (r->body_malformed) {
		web_error(r, 400, "bad_form", "The form data could not be read. Please go back and try again.");
		return;
	}
	unsigned f = rt->flags;
	if ((f & (R_LOGIN | R_GUIDE | R_MOD | R_ADMIN)) && !r->user) {
		buf next;
		buf_init(&next, r->a, 128, 4096);
		buf_puts(&next, "/login?next=");
		buf_urlenc(&next, r->path, strlen(r->path));
		web_redirect(r, next.p);
		return;
	}
	if (((f & R_GUIDE) && !web_role(r, ROLE_GUIDE)) || ((f & R_MOD) && !web_role(r, ROLE_MODERATOR)) ||
	    ((f & R_ADMIN) && !web_role(r, ROLE_ADMIN))) {
		web_error(r, 403, "forbidden", "This page is for guides, moderators or admins only.");
		return;
	}
	if (r->method == M_POST && !(f & R_NOCSRF)) {
		const char *why;
		if (!web_csrf_check(r, &why)) {
			if (!(f & R_FORM)) {
				web_error(r, 403, "csrf", why);
				return;
			}
			r->csrf_failed = true;
		}
	}
	/* Guests (no session, no one-shot message, no recent write) share cached pages. */
	bool cacheable = (f & R_CACHE) && (r->method == M_GET || r->method == M_HEAD) && !r->user &&
	                 !req_cookie(r, "cc_sid") && !req_cookie(r, "cc_flash") && !req_cookie(r, "cc_rw") &&
	                 !req_cookie(r, "cc_rater") &&
	                 pagecache_enabled();
	if ((rt->fn == page_question || rt->fn == page_answers_more) && !safety_watch_read(r))
		return; /* bulk reading is slowed whether or not the page is cached */
	if (cacheable && pagecache_serve(r)) {
		if (rt->fn == page_question)
			page_question_viewed(r);
		if (rt->fn != page_answers_more) /* more answers of a page already counted */
			analytics_count(r, 200); /* a page served from the cache is still a page view */
		return;
	}
	uint64_t gen = cacheable ? pagecache_gen() : 0;
	if (r->method == M_POST && APP(r)->replica)
		res_header(r, "Set-Cookie",
		           arena_printf(r->a, "cc_rw=%lld; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
		                        (long long)util_now(), APP(r)->cfg->replica_grace,
		                        APP(r)->cfg->secure_cookies || r->tls ? "; Secure" : ""));
	/* A page's reads share one snapshot (db.h); writes along the way end it. */
	dbc *snap = (f & R_CACHE) && (r->method == M_GET || r->method == M_HEAD) ? db_conn(APP(r)->db) : NULL;
	db_snapshot_begin(snap);
	rt->fn(r);
	db_snapshot_end(snap);
	if (cacheable)
		pagecache_store(r, gen);
	else if (r->method == M_POST && r->status < 400)
		pagecache_changed(db_conn(APP(r)->db));
}

void web_dispatch(req *r)
{
	pthread_once(&routes_once, sort_routes);
	/* A form's reads (the session, the question, the checks) share one snapshot too: on SQLite
	 * each new read transaction after another connection's commit starts with an empty page
	 * cache. The first write, or db_tx, ends it. */
	dbc *snap = req_changes(r) ? db_conn(APP(r)->db) : NULL;
	db_snapshot_begin(snap);
	dispatch(r);
	db_snapshot_end(snap);
	db_release_memory(snap); /* a write thread's pages would only wait for the next form */
}

bool web_fill_hole(req *r, const char *name, buf *out)
{
	if (strcmp(name, "captcha") == 0) {
		tval *ctx = tv_obj(r->a);
		safety_form(r, db_conn(APP(r)->db), ctx, arena_printf(r->a, "%s#captcha", r->path));
		tmpl_render(out, "captcha", ctx);
		return true;
	}
	return false;
}

/* ---- CSRF ---- */

enum { CSRF_TTL = 24 * 3600 };

static const char *csrf_binding(req *r)
{
	return r->sess ? (const char *)r->sess : "guest";
}

static void csrf_mac(req *r, const unsigned char ts[8], unsigned char mac[16])
{
	const char *b = csrf_binding(r);
	unsigned char msg[8 + 128];
	size_t bl = strlen(b);
	if (bl > 128)
		bl = 128;
	memcpy(msg, ts, 8);
	memcpy(msg + 8, b, bl);
	util_mac(mac, 16, APP(r)->key, "csrf", msg, 8 + bl);
}

const char *web_csrf(req *r)
{
	uint64_t now = (uint64_t)util_now();
	unsigned char raw[24];
	for (int i = 0; i < 8; i++)
		raw[i] = (unsigned char)(now >> (56 - 8 * i));
	csrf_mac(r, raw, raw + 8);
	return util_b64url(r->a, raw, sizeof raw);
}

bool web_csrf_check(req *r, const char **why)
{
	const char *tok = kv_get(&r->form, "csrf");
	*why = "This form could not be checked (its security token is missing or does not match). "
	       "Please submit it again.";
	if (!tok)
		return false;
	unsigned char raw[32];
	if (util_b64url_decode(tok, strlen(tok), raw, sizeof raw) != 24)
		return false;
	unsigned char mac[16];
	csrf_mac(r, raw, mac);
	if (!util_eq(mac, raw + 8, 16))
		return false;
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = (ts << 8) | raw[i];
	int64_t now = util_now();
	if ((int64_t)ts > now + 300 || now - (int64_t)ts > CSRF_TTL) {
		*why = "This form was open for too long and has expired. Your text is kept below: please "
		       "submit it again.";
		return false;
	}
	return true;
}

/* ---- forms ---- */

void ferr(ferrs *e, const char *field, const char *msg)
{
	if (e->n < (int)(sizeof e->v / sizeof e->v[0])) {
		e->v[e->n].field = field;
		e->v[e->n].msg = msg;
		e->n++;
	}
}

const char *ferr_for(const ferrs *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (e->v[i].field && strcmp(e->v[i].field, field) == 0)
			return e->v[i].msg;
	return NULL;
}

const char *web_text(req *r, ferrs *e, const char *name, const char *label, size_t min, size_t max)
{
	const char *raw = kv_get(&r->form, name);
	size_t n = 0;
	for (int i = 0; raw && i < r->form.n; i++)
		if (r->form.v[i].v == raw)
			n = r->form.v[i].vlen;
	if (!raw)
		raw = "";
	bool valid = utf8_valid(raw, n) && !memchr(raw, 0, n);
	char *clean = utf8_clean(r->a, raw, n);
	size_t cl = strlen(clean);
	const char *t = util_trim(clean, &cl);
	char *out = arena_strndup(r->a, t, cl);
	size_t count = utf8_count(out, cl);
	if (!valid)
		ferr(e, name, arena_printf(r->a, "%s contains bytes that are not valid text. We replaced them "
		                                 "with \xEF\xBF\xBD: please check and correct it.",
		                           label));
	else if (count == 0 && min > 0)
		ferr(e, name, arena_printf(r->a, "Enter %s.", label));
	else if (count < min)
		ferr(e, name, arena_printf(r->a, "%s must be at least %zu characters (it has %zu).", label, min,
		                           count));
	else if (count > max)
		ferr(e, name, arena_printf(r->a, "%s must be at most %zu characters (it has %zu).", label, max,
		                           count));
	return out;
}

void web_field(req *r, tval *list, const char *id, const char *label, const char *type,
               const char *value, const char *hint, const char *autocomplete, int maxlength,
               const ferrs *e)
{
	tval *f = tv_push(list);
	const char *err = ferr_for(e, id);
	tv_str(f, "id", id);
	tv_str(f, "label", label);
	tv_str(f, "type", type);
	tv_str(f, "value", value ? value : "");
	tv_str(f, "hint", hint ? hint : "");
	tv_str(f, "error", err ? err : "");
	tv_str(f, "autocomplete", autocomplete ? autocomplete : "");
	if (maxlength > 0)
		tv_int(f, "maxlength", maxlength);
	else
		tv_str(f, "maxlength", "");
	const char *desc = hint && err ? arena_printf(r->a, "%s-hint %s-error", id, id)
	                   : hint      ? arena_printf(r->a, "%s-hint", id)
	                   : err       ? arena_printf(r->a, "%s-error", id)
	                               : "";
	tv_str(f, "describedby", desc);
}

void web_errors(tval *ctx, const ferrs *e)
{
	tv_bool(ctx, "has_errors", e->n > 0);
	if (e->n == 0)
		return;
	tval *list = tv_childlist(ctx, "errors");
	tval *map = tv_child(ctx, "err");
	for (int i = 0; i < e->n; i++) {
		tval *it = tv_push(list);
		tv_str(it, "field", e->v[i].field ? e->v[i].field : "");
		tv_str(it, "msg", e->v[i].msg);
		if (e->v[i].field && !tv_get(map, e->v[i].field))
			tv_str(map, e->v[i].field, e->v[i].msg);
	}
}

/* ---- pages ---- */

static const struct {
	const char *code, *kind, *text;
} flashes[] = {
	{"question", "success", "Your question is posted. Thank you for asking: members and guides will see it now."},
	{"answer", "success", "Your answer is posted. Thank you for helping."},
	{"edited", "success", "Your changes are saved. The earlier version is kept in the edit history."},
	{"draft", "success", "Your draft is saved. It will be here when you come back to this form."},
	{"login", "success", "Welcome back. You are logged in."},
	{"registered", "success", "Welcome to the community. Your account is ready."},
	{"logout", "success", "You are logged out."},
	{"account_deleted", "success", "Your account is deleted. Thank you for having been part of the community."},
	{"accepted", "success", "Marked as the answer that helped."},
	{"unaccepted", "success", "The answer is no longer marked as the one that helped."},
	{"account", "success", "Your account settings are saved."},
	{"password", "success", "Your password is changed. You were logged out on your other devices."},
	{"draft_deleted", "success", "Your draft is deleted."},
	{"held", "warning", "Thank you. Your post is waiting for a moderator and will appear once they have checked it. Members can follow it under “Your posts under review” on their account page."},
	{"flagged", "success", "Thank you for the report. A moderator will look at it."},
	{"mod_done", "success", "Done. The action is in the moderation log."},
	{"rated", "success", "Thank you: your rating is saved. You can change it any time."},
	{"helpful", "success", "Marked as helpful. Helpful answers are shown first."},
	{"unhelpful", "success", "The answer is no longer marked helpful."},
	{"subscribed", "success", "Done: you will get these emails. Every message has a link to stop them."},
	{"unsubscribed", "success", "Done: we will not send these emails any more."},
	{"confirm_sent", "success", "Please check your inbox: your email address is not verified yet, so we sent a link to confirm first."},
	{"verify_sent", "success", "A verification link is on its way to your email address."},
	{"reset_done", "success", "Your new password is saved. Please log in with it."},
};

void web_flash(req *r, const char *code)
{
	res_header(r, "Set-Cookie",
	           arena_printf(r->a, "cc_flash=%s; Path=/; Max-Age=120; HttpOnly; SameSite=Lax%s", code,
	                        APP(r)->cfg->secure_cookies || r->tls ? "; Secure" : ""));
}

tval *web_ctx(req *r)
{
	struct app *app = APP(r);
	tval *c = tv_obj(r->a);
	site_info si; /* admin-set name, logo, emergency resources and disclaimer (cached) */
	site_info_get(db_conn(app->db), r->a, app->cfg->site_name, &si);
	tv_str(c, "site_name", si.name);
	tv_str(c, "site_logo", si.logo_url);
	tv_str(c, "site_emergency", si.emergency);
	tv_str(c, "site_disclaimer", si.disclaimer);
	tv_str(c, "css_url", static_url("css/site.css"));
	tv_str(c, "icon_url", static_url("img/favicon.svg"));
	tv_str(c, "js_url", static_url("js/site.js"));
	tv_str(c, "csrf", web_csrf(r));
	tv_str(c, "path", r->path);
	user *u = web_user(r);
	if (u) {
		tval *o = tv_child(c, "me");
		tv_str(o, "username", u->username);
		tv_str(o, "display_name", u->display_name);
		tv_bool(o, "is_guide", u->role >= ROLE_GUIDE);
		tv_bool(o, "is_mod", u->role >= ROLE_MODERATOR);
		tv_bool(o, "is_admin", u->role >= ROLE_ADMIN);
	}
	const char *fl = req_cookie(r, "cc_flash");
	if (fl) {
		for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
			if (strcmp(fl, flashes[i].code) == 0) {
				tval *f = tv_child(c, "flash");
				tv_str(f, "kind", flashes[i].kind);
				tv_str(f, "text", flashes[i].text);
			}
		res_header(r, "Set-Cookie", "cc_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	}
	return c;
}

void web_page(req *r, int status, const char *tmpl, tval *ctx, const char *title)
{
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	if (!tv_get(ctx, "title"))
		tv_str(ctx, "title", title);
	res_header(r, "Cache-Control", "private, no-cache");
	r->out.len = 0;
	tmpl_render(&r->out, "layout_head", ctx);
	if (!tmpl_render(&r->out, tmpl, ctx))
		log_error("msg=\"missing template\" name=%s", tmpl);
	tmpl_render(&r->out, "layout_foot", ctx);
	analytics_count(r, status);
}

void web_error(req *r, int status, const char *code, const char *msg)
{
	if (strncmp(r->path, "/api/", 5) == 0) { /* the JSON API answers errors in JSON */
		api_error(r, status, code, msg, NULL);
		return;
	}
	static const struct {
		int status;
		const char *title;
	} titles[] = {
		{400, "This request could not be read"},
		{403, "You cannot do that here"},
		{404, "We could not find that page"},
		{405, "That action is not allowed here"},
		{413, "That was too much to send at once"},
		{422, "Please check what you entered"},
		{429, "Please slow down"},
		{431, "That request was too large to read"},
		{500, "Something went wrong on our side"},
		{503, "The site is busy or under maintenance"},
	};
	const char *title = "Something went wrong";
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		if (titles[i].status == status)
			title = titles[i].title;
	tval *c = web_ctx(r);
	tv_int(c, "status", status);
	tv_str(c, "code", code);
	tv_str(c, "message", msg);
	tv_bool(c, "noindex", true);
	web_page(r, status, "error", c, title);
}

void web_error_page(req *r, int status)
{
	switch (status) {
	case 404:
		web_error(r, 404, "not_found",
		          "The page may have moved, or the address may be mistyped. Try the search, or start "
		          "from the home page.");
		break;
	case 405:
		web_error(r, 405, "method_not_allowed", "This address does not accept that kind of request.");
		break;
	case 413:
		web_error(r, 413, "too_large",
		          "What you sent is larger than this site accepts. Please shorten it and try again.");
		break;
	case 400:
		web_error(r, 400, "bad_request", "The request was malformed.");
		break;
	case 431:
		web_error(r, 431, "headers_too_large", "The request carried too many headers.");
		break;
	case 503:
		web_error(r, 503, "restarting", "The site is restarting. Please try again in a few seconds.");
		break;
	default:
		web_error(r, 500, "internal", "Please try again in a moment. If it keeps happening, tell the site team.");
	}
}

void web_db_error(req *r, int rc)
{
	bool write = r->method == M_POST;
	if (rc == DB_BUSY || rc == DB_FULL || rc == DB_READONLY)
		web_error(r, 503, "db_unavailable",
		          write ? arena_printf(r->a, "Nothing was saved because %s. Please try again in a few "
		                                     "minutes; your browser's back button brings your text back.",
		                               db_strerror(rc))
		                : arena_printf(r->a, "This page cannot be shown right now because %s. Please "
		                                     "try again in a few minutes.",
		                               db_strerror(rc)));
	else
		web_error(r, 500, "db_error",
		          write ? "Nothing was saved: the database failed. Please try again later."
		                : "This page cannot be shown right now: the database failed. Please try again later.");
}

void web_redirect(req *r, const char *path)
{
	res_redirect(r, 303, path);
}

/* ---- shared pieces of posts ---- */

void web_author(req *r, tval *o, const author *au)
{
	user *viewer = web_user(r);
	bool mod = viewer && viewer->role >= ROLE_MODERATOR;
	if (au->user_id && !au->anonymous) {
		tv_str(o, "author", au->display_name);
		tv_str(o, "author_url", arena_printf(r->a, "/u/%s", au->username));
		/* A guide whose credentials expired or were revoked loses the badge (issue 5). */
		int cred = au->role == ROLE_GUIDE ? web_guide_credential(r, au->user_id) : 0;
		if (cred >= 0) {
			tv_str(o, "badge", role_badge(au->role));
			tv_str(o, "badge_class", au->role == ROLE_GUIDE ? "guide" : au->role == ROLE_MODERATOR ? "mod" : "admin");
			tv_str(o, "badge_url", cred > 0 ? arena_printf(r->a, "/u/%s/credentials", au->username) : "");
		}
		if (au->role == ROLE_GUIDE && cred >= 0) {
			tv_bool(o, "is_guide", true);
			tv_str(o, "role_title", au->title);
		}
	} else if (au->user_id) {
		tv_str(o, "author", "Anonymous");
		tv_bool(o, "anonymous", true);
		if (mod) {
			tv_str(o, "real_name", au->username);
			tv_str(o, "real_url", arena_printf(r->a, "/u/%s", au->username));
		}
	} else {
		tv_str(o, "author", au->guest_name && *au->guest_name ? au->guest_name : "Anonymous");
		tv_bool(o, "guest", true);
	}
}

void web_time(req *r, tval *o, const char *key, int64_t t)
{
	tval *v = tv_child(o, key);
	tv_str(v, "ago", util_ago(r->a, t, util_now()));
	tv_str(v, "iso", util_iso8601(r->a, t));
	tv_str(v, "date", util_date(r->a, t));
}

char *web_question_url(req *r, const char *topic_slug, int64_t id, const char *slug)
{
	if (slug && *slug)
		return arena_printf(r->a, "/%s/questions/%lld-%s", topic_slug, (long long)id, slug);
	return arena_printf(r->a, "/%s/questions/%lld", topic_slug, (long long)id);
}

/* ---- view counts, gathered in memory and written in batches ---- */

enum { VIEW_SLOTS = 4096 };
static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int64_t id, n;
} views[VIEW_SLOTS];

void web_view(int64_t id)
{
	pthread_mutex_lock(&views_lock);
	for (size_t i = 0; i < 16; i++) {
		size_t s = ((uint64_t)id * 2654435761u + i) % VIEW_SLOTS;
		if (views[s].id == id || views[s].id == 0) {
			views[s].id = id;
			views[s].n++;
			break;
		}
	}
	pthread_mutex_unlock(&views_lock);
}

void web_views_flush(db *d)
{
	static __typeof__(views) batch;
	static pthread_mutex_t flush_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&flush_lock);
	pthread_mutex_lock(&views_lock);
	memcpy(batch, views, sizeof views);
	memset(views, 0, sizeof views);
	pthread_mutex_unlock(&views_lock);
	dbc *c = db_conn(d);
	if (c && db_begin(c) >= 0) {
		for (size_t i = 0; i < VIEW_SLOTS; i++)
			if (batch[i].id)
				question_add_views(c, batch[i].id, batch[i].n);
		if (db_commit(c) < 0)
			log_warn("msg=\"view counts not saved\"");
	}
	pthread_mutex_unlock(&flush_lock);
}
