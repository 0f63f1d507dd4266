/* api_core.c: what every JSON API handler shares: replies, error objects, bearer tokens,
 * JSON bodies, cursors and ETags. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "model/token.h"
#include "web/api.h"

static void decref(void *p)
{
	json_decref(p);
}

void api_send(req *r, int status, json_t *j)
{
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	r->out.len = 0;
	res_header(r, "Cache-Control", "private, no-cache");
	res_header(r, "Vary", "Authorization, Cookie");
	/* Any site may call the API from a browser: reads are public and writes need a bearer
	 * token the calling script holds (cookies are never accepted for writes, and a "*"
	 * origin never exposes a cookie-authenticated answer). */
	res_header(r, "Access-Control-Allow-Origin", "*");
	res_header(r, "Access-Control-Expose-Headers", "ETag, Location");
	size_t n = j ? json_dumpb(j, NULL, 0, JSON_COMPACT) : 0;
	char *p = n ? buf_reserve(&r->out, n + 1) : NULL;
	if (p) {
		json_dumpb(j, p, n, JSON_COMPACT);
		r->out.len += n;
		r->out.p[r->out.len] = 0;
	}
	buf_putc(&r->out, '\n');
	json_decref(j);
	if (status != 200 || (r->method != M_GET && r->method != M_HEAD))
		return;
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)r->out.p, r->out.len, NULL, 0);
	char *etag = arena_printf(r->a, "\"%s\"", util_hex(r->a, h, sizeof h));
	res_header(r, "ETag", etag);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		r->status = 304;
		r->out.len = 0;
	}
}

void api_error(req *r, int status, const char *code, const char *msg, const char *field)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "field", field ? json_string(field) : json_null());
	json_t *j = json_object();
	json_object_set_new(j, "error", e);
	api_send(r, status, j);
	if (status == 401)
		res_header(r, "WWW-Authenticate", "Bearer realm=\"carecircle\"");
}

void api_errors(req *r, const ferrs *e)
{
	json_t *list = json_array();
	for (int i = 0; i < e->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string("invalid"));
		json_object_set_new(o, "message", json_string(e->v[i].msg));
		json_object_set_new(o, "field", e->v[i].field ? json_string(e->v[i].field) : json_null());
		json_array_append_new(list, o);
	}
	json_t *j = json_object();
	json_object_set(j, "error", json_array_get(list, 0));
	json_object_set_new(j, "errors", list);
	api_send(r, 422, j);
}

void api_db_error(req *r, int rc)
{
	if (rc == DB_BUSY || rc == DB_FULL || rc == DB_READONLY)
		api_error(r, 503, "db_unavailable",
		          arena_printf(r->a, "Nothing was changed because %s. Please retry later.", db_strerror(rc)),
		          NULL);
	else
		api_error(r, 500, "db_error", "The database failed. Nothing was changed.", NULL);
}

void api_refused(req *r, int status, const ferrs *e, const post_verdict *v)
{
	const char *msg = e->n ? e->v[0].msg : "This post could not be accepted.";
	const char *field = e->n ? e->v[0].field : NULL;
	const char *code = status == 429   ? "rate_limited"
	                   : status == 403 ? "locked"
	                   : status == 503 ? "db_unavailable"
	                   : field && strcmp(field, "pii_ok") == 0 ? "personal_details"
	                                                           : "refused";
	api_error(r, status, code, msg, field);
	if (status == 429)
		res_header(r, "Retry-After", arena_printf(r->a, "%d", v->retry_after > 0 ? v->retry_after : 60));
	else if (status == 503)
		res_header(r, "Retry-After", "30");
}

dbc *api_db(req *r)
{
	dbc *c = db_conn(APP(r)->db);
	if (!c)
		api_error(r, 503, "db_unavailable", "The site cannot reach its database right now.", NULL);
	return c;
}

/* Posts a member made in the last API_WRITE_WINDOW seconds, counted from the posts themselves
 * (so every node agrees without extra state). A script that floods gets 429 + Retry-After. */
static const dbq q_recent_posts = {
	"SELECT (SELECT count(*) FROM questions WHERE user_id = $1 AND created_at > $2) + "
	"(SELECT count(*) FROM answers WHERE user_id = $1 AND created_at > $2)",
	NULL};

static bool api_write_budget(req *r)
{
	dbc *c = api_db(r);
	if (!c)
		return false;
	int rc;
	int64_t n = db_scalar(c, &q_recent_posts, DBP(dbi(web_user(r)->id), dbi(util_now() - API_WRITE_WINDOW)), 0, &rc);
	if (rc < 0) {
		api_db_error(r, rc);
		return false;
	}
	if (n < API_WRITE_MAX)
		return true;
	api_error(r, 429, "rate_limited",
	          arena_printf(r->a, "This account posted %d times in the last %d minutes. Please wait a few minutes.",
	                       API_WRITE_MAX, API_WRITE_WINDOW / 60),
	          NULL);
	res_header(r, "Retry-After", "60");
	return false;
}

/* A CORS preflight: say which methods and headers a cross-site script may use. */
static void preflight(req *r)
{
	r->status = 204;
	r->out.len = 0;
	res_header(r, "Access-Control-Allow-Origin", "*");
	res_header(r, "Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE");
	res_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match");
	res_header(r, "Access-Control-Max-Age", "86400");
}

bool api_auth(req *r, bool need_user, bool write)
{
	if (r->method == M_OPTIONS) {
		preflight(r);
		return false;
	}
	const char *h = req_header(r, "Authorization");
	bool token_write = false, token = false;
	if (h) {
		if (strncasecmp(h, "Bearer ", 7) != 0) {
			api_error(r, 401, "bad_auth", "Use \"Authorization: Bearer TOKEN\" with a personal access token.",
			          NULL);
			return false;
		}
		dbc *c = api_db(r);
		if (!c)
			return false;
		user *u = arena_zalloc(r->a, sizeof *u);
		int rc = token_lookup(c, r->a, h + 7, u, &token_write);
		if (rc < 0) {
			api_db_error(r, rc);
			return false;
		}
		if (rc == 0) {
			api_error(r, 401, "bad_token", "This access token is not known, was revoked, or its account is suspended.",
			          NULL);
			return false;
		}
		r->user = u;
		r->sess = NULL;
		token = true;
	}
	if (write && !token) {
		api_error(r, 401, "token_required",
		          "Writing through the API needs a personal access token with write scope "
		          "(create one under /account/tokens). Guests can post through the site's forms.",
		          NULL);
		return false;
	}
	if (write && !token_write) {
		api_error(r, 403, "insufficient_scope", "This access token can only read. Create one with write scope.",
		          NULL);
		return false;
	}
	if (write && !api_write_budget(r))
		return false;
	if (need_user && !r->user) {
		api_error(r, 401, "auth_required", "Sign in or send a personal access token.", NULL);
		return false;
	}
	return true;
}

json_t *api_body(req *r)
{
	return api_body_keep(r, NULL);
}

static bool kept(const char *const *keep, const char *k)
{
	for (; keep && *keep; keep++)
		if (strcmp(*keep, k) == 0)
			return true;
	return false;
}

json_t *api_body_keep(req *r, const char *const *keep)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		api_error(r, 415, "unsupported_media_type", "Send the body as application/json.", NULL);
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(r->body.p ? r->body.p : "", r->body.len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		api_error(r, 400, "bad_json", arena_printf(r->a, "The body is not valid JSON: %s (line %d).", err.text, err.line),
		          NULL);
		return NULL;
	}
	arena_defer(r->a, decref, j);
	if (!json_is_object(j)) {
		api_error(r, 400, "bad_json", "The body must be a JSON object.", NULL);
		return NULL;
	}
	r->form.n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if (kept(keep, k) && !json_is_string(v))
			continue; /* the handler reads it from the object */
		if (json_is_string(v))
			kv_add(r->a, &r->form, arena_strdup(r->a, k),
			       arena_strndup(r->a, json_string_value(v), json_string_length(v)), json_string_length(v));
		else if (!json_is_boolean(v) && !json_is_null(v)) {
			api_error(r, 422, "invalid", arena_printf(r->a, "\"%s\" must be a string.", k), arena_strdup(r->a, k));
			return NULL;
		}
	}
	return j;
}

bool api_limit(req *r, int *limit)
{
	const char *s = kv_get(&r->query, "limit");
	int64_t v = API_LIMIT_DEFAULT;
	if (s && !util_parse_i64(s, 1, API_LIMIT_MAX, &v)) {
		api_error(r, 400, "bad_limit", "limit must be a whole number from 1 to 100.", "limit");
		return false;
	}
	*limit = (int)v;
	return true;
}

char *api_cursor(req *r, int64_t a, int64_t b)
{
	char raw[48];
	int n = snprintf(raw, sizeof raw, "%lld.%lld", (long long)a, (long long)b);
	return util_b64url(r->a, raw, (size_t)n);
}

bool api_cursor_arg(req *r, int64_t *a, int64_t *b)
{
	const char *s = kv_get(&r->query, "cursor");
	if (!s || !*s)
		return true;
	unsigned char raw[64];
	size_t sl = strlen(s);
	long n = sl < 80 ? util_b64url_decode(s, sl, raw, sizeof raw - 1) : -1;
	if (n > 0) {
		raw[n] = 0;
		char *dot = strchr((char *)raw, '.');
		if (dot) {
			*dot = 0;
			int64_t x, y;
			if (util_parse_i64((char *)raw, INT64_MIN, INT64_MAX, &x) && util_parse_i64(dot + 1, INT64_MIN, INT64_MAX, &y)) {
				*a = x;
				*b = y;
				return true;
			}
		}
	}
	api_error(r, 400, "bad_cursor", "cursor must be a next_cursor value from an earlier page.", "cursor");
	return false;
}

bool api_offset_page(req *r, int64_t kind, int64_t max_offset, int *limit, int64_t *offset)
{
	int64_t k = kind;
	*offset = 0;
	if (!api_limit(r, limit) || !api_cursor_arg(r, &k, offset))
		return false;
	if (k != kind || *offset < 0 || *offset > max_offset) {
		api_error(r, 400, "bad_cursor", "cursor must be a next_cursor value from an earlier page.", "cursor");
		return false;
	}
	return true;
}

json_t *api_offset_list(req *r, json_t *items, int64_t kind, int64_t end, int64_t total)
{
	return api_list(items, end < total ? api_cursor(r, kind, end) : NULL);
}

json_t *api_list(json_t *items, const char *next_cursor)
{
	json_t *j = json_object();
	json_object_set_new(j, "data", items);
	json_object_set_new(j, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
	return j;
}

json_t *api_time(req *r, int64_t t)
{
	return t ? json_string(util_iso8601(r->a, t)) : json_null();
}

json_t *api_author(const author *au)
{
	json_t *o = json_object();
	if (au->user_id && !au->anonymous) {
		json_object_set_new(o, "username", json_string(au->username));
		json_object_set_new(o, "display_name", json_string(au->display_name));
		json_object_set_new(o, "role", json_string(role_name(au->role)));
		if (au->role == ROLE_GUIDE && au->title && *au->title)
			json_object_set_new(o, "title", json_string(au->title));
	} else {
		json_object_set_new(o, "username", json_null());
		json_object_set_new(o, "display_name",
		                    json_string(!au->user_id && au->guest_name && *au->guest_name ? au->guest_name
		                                                                                 : "Anonymous"));
		json_object_set_new(o, "role", json_null());
		json_object_set_new(o, au->user_id ? "anonymous" : "guest", json_true());
	}
	return o;
}
