/* tokens.c: /account/tokens: list, create (shown once) and revoke personal access tokens. */
#include <string.h>

#include "core/util.h"
#include "model/token.h"
#include "web/tokens.h"
#include "web/web.h"

static void render(req *r, dbc *c, const ferrs *e, tval *v, tval *created, int status)
{
	user *u = web_user(r);
	api_token *ts;
	int n = token_list(c, r->a, u->id, &ts);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	if (n > 0) {
		tval *items = tv_childlist(tv_child(ctx, "tokens"), "items");
		for (int i = 0; i < n; i++) {
			tval *o = tv_push(items);
			tv_int(o, "id", ts[i].id);
			tv_str(o, "name", ts[i].name);
			tv_str(o, "scope", strcmp(ts[i].scope, "write") == 0 ? "read and write" : "read only");
			tv_str(o, "prefix", ts[i].prefix);
			tv_str(o, "created", util_date(r->a, ts[i].created_at));
			tv_str(o, "used", ts[i].last_used_at ? util_ago(r->a, ts[i].last_used_at, util_now()) : "never");
		}
	}
	if (created)
		tv_put(ctx, "new_token", created);
	tv_put(ctx, "v", v);
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "name", "Name", "text", kv_get(&r->form, "name") && e->n ? kv_get(&r->form, "name") : "",
	          "What the token is for, e.g. “clinic app”.", "off", TOKEN_NAME_MAX, e);
	web_errors(ctx, e);
	web_page(r, status, "tokens", ctx, "API access tokens");
}

void page_tokens(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	user *u = web_user(r);
	ferrs e = {0};
	tval *v = tv_obj(r->a);
	if (r->method != M_POST) {
		render(r, c, &e, v, NULL, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
		render(r, c, &e, v, NULL, 403);
		return;
	}
	const char *action = kv_get(&r->form, "action");
	if (action && strcmp(action, "revoke") == 0) {
		int64_t id;
		const char *s = kv_get(&r->form, "id");
		int rc = s && util_parse_i64(s, 1, INT64_MAX, &id) ? token_revoke(c, u->id, id) : 0;
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		web_redirect(r, "/account/tokens");
		return;
	}
	const char *name = web_text(r, &e, "name", "Name", 1, TOKEN_NAME_MAX);
	const char *scope = kv_get(&r->form, "scope");
	bool write = scope && strcmp(scope, "write") == 0;
	tv_bool(v, "write", write);
	if (scope && !write && strcmp(scope, "read") != 0)
		ferr(&e, "scope-read", "Choose read only, or read and write.");
	int64_t have = token_count(c, u->id);
	if (have >= TOKENS_PER_USER)
		ferr(&e, NULL, "You have 20 tokens already. Revoke one you no longer use first.");
	if (e.n) {
		render(r, c, &e, v, NULL, 422);
		return;
	}
	char *tok = token_create(c, r->a, u->id, name, write);
	if (!tok) {
		ferr(&e, NULL, "The token could not be created just now. Please try again.");
		render(r, c, &e, v, NULL, 503);
		return;
	}
	tval *nt = tv_obj(r->a);
	tv_str(nt, "name", name);
	tv_str(nt, "scope", write ? "read and write" : "read only");
	tv_str(nt, "token", tok);
	res_header(r, "Cache-Control", "no-store");
	render(r, c, &e, tv_obj(r->a), nt, 200);
}
