/* credentials.c: verified guides: the public credentials page, the admin form, the badge state. */
#include "web/credentials.h"

#include <string.h>
#include <time.h>

#include "core/util.h"
#include "model/credential.h"
#include "web/web.h"

/* Per-thread cache of badge states for the request being handled (a page lists few guides). */
enum { BADGE_CACHE = 32 };
static _Thread_local struct {
	const req *r;
	double t0;
	int n;
	int64_t id[BADGE_CACHE];
	int st[BADGE_CACHE];
} cache;

int web_guide_credential(req *r, int64_t user_id)
{
	if (cache.r != r || cache.t0 != r->t0) {
		cache.r = r;
		cache.t0 = r->t0;
		cache.n = 0;
	}
	for (int i = 0; i < cache.n; i++)
		if (cache.id[i] == user_id)
			return cache.st[i];
	dbc *c = db_conn(APP(r)->db);
	int st = c ? credential_state(c, user_id, util_now()) : CRED_NONE;
	if (st < CRED_LAPSED)
		st = CRED_NONE; /* a database hiccup shows the plain badge rather than failing the page */
	if (cache.n < BADGE_CACHE) {
		cache.id[cache.n] = user_id;
		cache.st[cache.n++] = st;
	}
	return st;
}

static bool load_user(req *r, dbc *c, user *u)
{
	int rc = user_by_username(c, r->a, r->params[0], u);
	if (rc < 0)
		web_db_error(r, rc);
	else if (rc == 0)
		web_error_page(r, 404);
	return rc == 1;
}

void page_credentials(req *r)
{
	dbc *c = web_db(r);
	user u;
	if (!c || !load_user(r, c, &u))
		return;
	credential cr;
	int rc = credential_get(c, r->a, u.id, &cr);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	bool admin = web_role(r, ROLE_ADMIN);
	if (rc == 0 && !admin) {
		web_error(r, 404, "no_credentials", "No credentials are recorded for this person.");
		return;
	}
	tval *ctx = web_ctx(r);
	tval *g = tv_child(ctx, "guide");
	tv_str(g, "username", u.username);
	tv_str(g, "display_name", u.display_name);
	tv_bool(ctx, "is_admin", admin);
	if (rc == 1) {
		int64_t now = util_now();
		tval *o = tv_child(ctx, "cred");
		tv_str(o, "profession", cr.profession);
		tv_str(o, "specialty", cr.specialty);
		tv_str(o, "registration", cr.registration_number);
		tv_str(o, "issuing_body", cr.issuing_body);
		tv_str(o, "verified_by", cr.verified_by_name);
		web_time(r, o, "verified", cr.verified_at);
		if (cr.expires_at)
			web_time(r, o, "expires", cr.expires_at);
		if (cr.revoked_at) {
			web_time(r, o, "revoked", cr.revoked_at);
			tv_str(o, "reason", cr.revoked_reason);
		}
		tv_bool(o, "current", !cr.revoked_at && (!cr.expires_at || cr.expires_at > now));
	}
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cu = tv_push(crumbs);
	tv_str(cu, "name", u.display_name);
	tv_str(cu, "url", arena_printf(r->a, "/u/%s", u.username));
	tv_str(tv_push(crumbs), "name", "Credentials");
	web_page(r, 200, "credentials", ctx, arena_printf(r->a, "Credentials of %s", u.display_name));
}

/* "2027-03-31" → unix seconds at midnight UTC; false when malformed. */
static bool parse_date(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end || tm.tm_year < 70 || tm.tm_year > 300)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

static char *date_value(arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char tmp[16];
	strftime(tmp, sizeof tmp, "%Y-%m-%d", &tm);
	return arena_strdup(a, tmp);
}

static void admin_form(req *r, dbc *c, const user *u, tval *v, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tval *g = tv_child(ctx, "guide");
	tv_str(g, "username", u->username);
	tv_str(g, "display_name", u->display_name);
	tv_bool(ctx, "not_guide", u->role != ROLE_GUIDE);
	tv_bool(ctx, "noindex", true);
	tv_put(ctx, "v", v);
	tval *fl = tv_childlist(ctx, "fields");
	web_field(r, fl, "profession", "Profession", "text", tv_get_str(v, "profession"),
	          "For example “Registered nurse” or “Consultant neurologist”.", NULL, CRED_FIELD_MAX, e);
	web_field(r, fl, "specialty", "Specialty (optional)", "text", tv_get_str(v, "specialty"), NULL, NULL,
	          CRED_FIELD_MAX, e);
	web_field(r, fl, "registration", "Registration or licence number (optional)", "text",
	          tv_get_str(v, "registration"), NULL, NULL, CRED_FIELD_MAX, e);
	web_field(r, fl, "issuing_body", "Issuing body (optional)", "text", tv_get_str(v, "issuing_body"),
	          "Who issued the registration, e.g. “Nursing and Midwifery Council”.", NULL, CRED_FIELD_MAX, e);
	web_field(r, fl, "verified_on", "Verified on", "date", tv_get_str(v, "verified_on"),
	          "The day you checked the register (YYYY-MM-DD).", NULL, 10, e);
	web_field(r, fl, "expires_on", "Valid until (optional)", "date", tv_get_str(v, "expires_on"),
	          "The badge drops after this day (YYYY-MM-DD). Leave empty when there is no expiry.", NULL, 10, e);
	credential cr;
	int has = credential_get(c, r->a, u->id, &cr);
	tv_bool(ctx, "has_cred", has == 1 && !cr.revoked_at);
	credential_event *ev;
	int ne = credential_events(c, r->a, u->id, &ev);
	tval *el = tv_childlist(ctx, "events");
	for (int i = 0; i < ne; i++) {
		tval *o = tv_push(el);
		web_time(r, o, "at", ev[i].created_at);
		tv_str(o, "actor", ev[i].actor_name);
		tv_str(o, "action", ev[i].action);
		tv_str(o, "detail", ev[i].detail);
	}
	web_errors(ctx, e);
	web_page(r, status, "admin_credentials", ctx, arena_printf(r->a, "Credentials of %s", u->display_name));
}

void page_admin_credentials(req *r)
{
	dbc *c = web_db(r);
	user u;
	if (!c || !load_user(r, c, &u))
		return;
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	if (r->method != M_POST) {
		credential cr;
		int rc = credential_get(c, r->a, u.id, &cr);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		if (rc == 1) {
			tv_str(v, "profession", cr.profession);
			tv_str(v, "specialty", cr.specialty);
			tv_str(v, "registration", cr.registration_number);
			tv_str(v, "issuing_body", cr.issuing_body);
			tv_str(v, "verified_on", date_value(r->a, cr.verified_at));
			tv_str(v, "expires_on", cr.expires_at ? date_value(r->a, cr.expires_at) : "");
		} else {
			tv_str(v, "verified_on", date_value(r->a, util_now()));
		}
		admin_form(r, c, &u, v, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *action = kv_get(&r->form, "action");
	user *me = web_user(r);
	if (action && strcmp(action, "revoke") == 0) {
		const char *reason = web_text(r, &e, "reason", "The reason", 3, 200);
		tv_str(v, "reason", reason);
		if (e.n) {
			admin_form(r, c, &u, v, &e, r->csrf_failed ? 403 : 422);
			return;
		}
		int rc = credential_revoke(c, r->a, u.id, me->id, reason);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		web_redirect(r, arena_printf(r->a, "/admin/guides/%s", u.username));
		return;
	}
	credential cr = {.user_id = u.id};
	cr.profession = web_text(r, &e, "profession", "The profession", 2, CRED_FIELD_MAX);
	cr.specialty = web_text(r, &e, "specialty", "The specialty", 0, CRED_FIELD_MAX);
	cr.registration_number = web_text(r, &e, "registration", "The registration number", 0, CRED_FIELD_MAX);
	cr.issuing_body = web_text(r, &e, "issuing_body", "The issuing body", 0, CRED_FIELD_MAX);
	const char *von = web_text(r, &e, "verified_on", "The verification date", 0, 10);
	const char *exp = web_text(r, &e, "expires_on", "The expiry date", 0, 10);
	tv_str(v, "profession", cr.profession);
	tv_str(v, "specialty", cr.specialty);
	tv_str(v, "registration", cr.registration_number);
	tv_str(v, "issuing_body", cr.issuing_body);
	tv_str(v, "verified_on", von);
	tv_str(v, "expires_on", exp);
	if (!ferr_for(&e, "verified_on") && !parse_date(von, &cr.verified_at))
		ferr(&e, "verified_on", "Enter the verification date as YYYY-MM-DD, for example 2026-03-31.");
	else if (!ferr_for(&e, "verified_on") && cr.verified_at > util_now())
		ferr(&e, "verified_on", "The verification date cannot be in the future.");
	if (*exp && !ferr_for(&e, "expires_on") && !parse_date(exp, &cr.expires_at))
		ferr(&e, "expires_on", "Enter the expiry date as YYYY-MM-DD, or leave it empty.");
	else if (*exp && cr.expires_at && cr.expires_at <= cr.verified_at)
		ferr(&e, "expires_on", "The expiry date must come after the verification date.");
	if (u.role != ROLE_GUIDE)
		ferr(&e, NULL, "Only guides have credentials: give this person the guide role first.");
	if (e.n) {
		admin_form(r, c, &u, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	/* The badge turns off the day after the expiry date. */
	if (cr.expires_at)
		cr.expires_at += 86400;
	int rc = credential_save(c, r->a, &cr, me->id);
	if (rc < 0) {
		ferr(&e, NULL, "The credentials could not be saved just now. They are kept below: please try again.");
		admin_form(r, c, &u, v, &e, 503);
		return;
	}
	web_redirect(r, arena_printf(r->a, "/admin/guides/%s", u.username));
}

void page_admin_guides(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	guide_row *gs;
	int n = credential_guides(c, r->a, util_now(), &gs);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *l = tv_childlist(ctx, "guides");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(l);
		tv_str(o, "username", gs[i].username);
		tv_str(o, "display_name", gs[i].display_name);
		tv_str(o, "title", gs[i].title);
		tv_str(o, "profession", gs[i].profession);
		tv_str(o, "state", gs[i].state > 0   ? "Verified"
		                   : gs[i].state < 0 ? "Expired or revoked: no badge"
		                                     : "No credentials recorded");
		if (gs[i].expires_at)
			web_time(r, o, "expires", gs[i].expires_at - 86400);
	}
	tv_str(tv_push(tv_childlist(tv_child(ctx, "crumbs"), "items")), "name", "Guides");
	web_page(r, 200, "admin_guides", ctx, "Guides and their credentials");
}
