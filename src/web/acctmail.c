/* acctmail.c: account emails: address verification and password reset, with single-use,
 * expiring tokens of which only a keyed hash is stored. */
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "model/user.h"
#include "web/engage.h"
#include "web/web.h"

enum { VERIFY_TTL = 7 * 86400, RESET_TTL = 3600, RESET_GAP = 300 };

static char *token_hash(arena *a, const unsigned char key[32], const char *tok)
{
	return util_mac_hex(a, key, "account-token", tok, strlen(tok), 32);
}

static const dbq q_token = {
	"INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4, $5, $6)",
	NULL};
static const dbq q_recent = {
	"SELECT COUNT(*) FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3", NULL};

struct tok_ctx {
	arena *a;
	const unsigned char *key;
	int64_t user_id;
	const char *purpose, *email, *name;
	bool sent;
};

static int token_tx(dbc *c, void *p)
{
	struct tok_ctx *x = p;
	int64_t now = util_now();
	int rc = 0;
	/* One link per few minutes, so the form cannot be used to flood someone's inbox. */
	int64_t recent = db_scalar(c, &q_recent, DBP(dbi(x->user_id), dbs(x->purpose), dbi(now - RESET_GAP)), 0, &rc);
	if (rc < 0)
		return rc;
	if (recent > 0)
		return 0;
	char *tok = util_token(x->a, 32);
	bool reset = strcmp(x->purpose, "reset") == 0;
	rc = db_exec(c, &q_token, DBP(dbs(token_hash(x->a, x->key, tok)), dbi(x->user_id), dbs(x->purpose),
	                              dbs(x->email), dbi(now), dbi(now + (reset ? RESET_TTL : VERIFY_TTL))));
	if (rc < 0)
		return rc;
	char *url = arena_printf(x->a, "%s/%s/%s", mail_base_url(), reset ? "reset" : "verify", tok);
	mail_doc d = {
		.kind = x->purpose,
		.to = x->email,
		.to_name = x->name,
		.subject = reset ? "Reset your password" : "Please verify your email address",
		.heading = reset ? "Reset your password" : "Please verify your email address",
		.intro = reset ? "Someone, probably you, asked to reset the password of your account. The link "
		                 "works once, for one hour."
		               : "Please confirm that this address is yours. The link works once, for a week.",
		.button_label = reset ? "Choose a new password" : "Verify my address",
		.button_url = url,
		.outro = reset ? "If this was not you, ignore this message: your password stays as it is."
		               : "If you did not create an account, ignore this message.",
	};
	int64_t id = mail_queue(c, x->a, &d);
	if (id < 0)
		return (int)id;
	x->sent = true;
	return 1;
}

static int send_token(req *r, dbc *c, int64_t user_id, const char *purpose, const char *email, const char *name)
{
	char *low = util_lower(r->a, email);
	struct tok_ctx x = {r->a, APP(r)->key, user_id, purpose, low, name, false};
	return db_tx(c, token_tx, &x);
}

int engage_send_verification(req *r, dbc *c, int64_t user_id, const char *email, const char *name)
{
	return send_token(r, c, user_id, "verify", email, name);
}

static const dbq q_use = {
	"UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL "
	"AND expires_at > $3 RETURNING user_id, email",
	NULL};
static const dbq q_peek = {
	"SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL "
	"AND expires_at > $3",
	NULL};
static const dbq q_verified = {"UPDATE users SET email_verified = 1 WHERE id = $1 AND email = $2", NULL};
static const dbq q_pass = {"UPDATE users SET pass_hash = $2 WHERE id = $1", NULL};
static const dbq q_sessions = {"DELETE FROM sessions WHERE user_id = $1", NULL};

void page_verify_send(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	int rc = send_token(r, c, u->id, "verify", u->email, u->display_name);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	web_flash(r, "verify_sent");
	web_redirect(r, "/account");
}

void page_verify(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	dbrows t;
	int rc = db_begin(c);
	if (rc >= 0)
		rc = db_query(c, &q_use, DBP(dbs(token_hash(r->a, APP(r)->key, r->params[0])), dbs("verify"), dbi(util_now())), r->a, &t);
	if (rc == 1)
		rc = db_exec(c, &q_verified, DBP(dbi(db_int(&t, 0, 0)), dbs(db_text(&t, 0, 1))));
	else if (rc == 0)
		rc = -100;
	if (rc >= 0)
		rc = db_commit(c);
	else
		db_rollback(c);
	if (rc == -100) {
		engage_notice(r, 410, "This link has expired",
		              "Verification links work once, for a week. Log in and ask for a new one on your account page.",
		              "/account", "Your account", NULL, NULL, NULL);
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	engage_notice(r, 200, "Your email address is verified", "Thank you.", "/", "Go to the home page", NULL, NULL, NULL);
}

void page_reset_request(req *r)
{
	ferrs e = {0};
	tval *v = tv_obj(r->a);
	if (r->method == M_POST) {
		if (r->csrf_failed) {
			const char *why;
			web_csrf_check(r, &why);
			ferr(&e, NULL, why);
		}
		const char *email = engage_email(r, &e);
		tv_str(v, "email", email);
		if (!e.n) {
			dbc *c = web_db(r);
			if (!c)
				return;
					user u;
			const char *hash;
			int rc = user_by_login(c, r->a, email, &u, &hash);
			if (rc == 1 && strcmp(u.status, "active") == 0 && strcmp(u.email, email) == 0)
				rc = send_token(r, c, u.id, "reset", u.email, u.display_name);
			if (rc < 0) {
				web_db_error(r, rc);
				return;
			}
			/* The same answer whether or not an account uses the address. */
			engage_notice(r, 200, "Check your inbox",
			              arena_printf(r->a, "If an account uses %s, a link to choose a new password is on its "
			                                 "way. It works once, for one hour.",
			                           email),
			              "/login", "Back to log in", NULL, NULL, NULL);
			return;
		}
	}
	engage_notice(r, e.n ? (r->csrf_failed ? 403 : 422) : 200, "Forgot your password?",
	              "Enter the email address of your account and we will send a link to choose a new password.",
	              "/login", "Back to log in", v, &e, "/reset");
}

static void reset_form(req *r, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_str(ctx, "action", r->path);
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "password", "New password", "password", "", "At least 10 characters.", "new-password",
	          PASSWORD_MAX, e);
	web_errors(ctx, e);
	web_page(r, status, "reset", ctx, "Choose a new password");
}

void page_reset(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	char *th = token_hash(r->a, APP(r)->key, r->params[0]);
	int rc = 0;
	int64_t uid = db_scalar(c, &q_peek, DBP(dbs(th), dbs("reset"), dbi(util_now())), 0, &rc);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (uid == 0) {
		engage_notice(r, 410, "This link has expired",
		              "Password links work once, for one hour. You can ask for a new one.", "/reset",
		              "Ask for a new link", NULL, NULL, NULL);
		return;
	}
	ferrs e = {0};
	if (r->method != M_POST) {
		reset_form(r, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *pw = kv_get(&r->form, "password");
	size_t pl = pw ? strlen(pw) : 0;
	if (pl < PASSWORD_MIN || pl > PASSWORD_MAX)
		ferr(&e, "password", "Your new password must be 10 to 200 characters long.");
	if (e.n) {
		reset_form(r, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	char *hash = user_hash_password(r->a, pw);
	if (!hash) {
		web_db_error(r, DB_ERR);
		return;
	}
	dbrows t;
	rc = db_begin(c);
	if (rc >= 0)
		rc = db_query(c, &q_use, DBP(dbs(th), dbs("reset"), dbi(util_now())), r->a, &t);
	if (rc == 1) {
		uid = db_int(&t, 0, 0);
		rc = db_exec(c, &q_pass, DBP(dbi(uid), dbs(hash)));
		if (rc >= 0) /* every session ends: whoever knew the old password is out */
			rc = db_exec(c, &q_sessions, DBP(dbi(uid)));
	} else if (rc == 0) {
		rc = -100;
	}
	if (rc >= 0)
		rc = db_commit(c);
	else
		db_rollback(c);
	if (rc == -100) {
		engage_notice(r, 410, "This link has expired",
		              "Password links work once, for one hour. You can ask for a new one.", "/reset",
		              "Ask for a new link", NULL, NULL, NULL);
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	web_flash(r, "reset_done");
	web_redirect(r, "/login");
}

/* ---- joining by email ---- */

static const dbq q_has_email = {"SELECT id, display_name FROM users WHERE email = $1", NULL};
static const dbq q_signup = {
	"INSERT INTO signups (token_hash, username, email, pass_hash, display_name, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)",
	NULL};
static const dbq q_signup_get = {
	"SELECT username, email, pass_hash, display_name FROM signups WHERE token_hash = $1 AND expires_at > $2",
	NULL};
static const dbq q_signup_take = {"DELETE FROM signups WHERE token_hash = $1", NULL};
static const dbq q_signup_purge = {"DELETE FROM signups WHERE expires_at <= $1", NULL};
static const dbq q_verified_new = {"UPDATE users SET email_verified = 1 WHERE id = $1", NULL};

struct signup_ctx {
	arena *a;
	const unsigned char *key;
	const char *username, *email, *hash, *display;
};

static int signup_tx(dbc *c, void *p)
{
	struct signup_ctx *x = p;
	int64_t now = util_now();
	dbrows u;
	int rc = db_query(c, &q_has_email, DBP(dbs(x->email)), x->a, &u);
	if (rc < 0)
		return rc;
	mail_doc d = {.to = x->email, .to_name = x->display};
	if (rc > 0) {
		/* The address has an account: its owner hears of the attempt, nobody else does. */
		d.kind = "signup-exists";
		d.to_name = db_text(&u, 0, 1);
		d.subject = "You already have an account";
		d.heading = "You already have an account";
		d.intro = "Someone, probably you, tried to join with this address, which already has an account. "
		          "Log in with it; if you have forgotten the password, choose a new one from the login page.";
		d.button_label = "Log in";
		d.button_url = arena_printf(x->a, "%s/login", mail_base_url());
		d.outro = "If this was not you, ignore this message: nothing was changed.";
	} else {
		char *tok = util_token(x->a, 32);
		rc = db_exec(c, &q_signup, DBP(dbs(token_hash(x->a, x->key, tok)), dbs(x->username), dbs(x->email),
		                               dbs(x->hash), dbs(x->display), dbi(now), dbi(now + VERIFY_TTL)));
		if (rc < 0)
			return rc;
		d.kind = "signup";
		d.subject = "Finish joining";
		d.heading = "Finish joining";
		d.intro = arena_printf(x->a, "Open this link to finish creating your account \"%s\". It works once, "
		                             "for a week.", x->username);
		d.button_label = "Finish joining";
		d.button_url = arena_printf(x->a, "%s/join/%s", mail_base_url(), tok);
		d.outro = "If you did not ask to join, ignore this message: no account is made.";
	}
	int64_t id = mail_queue(c, x->a, &d);
	return id < 0 ? (int)id : 1;
}

int engage_signup(req *r, dbc *c, const char *username, const char *email, const char *password,
                  const char *display_name)
{
	/* The password is hashed whether or not the address is taken: the same time either way. */
	char *hash = user_hash_password(r->a, password);
	if (!hash)
		return DB_ERR;
	char *low = util_lower(r->a, email);
	struct signup_ctx x = {r->a,  APP(r)->key, username, low, hash,
	                       display_name && *display_name ? display_name : username};
	return db_tx(c, signup_tx, &x);
}

int engage_signup_purge(dbc *c, int64_t now)
{
	return db_exec(c, &q_signup_purge, DBP(dbi(now)));
}

struct join_ctx {
	arena *a;
	const char *hash;
	int64_t user_id;
};

static int join_tx(dbc *c, void *p)
{
	struct join_ctx *x = p;
	dbrows s;
	int rc = db_query(c, &q_signup_get, DBP(dbs(x->hash), dbi(util_now())), x->a, &s);
	if (rc <= 0)
		return rc < 0 ? rc : 0;
	rc = db_exec(c, &q_signup_take, DBP(dbs(x->hash)));
	if (rc < 0)
		return rc;
	int64_t id = user_create_hashed(c, x->a, db_text(&s, 0, 0), db_text(&s, 0, 1), db_text(&s, 0, 2), ROLE_MEMBER,
	                                db_text(&s, 0, 3), "", "");
	if (id < 0)
		return (int)id;
	/* Opening the link proved the address. */
	rc = db_exec(c, &q_verified_new, DBP(dbi(id)));
	if (rc < 0)
		return rc;
	x->user_id = id;
	return 1;
}

static void join_expired(req *r)
{
	engage_notice(r, 410, "This link has expired or was used",
	              "Joining links work once, for a week. If you finished joining already, log in; otherwise "
	              "join again.",
	              "/login", "Log in", NULL, NULL, NULL);
}

/* GET asks (mail scanners that open links must not make accounts); the button finishes. */
void page_join(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	char *hash = token_hash(r->a, APP(r)->key, r->params[0]);
	if (r->method != M_POST) {
		dbrows s;
		int rc = db_query(c, &q_signup_get, DBP(dbs(hash), dbi(util_now())), r->a, &s);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		if (rc == 0) {
			join_expired(r);
			return;
		}
		tval *ctx = web_ctx(r);
		tv_str(ctx, "heading", "Finish joining");
		tv_str(ctx, "text", arena_printf(r->a, "Your account \"%s\" is one click away.", db_text(&s, 0, 0)));
		tv_str(ctx, "confirm_action", r->path);
		tv_str(ctx, "confirm_label", "Finish joining");
		tv_bool(ctx, "noindex", true);
		web_page(r, 200, "email_notice", ctx, "Finish joining");
		return;
	}
	struct join_ctx x = {r->a, hash, 0};
	int rc = db_tx(c, join_tx, &x);
	if (rc == 0) {
		join_expired(r);
		return;
	}
	if (rc == DB_CONSTRAINT) {
		engage_notice(r, 409, "That username or address was taken meanwhile",
		              "Someone finished joining with the same username, or this address joined through another "
		              "link. Log in if it was you, or join again with another username.",
		              "/register", "Join again", NULL, NULL, NULL);
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (!web_start_session(r, c, x.user_id)) {
		web_db_error(r, DB_BUSY);
		return;
	}
	web_flash(r, "registered");
	web_redirect(r, "/");
}
