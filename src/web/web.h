/* web.h: what every page handler shares: the app, identity, forms, CSRF and page rendering. */
#ifndef CC_WEB_H
#define CC_WEB_H
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "db/db.h"
#include "http/request.h"
#include "http/router.h"
#include "model/user.h"
#include "render/tmpl.h"

struct app {
	config *cfg;
	db *db;
	db *replica;           /* optional read replica for GET pages (NULL = none) */
	unsigned char key[32]; /* server secret: CSRF, signed cookies, CAPTCHA */
};

/* Route flags: checked once, in web_dispatch, before any handler runs. */
enum {
	R_LOGIN = 1u << 0,    /* a signed-in member */
	R_GUIDE = 1u << 1,    /* guide or above */
	R_MOD = 1u << 2,      /* moderator or above */
	R_ADMIN = 1u << 3,    /* admin */
	R_NOCSRF = 1u << 4,   /* a POST that carries no CSRF token (none so far) */
	R_FORM = 1u << 5,     /* a POST that re-renders its form itself on a CSRF failure */
	R_CACHE = 1u << 6,    /* a GET page the same for every guest: served from the page cache */
	R_UPLOAD = 1u << 7,   /* a POST that takes image uploads: body limit raised by UPLOAD_EXTRA */
};

/* Room for IMAGE_MAX_PER_POST images of 5 MB and the multipart framing, on top of --max-body-kb. */
#define UPLOAD_EXTRA ((size_t)4 * 5 * 1024 * 1024 + 256 * 1024)
/* The body limit of a request (http_opts.body_limit): raised for R_UPLOAD routes, else 0. */
size_t web_body_limit(req *r);

/* Form errors, in page order. */
typedef struct ferrs {
	struct {
		const char *field, *msg;
	} v[24];
	int n;
} ferrs;

void ferr(ferrs *e, const char *field, const char *msg);
/* The signed-in person's password typed again (password change, account deletion): 0 when
 * right; 422 wrong, or 429 past --login-fails-account (the login form's counter), with the
 * message on field. */
/* Signs the request's browser in as user_id with a fresh session token (the old one, if any,
 * is ended: session fixation is not possible). False on a database failure. */
bool web_start_session(req *r, dbc *c, int64_t user_id);
int web_recheck_password(req *r, dbc *c, ferrs *e, const char *field, const char *password);
const char *ferr_for(const ferrs *e, const char *field);

static inline struct app *APP(req *r) { return (struct app *)r->app; }
static inline user *web_user(req *r) { return (user *)r->user; }
bool web_role(req *r, enum role at_least);

/* This thread's connection for the page: the replica for GET/HEAD when one is configured
 * and the visitor has not just written (read-your-own-writes), else the primary. NULL after
 * answering 503. */
dbc *web_db(req *r);
/* Always the primary (writes, and reads that must see them). */
dbc *web_db_primary(req *r);

/* The request handler installed into the HTTP server; the route table is in routes.c. */
void web_dispatch(req *r);
void web_error_page(req *r, int status);
extern route web_routes[];
extern const int web_nroutes;

/* A fresh CSRF token for forms on this page; valid 24 hours, bound to the session. */
const char *web_csrf(req *r);
/* Checks the csrf form field; false when missing, forged or stale (why says which). */
bool web_csrf_check(req *r, const char **why);

/* The base context every page template sees (site, user, csrf, flash…). */
tval *web_ctx(req *r);
/* Renders tmpl inside the site layout with page title into r->out. */
void web_page(req *r, int status, const char *tmpl, tval *ctx, const char *title);
/* An error page in the layout with a message and a stable error code. */
void web_error(req *r, int status, const char *code, const char *msg);
/* A database failure: 503 for busy/full/read-only, 500 otherwise. */
void web_db_error(req *r, int rc);
/* 303 See Other to a local path. */
void web_redirect(req *r, const char *path);
/* Queues a one-shot message shown on the next page. */
void web_flash(req *r, const char *code);

/* Reads a text field: cleaned UTF-8 (invalid bytes replaced, CRLF → LF), trimmed, and
 * checked for length in code points. Adds an error to e and still returns the text, so the
 * form can come back with it. Never NULL. */
const char *web_text(req *r, ferrs *e, const char *name, const char *label, size_t min, size_t max);
/* Appends an input field (for the "field" partial) to list; its error comes from e. */
void web_field(req *r, tval *list, const char *id, const char *label, const char *type,
               const char *value, const char *hint, const char *autocomplete, int maxlength,
               const ferrs *e);
/* Fills ctx with "errors" (summary list) and "err" (field -> message) from e. */
void web_errors(tval *ctx, const ferrs *e);

/* Adds name, url, badge and title for a post author; moderators see who is behind "Anonymous". */
struct author;
void web_author(req *r, tval *o, const struct author *au);
/* "3 days ago" and the ISO time for <time datetime>. */
void web_time(req *r, tval *o, const char *key, int64_t t);
/* Canonical path of a question. */
char *web_question_url(req *r, const char *topic_slug, int64_t id, const char *slug);
/* About the first 200 characters of a members-only question's excerpt (question.c). */
const char *web_teaser(req *r, const char *excerpt);

/* Writes a fresh copy of a per-visitor part of a cached page (see pagecache.h); false when
 * the name is unknown. */
bool web_fill_hole(req *r, const char *name, buf *out);

/* Counts a view of a question; counts are written in batches (web_views_flush). */
void web_view(int64_t question_id);
void web_views_flush(db *d);

#endif
