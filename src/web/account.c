/* account.c: register, log in, log out and account settings. */
#include <sodium.h>
#include <string.h>

#include "core/util.h"
#include "model/draft.h"
#include "model/session.h"
#include "model/user.h"
#include "safety/limits.h"
#include "web/engage.h"
#include "web/pages.h"
#include "web/safety.h"
#include "web/web.h"

static bool secure(req *r)
{
	return APP(r)->cfg->secure_cookies || r->tls;
}

bool web_start_session(req *r, dbc *c, int64_t user_id)
{
	const char *old = req_cookie(r, "cc_sid");
	if (old && *old)
		session_delete(c, r->a, old);
	char *tok = session_create(c, r->a, user_id);
	if (!tok)
		return false;
	res_cookie(r, "cc_sid", tok, SESSION_TTL, secure(r));
	return true;
}

static const char *safe_next(req *r, const char *next)
{
	return next && url_is_local(next) && strncmp(next, "/login", 6) != 0 ? next : "/";
}

static void login_form(req *r, const char *login, const char *next, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_str(ctx, "next", next ? next : "");
	tv_bool(ctx, "noindex", true);
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "login", "Username or email", "text", login, NULL, "username", EMAIL_MAX, e);
	web_field(r, f, "password", "Password", "password", "", NULL, "current-password", PASSWORD_MAX, e);
	web_errors(ctx, e);
	web_page(r, status, "login", ctx, "Log in");
}

/* Burns the same time as a real check when the account does not exist. */
static void dummy_check(const char *password)
{
	static char dummy[crypto_pwhash_STRBYTES];
	static int ready;
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		char tmp[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(tmp, "carecircle-dummy", 16, crypto_pwhash_OPSLIMIT_INTERACTIVE,
		                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			return;
		memcpy(dummy, tmp, sizeof tmp);
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	user_check_password(dummy, password);
}

/* ---- login throttling ----
 *
 * Failed sign-ins are counted in the database (rate_counts), so the limits hold on every node
 * and across restarts, in fixed windows of 15 minutes:
 * - per account: every attempt counts and a successful one clears the count, so at most
 *   --login-fails-account guesses per window reach the password check, however many run at
 *   once. A name or address that is no account gets a counter of its own (a keyed hash of what
 *   was typed), so an unknown account is throttled exactly like a real one.
 * - per client address: failures count (not successes, so one busy network of honest people
 *   is not locked out), up to --login-fails-address per window.
 * Once over either limit the answer is 429 with Retry-After, before any password is checked,
 * with one message that does not say which limit, nor whether the account exists. */
enum { LOGIN_WINDOW = 900 };

static const char *login_account_key(req *r, int found, const user *u, const char *login)
{
	if (found == 1)
		return arena_printf(r->a, "u:%lld", (long long)u->id);
	char *l = util_lower(r->a, login);
	return arena_printf(r->a, "n:%s", util_mac_hex(r->a, APP(r)->key, "login-name", l, strlen(l), 16));
}

int web_recheck_password(req *r, dbc *c, ferrs *e, const char *field, const char *password)
{
	user *u = web_user(r);
	/* The same per-account counter as the login form: a borrowed session cannot be used to
	 * guess the password either. */
	const char *acct = arena_printf(r->a, "u:%lld", (long long)u->id);
	int64_t now = util_now();
	if (limit_hit(c, "login-account", acct, LOGIN_WINDOW, now) > APP(r)->cfg->login_fails_account) {
		res_header(r, "Retry-After", arena_printf(r->a, "%lld", (long long)(LOGIN_WINDOW - now % LOGIN_WINDOW)));
		ferr(e, field, "Too many wrong passwords. Please try again in a few minutes.");
		return 429;
	}
	user me;
	const char *hash = NULL;
	if (!password || user_by_login(c, r->a, u->username, &me, &hash) != 1 || !user_check_password(hash, password)) {
		ferr(e, field, "Your password is not right.");
		return 422;
	}
	limit_clear(c, "login-account", acct);
	return 0;
}

static void login_throttled(req *r, const char *login, const char *next, int64_t now)
{
	int64_t wait = LOGIN_WINDOW - now % LOGIN_WINDOW;
	res_header(r, "Retry-After", arena_printf(r->a, "%lld", (long long)wait));
	ferrs e = {0};
	ferr(&e, "login",
	     arena_printf(r->a, "Too many unsuccessful sign-ins. To keep accounts safe, signing in is paused for "
	                        "this account or your network: please try again in %lld minutes, or choose a new "
	                        "password through \"Forgot your password?\".",
	                  (long long)(wait + 59) / 60));
	login_form(r, login, next, &e, 429);
}

void page_login(req *r)
{
	if (r->method != M_POST) {
		if (r->user) {
			web_redirect(r, safe_next(r, kv_get(&r->query, "next")));
			return;
		}
		ferrs e = {0};
		login_form(r, "", kv_get(&r->query, "next"), &e, 200);
		return;
	}
	ferrs e = {0};
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *login = web_text(r, &e, "login", "Your username or email", 1, EMAIL_MAX);
	const char *pw = kv_get(&r->form, "password");
	const char *next = kv_get(&r->form, "next");
	if (!pw || !*pw)
		ferr(&e, "password", "Enter your password.");
	if (e.n) {
		login_form(r, login, next, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	dbc *c = web_db(r);
	if (!c)
		return;
	user u;
	const char *hash = NULL;
	int rc = user_by_login(c, r->a, login, &u, &hash);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	const config *cfg = APP(r)->cfg;
	int64_t now = util_now();
	const char *acct = login_account_key(r, rc, &u, login);
	const char *addr = safety_client(r);
	int64_t na = limit_hit(c, "login-account", acct, LOGIN_WINDOW, now);
	int64_t nip = na < 0 ? na : limit_peek(c, "login-address", addr, LOGIN_WINDOW, now);
	if (na < 0 || nip < 0) {
		web_db_error(r, (int)(na < 0 ? na : nip));
		return;
	}
	if (na > cfg->login_fails_account || nip >= cfg->login_fails_address) {
		login_throttled(r, login, next, now);
		return;
	}
	bool ok = false;
	if (rc == 1)
		ok = user_check_password(hash, pw) && strcmp(u.status, "active") == 0;
	else
		dummy_check(pw);
	if (!ok) {
		limit_hit(c, "login-address", addr, LOGIN_WINDOW, now);
		ferr(&e, "login", "That username or email and password do not match an account.");
		login_form(r, login, next, &e, 401);
		return;
	}
	limit_clear(c, "login-account", acct);
	if (!web_start_session(r, c, u.id)) {
		web_db_error(r, DB_BUSY);
		return;
	}
	web_flash(r, "login");
	web_redirect(r, safe_next(r, next));
}

static void register_form(req *r, tval *v, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "username", "Username", "text", tv_get_str(v, "username"),
	          "3 to 30 lowercase letters, digits or _, starting with a letter. It is shown publicly.",
	          "username", USERNAME_MAX, e);
	web_field(r, f, "display_name", "Display name (optional)", "text", tv_get_str(v, "display_name"),
	          "How your name appears on posts. Defaults to your username.", "nickname", DISPLAY_NAME_MAX, e);
	web_field(r, f, "email", "Email", "email", tv_get_str(v, "email"),
	          "Never shown to anyone. Used for sign-in and, only if you ask, email updates.", "email",
	          EMAIL_MAX, e);
	web_field(r, f, "password", "Password", "password", "",
	          "At least 10 characters. A few unrelated words make a strong one.", "new-password",
	          PASSWORD_MAX, e);
	web_errors(ctx, e);
	dbc *c = db_conn(APP(r)->db);
	if (c)
		safety_form(r, c, ctx, "/register#captcha");
	web_page(r, status, "register", ctx, "Join the community");
}

void page_register(req *r)
{
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	if (r->method != M_POST) {
		register_form(r, v, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *username = web_text(r, &e, "username", "A username", USERNAME_MIN, USERNAME_MAX);
	const char *display = web_text(r, &e, "display_name", "Your display name", 0, DISPLAY_NAME_MAX);
	const char *email = web_text(r, &e, "email", "Your email", 3, EMAIL_MAX);
	const char *pw = kv_get(&r->form, "password");
	tv_str(v, "username", username);
	tv_str(v, "display_name", display);
	tv_str(v, "email", email);
	if (*username && !ferr_for(&e, "username") && !user_valid_username(username))
		ferr(&e, "username", "A username uses 3 to 30 lowercase letters, digits or _, and starts with a letter.");
	if (*email && !ferr_for(&e, "email") && !user_valid_email(email))
		ferr(&e, "email", "Enter an email address like name@example.org.");
	size_t pl = pw ? strlen(pw) : 0;
	if (pl < PASSWORD_MIN)
		ferr(&e, "password", "Choose a password of at least 10 characters.");
	else if (pl > PASSWORD_MAX)
		ferr(&e, "password", "That password is too long (200 characters at most).");
	dbc *c = web_db(r);
	if (!c)
		return;
	safety_check_form(r, c, &e);
	if (e.n) {
		register_form(r, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	int limited = safety_check_register(r, c, &e);
	if (limited) {
		register_form(r, v, &e, limited);
		return;
	}
	/* Usernames are public (profiles at /u/…), so a taken one is said at once. Whether an
	 * address has an account is not: joining finishes through a link mailed to the address,
	 * and an address with an account gets a mail saying so instead. */
	user other;
	int found = user_by_username(c, r->a, username, &other);
	if (found < 0) {
		web_db_error(r, found);
		return;
	}
	if (found == 1) {
		ferr(&e, "username", "That username is taken. Please choose another.");
		register_form(r, v, &e, 422);
		return;
	}
	int rc = engage_signup(r, c, username, email, pw, display);
	if (rc < 0) {
		ferr(&e, NULL, "Your sign-up could not be saved just now. Please try again.");
		register_form(r, v, &e, 503);
		return;
	}
	engage_notice(r, 200, "Check your email",
	              arena_printf(r->a, "We sent a message to %s. Open the link in it to finish joining; it works "
	                                 "for a week. Nothing arrived? Look in the spam folder, or join again in a few "
	                                 "minutes.",
	                           email),
	              "/", "Back to the home page", NULL, NULL, NULL);
}

void page_logout(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	const char *tok = req_cookie(r, "cc_sid");
	if (tok && *tok)
		session_delete(c, r->a, tok);
	res_cookie(r, "cc_sid", "", 0, secure(r));
	web_flash(r, "logout");
	web_redirect(r, "/");
}

static void account_page(req *r, dbc *c, tval *v, const ferrs *e, int status)
{
	user *u = web_user(r);
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *uo = tv_child(ctx, "user");
	tv_str(uo, "username", u->username);
	tv_str(uo, "badge", role_badge(u->role));
	tval *pf = tv_childlist(ctx, "profile_fields");
	web_field(r, pf, "display_name", "Display name", "text", tv_get_str(v, "display_name"), NULL,
	          "nickname", DISPLAY_NAME_MAX, e);
	web_field(r, pf, "email", "Email", "email", tv_get_str(v, "email"), "Never shown publicly.", "email",
	          EMAIL_MAX, e);
	tval *pw = tv_childlist(ctx, "password_fields");
	web_field(r, pw, "current_password", "Current password", "password", "", NULL, "current-password",
	          PASSWORD_MAX, e);
	web_field(r, pw, "new_password", "New password", "password", "", "At least 10 characters.",
	          "new-password", PASSWORD_MAX, e);
	tv_put(ctx, "v", v);
	draft *ds;
	int nd = draft_list(c, r->a, u->id, &ds);
	if (nd > 0) {
		tval *items = tv_childlist(tv_child(ctx, "drafts"), "items");
		for (int i = 0; i < nd; i++) {
			tval *o = tv_push(items);
			tv_str(o, "title", ds[i].title);
			tv_str(o, "topic_slug", ds[i].topic_slug);
			tv_str(o, "topic_name", ds[i].topic_name);
			tv_str(o, "when", util_ago(r->a, ds[i].updated_at, util_now()));
		}
	}
	engage_account(r, c, ctx); /* email updates and, for admins, the mail pages */
	web_errors(ctx, e);
	web_page(r, status, "account", ctx, "Your account");
}

void page_account(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	tv_str(v, "display_name", u->display_name);
	tv_str(v, "email", u->email);
	tv_str(v, "bio", u->bio);
	if (r->method != M_POST) {
		account_page(r, c, v, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *action = kv_get(&r->form, "action");
	action = action ? action : "";
	if (strcmp(action, "profile") == 0) {
		const char *display = web_text(r, &e, "display_name", "Your display name", 1, DISPLAY_NAME_MAX);
		const char *email = web_text(r, &e, "email", "Your email", 3, EMAIL_MAX);
		const char *bio = web_text(r, &e, "bio", "About you", 0, BIO_MAX);
		tv_str(v, "display_name", display);
		tv_str(v, "email", email);
		tv_str(v, "bio", bio);
		if (!ferr_for(&e, "email") && !user_valid_email(email))
			ferr(&e, "email", "Enter an email address like name@example.org.");
		if (e.n) {
			account_page(r, c, v, &e, r->csrf_failed ? 403 : 422);
			return;
		}
		char *lower = util_lower(r->a, email);
		int rc = 0;
		if (db_begin(c) >= 0) {
			rc = user_update_profile(c, u->id, display, bio);
			if (rc >= 0 && strcmp(lower, u->email) != 0)
				rc = user_set_email(c, u->id, lower);
			if (rc >= 0)
				rc = db_commit(c);
			else
				db_rollback(c);
		} else {
			rc = DB_BUSY;
		}
		if (rc == DB_CONSTRAINT) {
			ferr(&e, "email", "That email cannot be used for this account.");
			account_page(r, c, v, &e, 422);
			return;
		}
		if (rc < 0) {
			ferr(&e, NULL, "Your changes could not be saved just now. Please try again.");
			account_page(r, c, v, &e, 503);
			return;
		}
		if (strcmp(lower, u->email) != 0) /* a new address is unverified: send it a link */
			engage_send_verification(r, c, u->id, lower, display);
		web_flash(r, "account");
		web_redirect(r, "/account");
		return;
	}
	if (strcmp(action, "password") == 0) {
		const char *cur = kv_get(&r->form, "current_password");
		const char *nw = kv_get(&r->form, "new_password");
		int status = web_recheck_password(r, c, &e, "current_password", cur);
		if (status == 429) {
			account_page(r, c, v, &e, 429);
			return;
		}
		size_t nl = nw ? strlen(nw) : 0;
		if (nl < PASSWORD_MIN || nl > PASSWORD_MAX)
			ferr(&e, "new_password", "Choose a new password of 10 to 200 characters.");
		if (e.n) {
			account_page(r, c, v, &e, r->csrf_failed ? 403 : 422);
			return;
		}
		int rc = user_set_password(c, r->a, u->id, nw);
		if (rc >= 0)
			rc = session_delete_user(c, u->id);
		if (rc < 0 || !web_start_session(r, c, u->id)) {
			web_db_error(r, rc < 0 ? rc : DB_BUSY);
			return;
		}
		web_flash(r, "password");
		web_redirect(r, "/account");
		return;
	}
	if (strcmp(action, "logout_all") == 0) {
		if (e.n) {
			account_page(r, c, v, &e, 403);
			return;
		}
		session_delete_user(c, u->id);
		res_cookie(r, "cc_sid", "", 0, secure(r));
		web_flash(r, "logout");
		web_redirect(r, "/");
		return;
	}
	web_error(r, 400, "bad_action", "That form action is not known.");
}
