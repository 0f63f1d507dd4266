/* datarights.c: a member's data rights at /account: export everything as JSON, close the account. */
#include <jansson.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "model/account_data.h"
#include "model/session.h"
#include "model/user.h"
#include "web/pages.h"
#include "web/web.h"

/* POST /account/export: a JSON file of everything about the member (a POST so another site
 * cannot start the download; CSRF is checked in web_dispatch). */
void page_account_export(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	const char *tok = req_cookie(r, "cc_sid");
	int rc;
	json_t *j = account_export(c, r->a, u->id, tok && *tok ? session_hash(r->a, tok) : "", &rc);
	if (!j) {
		web_db_error(r, rc);
		return;
	}
	size_t n = json_dumpb(j, NULL, 0, JSON_INDENT(2));
	char *p = n ? buf_reserve(&r->out, n + 1) : NULL;
	if (!p) {
		json_decref(j);
		web_error_page(r, 500);
		return;
	}
	json_dumpb(j, p, n, JSON_INDENT(2));
	r->out.len += n;
	json_decref(j);
	r->status = 200;
	r->ctype = "application/json; charset=utf-8";
	res_header(r, "Cache-Control", "no-store");
	res_header(r, "Content-Disposition",
	           arena_printf(r->a, "attachment; filename=\"carecircle-%s.json\"", u->username));
}

static void delete_form(req *r, const char *choice, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_bool(ctx, "keep_checked", strcmp(choice, "remove") != 0);
	tv_bool(ctx, "remove_checked", strcmp(choice, "remove") == 0);
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "password", "Your password", "password", "", "To be sure it is you.", "current-password",
	          PASSWORD_MAX, e);
	web_errors(ctx, e);
	web_page(r, status, "account_delete", ctx, "Delete your account");
}

/* GET shows the choice; POST with the password closes the account in one transaction. */
void page_account_delete(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	ferrs e = {0};
	const char *choice = r->method == M_POST ? kv_get(&r->form, "posts") : NULL;
	if (!choice || (strcmp(choice, "anonymous") != 0 && strcmp(choice, "remove") != 0)) {
		if (r->method == M_POST)
			ferr(&e, "posts", "Choose what happens to your posts.");
		choice = "anonymous";
	}
	if (r->method != M_POST) {
		delete_form(r, choice, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	int status = r->csrf_failed ? 403 : e.n ? 422 : 0;
	if (!r->csrf_failed) {
		int pst = web_recheck_password(r, c, &e, "password", kv_get(&r->form, "password"));
		if (pst)
			status = pst; /* 422 wrong, 429 too many tries */
	}
	if (!e.n && u->role == ROLE_ADMIN && account_other_admins(c, u->id) == 0) {
		ferr(&e, NULL, "You are the only admin. Make someone else an admin first, so the site is not left without one.");
		status = 422;
	}
	if (e.n) {
		delete_form(r, choice, &e, status ? status : 422);
		return;
	}
	int rc = account_delete(c, u->id, strcmp(choice, "remove") == 0);
	if (rc < 0) {
		ferr(&e, NULL, "Your account could not be deleted just now; nothing was changed. Please try again.");
		delete_form(r, choice, &e, 503);
		return;
	}
	log_info("msg=\"account deleted\" user_id=%lld posts=%s", (long long)u->id, choice);
	res_cookie(r, "cc_sid", "", 0, APP(r)->cfg->secure_cookies || r->tls);
	web_flash(r, "account_deleted");
	web_redirect(r, "/");
}
