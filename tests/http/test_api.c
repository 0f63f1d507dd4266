/* test_api.c: the JSON API over real HTTP: every route's success, validation errors, auth
 * errors, cursor pagination and ETags; tokens made and revoked on /account/tokens; posts going
 * through the forms' safety checks (refused, held, crisis language, rate limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "captcha_answer.h"
#include "harness.h"

static srv S;
static char write_tok[64], read_tok[64], guide_tok[64];
static const char *PW = "demo-password-1";

/* Creates a token on /account/tokens of server s as username; copies it to out. */
static void make_token_on(srv *s, const char *username, const char *name, const char *scope, char *out, size_t n)
{
	client *c = client_new(s);
	assert_int_equal(login_as(c, username, PW), 0);
	resp *r = http_get(c, "/account/tokens");
	assert_int_equal(r->status, 200);
	char *csrf = csrf_of(r);
	char *body = form("csrf", csrf, "action", "create", "name", name, "scope", scope, NULL);
	r = http_post(c, "/account/tokens", body);
	assert_int_equal(r->status, 200);
	const char *p = strstr(r->body, "<code id=\"new-token\">");
	assert_non_null(p);
	p += strlen("<code id=\"new-token\">");
	size_t l = strcspn(p, "<");
	assert_int_equal(l, 46);
	assert_true(l < n);
	memcpy(out, p, l);
	out[l] = 0;
	assert_true(has(r, name));
	free(csrf);
	free(body);
	client_free(c);
}

static void make_token(const char *username, const char *name, const char *scope, char *out, size_t n)
{
	make_token_on(&S, username, name, scope, out, n);
}

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0 || srv_demo(&S) != 0)
		return -1;
	make_token("zoe_m", "script", "write", write_tok, sizeof write_tok);
	make_token("tom_h", "reader", "read", read_tok, sizeof read_tok);
	make_token("helen_writes", "articles", "write", guide_tok, sizeof guide_tok);
	return 0;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* A request with an optional bearer token; checks the status and returns the parsed body
 * (NULL for an empty body). Caller json_decref()s. */
static json_t *call(client *c, const char *method, const char *path, const char *token, const char *json,
                    long status)
{
	char auth[128];
	const char *hdrs[3] = {NULL, NULL, NULL};
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		hdrs[0] = auth;
	}
	resp *r = http_request(c, method, path, json ? "application/json" : NULL, json, json ? strlen(json) : 0, hdrs);
	if (r->status != status)
		fprintf(stderr, "%s %s: want %ld got %ld: %s\n", method, path, status, r->status, r->body);
	assert_int_equal(r->status, status);
	if (!r->len)
		return NULL;
	char *ct = header_of(r, "Content-Type");
	assert_non_null(ct);
	assert_non_null(strstr(ct, "application/json"));
	free(ct);
	json_error_t err;
	json_t *j = json_loads(r->body, 0, &err);
	assert_non_null(j);
	return j;
}

/* Asserts j is an error object with that code (and field when given). */
static void is_error(json_t *j, const char *code, const char *field)
{
	json_t *e = json_object_get(j, "error");
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "code")), code);
	assert_true(json_string_length(json_object_get(e, "message")) > 5);
	json_t *f = json_object_get(e, "field");
	assert_non_null(f);
	if (field)
		assert_string_equal(json_string_value(f), field);
	else
		assert_true(json_is_null(f));
	json_decref(j);
}

static void test_topics_and_etag(void **state)
{
	client *c = client_new(&S);
	json_t *j = call(c, "GET", "/api/v1/topics", NULL, NULL, 200);
	json_t *data = json_object_get(j, "data");
	assert_true(json_array_size(data) >= 5);
	bool found = false;
	size_t i;
	json_t *t;
	json_array_foreach(data, i, t) if (strcmp(json_string_value(json_object_get(t, "slug")), "hemifacial-spasm") == 0) found = true;
	assert_true(found);
	assert_true(json_is_null(json_object_get(j, "next_cursor")));
	json_decref(j);

	resp *r = http_get(c, "/api/v1/topics/hemifacial-spasm");
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->body, "\"overview_html\""));
	char *etag = header_of(r, "ETag");
	assert_non_null(etag);
	assert_true(etag[0] == '"');
	char inm[160];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	const char *h[] = {inm, NULL};
	r = http_request(c, "GET", "/api/v1/topics/hemifacial-spasm", NULL, NULL, 0, h);
	assert_int_equal(r->status, 304);
	assert_int_equal(r->len, 0);
	const char *stale[] = {"If-None-Match: \"0000\"", NULL};
	r = http_request(c, "GET", "/api/v1/topics/hemifacial-spasm", NULL, NULL, 0, stale);
	assert_int_equal(r->status, 200);
	free(etag);

	is_error(call(c, "GET", "/api/v1/topics/no-such-topic", NULL, NULL, 404), "no_such_topic", NULL);
	is_error(call(c, "GET", "/api/v1/nothing-here", NULL, NULL, 404), "not_found", NULL);
	is_error(call(c, "DELETE", "/api/v1/topics", NULL, "{}", 405), "method_not_allowed", NULL);

	/* Browsers on other sites may call it (CORS), with a token in Authorization. */
	r = http_request(c, "OPTIONS", "/api/v1/topics/hemifacial-spasm/questions", NULL, NULL, 0, NULL);
	assert_int_equal(r->status, 204);
	char *allow = header_of(r, "Access-Control-Allow-Headers");
	assert_non_null(allow);
	assert_non_null(strstr(allow, "Authorization"));
	free(allow);
	r = http_get(c, "/api/v1/topics");
	char *origin = header_of(r, "Access-Control-Allow-Origin");
	assert_string_equal(origin, "*");
	free(origin);

	j = call(c, "GET", "/api/v1/openapi.json", NULL, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.1.0");
	assert_non_null(json_object_get(json_object_get(j, "paths"), "/questions/{id}/answers"));
	json_decref(j);
	client_free(c);
}

/* Walks every page of path (which has a query) and returns the ids seen; checks no repeats. */
static int walk_tok(client *c, const char *path, const char *token, int limit, int64_t *ids, int max)
{
	char url[1024];
	int n = 0, pages = 0;
	char cursor[256] = "";
	for (;;) {
		snprintf(url, sizeof url, "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?", limit,
		         *cursor ? "&cursor=" : "", cursor);
		json_t *j = call(c, "GET", url, token, NULL, 200);
		json_t *data = json_object_get(j, "data");
		assert_true(json_array_size(data) <= (size_t)limit);
		size_t i;
		json_t *it;
		json_array_foreach(data, i, it)
		{
			int64_t id = json_integer_value(json_object_get(it, "id"));
			for (int k = 0; k < n; k++)
				assert_true(ids[k] != id);
			assert_true(n < max);
			ids[n++] = id;
		}
		json_t *next = json_object_get(j, "next_cursor");
		pages++;
		if (json_is_null(next)) {
			json_decref(j);
			break;
		}
		assert_int_equal(json_array_size(data), limit);
		snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
		json_decref(j);
		assert_true(pages < 200);
	}
	return n;
}

static int walk(client *c, const char *path, int limit, int64_t *ids, int max)
{
	return walk_tok(c, path, NULL, limit, ids, max);
}

static void test_pagination(void **state)
{
	client *c = client_new(&S);
	json_t *j = call(c, "GET", "/api/v1/topics", NULL, NULL, 200);
	int64_t total = 0, hfs = 0;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(j, "data"), i, t)
	{
		total += json_integer_value(json_object_get(t, "question_count"));
		if (strcmp(json_string_value(json_object_get(t, "slug")), "hemifacial-spasm") == 0)
			hfs = json_integer_value(json_object_get(t, "question_count"));
	}
	json_decref(j);
	int64_t ids[500];
	assert_true(total > 6);
	assert_int_equal(walk(c, "/api/v1/questions", 4, ids, 500), total);
	assert_int_equal(walk(c, "/api/v1/questions?topic=hemifacial-spasm", 2, ids, 500), hfs);
	assert_int_equal(walk(c, "/api/v1/topics/hemifacial-spasm/questions", 3, ids, 500), hfs);

	/* Newest first: the first item of a full listing is the newest. */
	j = call(c, "GET", "/api/v1/questions?limit=100", NULL, NULL, 200);
	json_t *d = json_object_get(j, "data");
	for (size_t k = 1; k < json_array_size(d); k++)
		assert_true(strcmp(json_string_value(json_object_get(json_array_get(d, k - 1), "created_at")),
		                   json_string_value(json_object_get(json_array_get(d, k), "created_at"))) >= 0);
	/* A question with answers pages through them one by one. */
	int64_t qid = 0, acount = 0;
	for (size_t k = 0; k < json_array_size(d) && !qid; k++) {
		json_t *q = json_array_get(d, k);
		if (json_integer_value(json_object_get(q, "answer_count")) >= 2) {
			qid = json_integer_value(json_object_get(q, "id"));
			acount = json_integer_value(json_object_get(q, "answer_count"));
		}
	}
	json_decref(j);
	assert_true(qid > 0);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/questions/%lld/answers", (long long)qid);
	assert_int_equal(walk(c, path, 1, ids, 500), acount);

	is_error(call(c, "GET", "/api/v1/questions?cursor=!!notacursor", NULL, NULL, 400), "bad_cursor", "cursor");
	is_error(call(c, "GET", "/api/v1/questions?limit=0", NULL, NULL, 400), "bad_limit", "limit");
	is_error(call(c, "GET", "/api/v1/questions?limit=101", NULL, NULL, 400), "bad_limit", "limit");
	is_error(call(c, "GET", "/api/v1/questions?topic=nope", NULL, NULL, 404), "no_such_topic", "topic");
	is_error(call(c, "GET", "/api/v1/topics/nope/questions", NULL, NULL, 404), "no_such_topic", NULL);
	client_free(c);
}

static void test_auth(void **state)
{
	client *c = client_new(&S);
	is_error(call(c, "GET", "/api/v1/me", NULL, NULL, 401), "auth_required", NULL);
	is_error(call(c, "GET", "/api/v1/me", "cc_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 401), "bad_token",
	         NULL);
	const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
	resp *r = http_request(c, "GET", "/api/v1/me", NULL, NULL, 0, basic);
	assert_int_equal(r->status, 401);
	char *www = header_of(r, "WWW-Authenticate");
	assert_non_null(www);
	free(www);

	json_t *j = call(c, "GET", "/api/v1/me", read_tok, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "tom_h");
	assert_string_equal(json_string_value(json_object_get(j, "role")), "member");
	json_decref(j);
	j = call(c, "GET", "/api/v1/me", write_tok, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "zoe_m");
	json_decref(j);

	const char *q = "{\"title\":\"Is a read token able to post?\",\"body\":\"This should be refused because the token only reads.\"}";
	is_error(call(c, "POST", "/api/v1/topics/hemifacial-spasm/questions", read_tok, q, 403), "insufficient_scope", NULL);
	is_error(call(c, "POST", "/api/v1/topics/hemifacial-spasm/questions", NULL, q, 401), "token_required", NULL);
	is_error(call(c, "POST", "/api/v1/questions/1/answers", NULL, "{\"body\":\"guest answer\"}", 401), "token_required",
	         NULL);

	/* A signed-in browser session reads /me but cannot write without a token (no CSRF hole). */
	client *b = client_new(&S);
	assert_int_equal(login_as(b, "aisha_k", PW), 0);
	j = call(b, "GET", "/api/v1/me", NULL, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "aisha_k");
	json_decref(j);
	is_error(call(b, "POST", "/api/v1/topics/hemifacial-spasm/questions", NULL, q, 401), "token_required", NULL);
	client_free(b);
	client_free(c);
}

static void test_write_flow(void **state)
{
	client *c = client_new(&S);
	const char *path = "/api/v1/topics/hemifacial-spasm/questions";
	/* Validation errors name the field and say what is wrong, as on the ask form. */
	json_t *j = call(c, "POST", path, write_tok, "{\"title\":\"Short\",\"body\":\"tiny\"}", 422);
	json_t *errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "field")), "body");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "at least 10"));
	is_error(j, "invalid", "title");
	is_error(call(c, "POST", path, write_tok, "{\"title\":42,\"body\":\"x\"}", 422), "invalid", "title");
	is_error(call(c, "POST", path, write_tok, "{\"title\": \"unterminated", 400), "bad_json", NULL);
	is_error(call(c, "POST", path, write_tok, "[1,2]", 400), "bad_json", NULL);
	is_error(call(c, "POST", path, write_tok, "{\"title\":\"Valid title for a question\",\"body\":\"A valid body that is long enough.\",\"anonymous\":\"yes\"}", 422),
	         "invalid", "anonymous");
	char big[21000 + 64];
	int n = snprintf(big, sizeof big, "{\"title\":\"A question with a huge body\",\"body\":\"");
	memset(big + n, 'a', 20001);
	snprintf(big + n + 20001, sizeof big - (size_t)n - 20001, "\"}");
	is_error(call(c, "POST", path, write_tok, big, 422), "invalid", "body");
	char auth[128];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", write_tok);
	const char *h[] = {auth, NULL};
	resp *r = http_request(c, "POST", path, "application/x-www-form-urlencoded", "title=x", 7, h);
	assert_int_equal(r->status, 415);

	j = call(c, "POST", path, write_tok,
	         "{\"title\":\"Does the spasm ease with botulinum injections?\",\"body\":\"My neurologist suggested "
	         "injections every **three months**. How did they work for you?\"}",
	         201);
	int64_t qid = json_integer_value(json_object_get(j, "id"));
	assert_true(qid > 0);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	assert_null(json_object_get(j, "help_url"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "author"), "username")), "zoe_m");
	assert_non_null(strstr(json_string_value(json_object_get(j, "body_html")), "<strong>three months</strong>"));
	json_decref(j);
	assert_non_null(strstr(http_request(c, "GET", "/", NULL, NULL, 0, NULL)->body, "botulinum"));

	char qpath[128], apath[128];
	snprintf(qpath, sizeof qpath, "/api/v1/questions/%lld", (long long)qid);
	snprintf(apath, sizeof apath, "/api/v1/questions/%lld/answers", (long long)qid);
	j = call(c, "GET", qpath, NULL, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Does the spasm ease with botulinum injections?");
	assert_int_equal(json_integer_value(json_object_get(j, "answer_count")), 0);
	json_decref(j);
	/* The new question is first in its topic's list. */
	j = call(c, "GET", "/api/v1/topics/hemifacial-spasm/questions?limit=1", NULL, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "data"), 0), "id")), qid);
	json_decref(j);

	/* Anonymous questions never reveal the member. */
	j = call(c, "POST", path, write_tok,
	         "{\"title\":\"A private worry about my eyelid\",\"body\":\"Something I would rather ask without my name.\","
	         "\"anonymous\":true}",
	         201);
	json_t *au = json_object_get(j, "author");
	assert_true(json_is_null(json_object_get(au, "username")));
	assert_true(json_is_true(json_object_get(au, "anonymous")));
	char *dump = json_dumps(j, 0);
	assert_null(strstr(dump, "zoe_m"));
	free(dump);
	json_decref(j);

	is_error(call(c, "POST", apath, write_tok, "{\"body\":\"x\"}", 422), "invalid", "body");
	is_error(call(c, "POST", "/api/v1/questions/999999/answers", write_tok, "{\"body\":\"Hello there\"}", 404),
	         "no_such_question", NULL);
	j = call(c, "POST", apath, write_tok, "{\"body\":\"They helped me for about ten weeks each time.\"}", 201);
	assert_int_equal(json_integer_value(json_object_get(j, "question_id")), qid);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	json_decref(j);
	j = call(c, "GET", apath, NULL, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "data")), 1);
	json_decref(j);
	j = call(c, "GET", qpath, NULL, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "answer_count")), 1);
	json_decref(j);
	is_error(call(c, "GET", "/api/v1/questions/999999", NULL, NULL, 404), "no_such_question", NULL);
	is_error(call(c, "GET", "/api/v1/questions/abc", NULL, NULL, 404), "no_such_question", NULL);
	client_free(c);
}

static void test_search(void **state)
{
	client *c = client_new(&S);
	json_t *j = call(c, "GET", "/api/v1/search?q=twitching&limit=2", NULL, NULL, 200);
	int64_t total = json_integer_value(json_object_get(j, "total"));
	assert_true(total >= 1);
	json_t *d = json_object_get(j, "data");
	assert_true(json_array_size(d) >= 1);
	assert_null(strchr(json_string_value(json_object_get(json_array_get(d, 0), "snippet")), '\x01'));
	json_decref(j);
	int64_t ids[200];
	assert_int_equal(walk(c, "/api/v1/search?q=twitching", 1, ids, 200), total);
	is_error(call(c, "GET", "/api/v1/search", NULL, NULL, 400), "missing_query", "q");
	is_error(call(c, "GET", "/api/v1/search?q=%20%20", NULL, NULL, 400), "missing_query", "q");
	client_free(c);
}

static void test_revoke(void **state)
{
	char tok[64];
	make_token("bernard", "short-lived", "read", tok, sizeof tok);
	client *c = client_new(&S);
	json_decref(call(c, "GET", "/api/v1/me", tok, NULL, 200));
	client *b = client_new(&S);
	assert_int_equal(login_as(b, "bernard", PW), 0);
	resp *r = http_get(b, "/account/tokens");
	assert_true(has(r, "short-lived"));
	assert_true(has(r, "cc_"));
	assert_false(has(r, tok)); /* only the prefix is ever shown again */
	char *csrf = csrf_of(r);
	const char *idp = strstr(r->body, "name=\"id\" value=\"");
	assert_non_null(idp);
	char id[24];
	idp += strlen("name=\"id\" value=\"");
	snprintf(id, sizeof id, "%.*s", (int)strcspn(idp, "\""), idp);
	char *body = form("csrf", csrf, "action", "revoke", "id", id, NULL);
	r = http_post(b, "/account/tokens", body);
	assert_int_equal(r->status, 303);
	is_error(call(c, "GET", "/api/v1/me", tok, NULL, 401), "bad_token", NULL);
	/* The form checks names. */
	r = http_get(b, "/account/tokens");
	free(csrf);
	csrf = csrf_of(r);
	free(body);
	body = form("csrf", csrf, "action", "create", "name", "", "scope", "read", NULL);
	r = http_post(b, "/account/tokens", body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Enter Name"));
	free(csrf);
	free(body);
	client_free(b);
	client_free(c);
}

static void test_rate_limit(void **state)
{
	char tok[64];
	make_token("lina_p", "busy script", "write", tok, sizeof tok);
	client *c = client_new(&S);
	json_t *j = call(c, "POST", "/api/v1/topics/asthma/questions", tok,
	                 "{\"title\":\"Does cold air set off my wheeze?\",\"body\":\"Every winter morning my chest gets tight outside.\"}",
	                 201);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/questions/%lld/answers", (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	for (int i = 1; i < 60; i++)
		json_decref(call(c, "POST", path, tok, "{\"body\":\"A scarf over the mouth helps me.\"}", 201));
	is_error(call(c, "POST", path, tok, "{\"body\":\"One too many.\"}", 429), "rate_limited", NULL);
	/* Reading is not limited. */
	json_decref(call(c, "GET", path, tok, NULL, 200));
	client_free(c);
}

/* The forms' hourly limit (--rate-member-posts) counts API posts too: 429 with the form's
 * message and Retry-After until the hour's window ends. */
static void test_form_rate_limit(void **state)
{
	srv T;
	assert_int_equal(srv_start(&T, "--rate-member-posts=3"), 0);
	assert_int_equal(srv_demo(&T), 0);
	char tok[64];
	make_token_on(&T, "lina_p", "hourly script", "write", tok, sizeof tok);
	client *c = client_new(&T);
	json_t *j = call(c, "POST", "/api/v1/topics/asthma/questions", tok,
	                 "{\"title\":\"Does damp weather set off my wheeze?\",\"body\":\"Rainy weeks are the worst for my chest.\"}",
	                 201);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/questions/%lld/answers", (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	for (int i = 1; i < 3; i++)
		json_decref(call(c, "POST", path, tok, "{\"body\":\"A dehumidifier helps me.\"}", 201));
	char auth[128];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	const char *h[] = {auth, NULL};
	const char *one_more = "{\"body\":\"One post too many.\"}";
	resp *r = http_request(c, "POST", path, "application/json", one_more, strlen(one_more), h);
	assert_int_equal(r->status, 429);
	assert_non_null(strstr(r->body, "You have posted 3 times in the last hour"));
	char *ra = header_of(r, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 3600);
	free(ra);
	is_error(call(c, "POST", "/api/v1/topics/asthma/questions", tok,
	              "{\"title\":\"And one more question today\",\"body\":\"This one is over the hourly limit.\"}", 429),
	         "rate_limited", NULL);
	client_free(c);
	assert_int_equal(srv_stop(&T), 0);
}

/* Posts a question through the ask form as c (signed in), solving its CAPTCHA. */
static resp *ask_form(client *c, const char *topic, const char *title, const char *body)
{
	char path[128];
	snprintf(path, sizeof path, "/%s/ask", topic);
	resp *r = http_get(c, path);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "title", title, "body", body, "action", "post", NULL);
	r = post_solving(c, &S, r, path, f);
	free(tok);
	free(f);
	return r;
}

static const char *error_message(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "message"));
}

/* What the forms refuse, the API refuses with the same words; what they hold, it holds. */
static void test_posts_pass_safety_checks(void **state)
{
	client *nc = client_new(&S);
	assert_int_equal(signup(nc, &S, "new_to_api", "new_to_api@example.org", PW), 0);
	char new_tok[64];
	make_token("new_to_api", "first script", "write", new_tok, sizeof new_tok);
	client *c = client_new(&S);
	const char *path = "/api/v1/topics/hypertension/questions";

	/* Too many links from a new member: the ask form refuses it, and so does the API, with
	 * the form's message on the body field. */
	const char *links_msg = "Guests and new members can include at most 2 links (this has 3).";
	resp *r = ask_form(nc, "hypertension", "Which of these blood pressure monitors is best?",
	                   "Compare https://a.example.org/x https://b.example.org/y https://c.example.org/z please.");
	assert_int_equal(r->status, 422);
	assert_true(has(r, links_msg));
	json_t *j = call(c, "POST", path, new_tok,
	                 "{\"title\":\"Which of these blood pressure monitors is best?\",\"body\":\"Compare "
	                 "https://a.example.org/x https://b.example.org/y https://c.example.org/z please.\"}",
	                 422);
	assert_non_null(strstr(error_message(j), links_msg));
	assert_true(has(r, error_message(j))); /* word for word the form's message */
	is_error(j, "refused", "body");
	j = call(c, "GET", "/api/v1/topics/hypertension/questions?limit=5", NULL, NULL, 200);
	char *dump = json_dumps(j, 0);
	assert_null(strstr(dump, "monitors is best"));
	free(dump);
	json_decref(j);

	/* Personal details: confirmed with "pii_ok": true, as with the form's tick box. */
#define PII_POST "{\"title\":\"Anyone near Leeds for a pressure group?\",\"body\":\"Email me at " \
                 "walker@example.org or call 0113 496 0000 to join.\"%s}"
	char buf[512];
	snprintf(buf, sizeof buf, PII_POST, "");
	j = call(c, "POST", path, new_tok, buf, 422);
	assert_non_null(strstr(error_message(j), "an email address and a phone number"));
	is_error(j, "personal_details", "pii_ok");
	snprintf(buf, sizeof buf, PII_POST, ",\"pii_ok\":\"yes\"");
	is_error(call(c, "POST", path, new_tok, buf, 422), "invalid", "pii_ok");
	snprintf(buf, sizeof buf, PII_POST, ",\"pii_ok\":true");
	j = call(c, "POST", path, new_tok, buf, 201);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	json_decref(j);

	/* Spam the form holds: stored held, 202 with status "held", not readable by guests. */
	j = call(c, "POST", path, write_tok,
	         "{\"title\":\"A miracle cure for high blood pressure\",\"body\":\"This miracle cure lowers "
	         "pressure in days. Buy now while stocks last!\"}",
	         202);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "held");
	int64_t held_q = json_integer_value(json_object_get(j, "id"));
	assert_true(held_q > 0);
	json_decref(j);
	char qpath[128];
	snprintf(qpath, sizeof qpath, "/api/v1/questions/%lld", (long long)held_q);
	is_error(call(c, "GET", qpath, NULL, NULL, 404), "no_such_question", NULL);
	r = http_get(c, "/hypertension");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "A miracle cure for high blood pressure"));
	/* Moderators find it in their queue. */
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", PW), 0);
	r = http_get(m, "/mod");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "A miracle cure for high blood pressure"));
	assert_true(has(r, "blocked phrase"));

	/* An ordinary question still goes straight up. */
	j = call(c, "POST", path, write_tok,
	         "{\"title\":\"Home readings higher in the evening?\",\"body\":\"My evening readings are ten points "
	         "above the morning ones. Is that usual?\"}",
	         201);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	int64_t qid = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	char apath[128];
	snprintf(apath, sizeof apath, "/api/v1/questions/%lld/answers", (long long)qid);

	/* Answers: the same refusal, hold and ordinary case. */
	j = call(c, "POST", apath, new_tok,
	         "{\"body\":\"See https://a.example.org/x https://b.example.org/y https://c.example.org/z\"}", 422);
	assert_non_null(strstr(error_message(j), links_msg));
	is_error(j, "refused", "body");
	j = call(c, "POST", apath, write_tok, "{\"body\":\"Try this miracle cure, it works in days. Buy now!\"}", 202);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "held");
	json_decref(j);
	j = call(c, "POST", apath, write_tok, "{\"body\":\"Mine are higher in the evening too; my nurse said that is common.\"}",
	         201);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	json_decref(j);
	j = call(c, "GET", apath, NULL, NULL, 200);
	json_t *data = json_object_get(j, "data");
	assert_int_equal(json_array_size(data), 1);
	assert_null(strstr(json_string_value(json_object_get(json_array_get(data, 0), "body_markdown")), "miracle"));
	json_decref(j);
	r = http_get(m, "/mod");
	assert_true(has(r, "Try this miracle cure"));

	/* Crisis language: published as with the form, and the reply points to urgent help. */
	j = call(c, "POST", "/api/v1/topics/migraine/questions", write_tok,
	         "{\"title\":\"Nine days of pain and I want to end my life\",\"body\":\"The migraine has not stopped "
	         "for nine days and I feel I want to die.\"}",
	         201);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "published");
	assert_non_null(strstr(json_string_value(json_object_get(j, "help_url")), "/help/urgent"));
	json_decref(j);
	r = http_get(m, "/mod");
	assert_true(has(r, "Crisis language"));
	assert_true(has(r, "Nine days of pain"));
	client_free(m);
	client_free(c);
	client_free(nc);
}

/* GET path twice: the second time with the ETag in If-None-Match gives 304 and no body. */
static void etag_roundtrip(client *c, const char *path, const char *token)
{
	char auth[128];
	const char *h1[] = {NULL, NULL, NULL};
	int k = 0;
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h1[k++] = auth;
	}
	resp *r = http_request(c, "GET", path, NULL, NULL, 0, h1);
	assert_int_equal(r->status, 200);
	char *etag = header_of(r, "ETag");
	assert_non_null(etag);
	char inm[160];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	h1[k] = inm;
	r = http_request(c, "GET", path, NULL, NULL, 0, h1);
	assert_int_equal(r->status, 304);
	assert_int_equal(r->len, 0);
	free(etag);
}

static void test_articles(void **state)
{
	client *c = client_new(&S);
	const char *list = "/api/v1/topics/hemifacial-spasm/articles";
	json_t *j = call(c, "GET", list, NULL, NULL, 200);
	json_t *first = json_array_get(json_object_get(j, "data"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "slug")), "hemifacial-spasm-causes-and-course");
	assert_null(json_object_get(first, "body_markdown")); /* lists carry summaries */
	size_t count = json_array_size(json_object_get(j, "data"));
	assert_true(count >= 2);
	json_decref(j);
	int64_t ids[100];
	assert_int_equal(walk(c, list, 1, ids, 100), count);
	etag_roundtrip(c, list, NULL);
	is_error(call(c, "GET", "/api/v1/topics/hemifacial-spasm/articles?cursor=MS4w", NULL, NULL, 400), "bad_cursor",
	         "cursor");
	is_error(call(c, "GET", "/api/v1/topics/nope/articles", NULL, NULL, 404), "no_such_topic", NULL);

	const char *one = "/api/v1/topics/hemifacial-spasm/articles/hemifacial-spasm-causes-and-course";
	j = call(c, "GET", one, NULL, NULL, 200);
	assert_non_null(strstr(json_string_value(json_object_get(j, "body_html")), "<h2>"));
	assert_true(json_array_size(json_object_get(j, "sources")) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "reviewed_by"), "username")), "jose_rn");
	json_decref(j);
	etag_roundtrip(c, one, NULL);
	is_error(call(c, "GET", "/api/v1/topics/hemifacial-spasm/articles/no-such", NULL, NULL, 404), "no_such_article",
	         NULL);

	/* Writing: a guide's write token; members, read tokens and no token are refused. */
	const char *good = "{\"title\":\"Keeping a spasm diary\",\"summary\":\"What to note down before an appointment.\","
	                   "\"body\":\"Write down **when** the spasms come, what you were doing, and how long they lasted. "
	                   "Bring the diary to your appointment.\",\"reviewed\":true,"
	                   "\"sources\":[{\"title\":\"NINDS\",\"url\":\"https://www.ninds.nih.gov/\"}]}";
	is_error(call(c, "POST", list, NULL, good, 401), "token_required", NULL);
	is_error(call(c, "POST", list, read_tok, good, 403), "insufficient_scope", NULL);
	is_error(call(c, "POST", list, write_tok, good, 403), "guide_required", NULL);
	j = call(c, "POST", list, guide_tok, "{\"title\":\"Tiny\",\"body\":\"too short\"}", 422);
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 2);
	is_error(j, "invalid", "title");
	is_error(call(c, "POST", list, guide_tok,
	              "{\"title\":\"A title long enough\",\"body\":\"A body that is long enough to pass the fifty character "
	              "minimum.\",\"sources\":[{\"url\":\"javascript:alert(1)\"}]}",
	              422),
	         "invalid", "sources");
	is_error(call(c, "POST", list, guide_tok,
	              "{\"title\":\"A title long enough\",\"slug\":\"Bad Slug!\",\"body\":\"A body that is long enough to pass "
	              "the fifty character minimum.\"}",
	              422),
	         "invalid", "slug");
	is_error(call(c, "POST", list, guide_tok,
	              "{\"title\":\"A title long enough\",\"body\":\"A body that is long enough to pass the fifty character "
	              "minimum.\",\"reviewed\":\"yes\"}",
	              422),
	         "invalid", "reviewed");
	j = call(c, "POST", list, guide_tok, good, 201);
	assert_string_equal(json_string_value(json_object_get(j, "slug")), "keeping-a-spasm-diary");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "author"), "username")), "helen_writes");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "reviewed_by"), "username")),
	                    "helen_writes");
	assert_non_null(strstr(json_string_value(json_object_get(j, "body_html")), "<strong>when</strong>"));
	assert_int_equal(json_array_size(json_object_get(j, "sources")), 1);
	json_decref(j);
	is_error(call(c, "POST", list, guide_tok, good, 409), "slug_taken", "slug");
	/* The page shows it too. */
	resp *r = http_get(c, "/hemifacial-spasm/content/keeping-a-spasm-diary");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Keeping a spasm diary"));

	/* PATCH changes what it names and keeps the rest (sources and review too). */
	const char *mine = "/api/v1/topics/hemifacial-spasm/articles/keeping-a-spasm-diary";
	j = call(c, "PATCH", mine, guide_tok, "{\"summary\":\"Notes that help your neurologist.\"}", 200);
	assert_string_equal(json_string_value(json_object_get(j, "summary")), "Notes that help your neurologist.");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Keeping a spasm diary");
	assert_int_equal(json_array_size(json_object_get(j, "sources")), 1);
	assert_false(json_is_null(json_object_get(j, "reviewed_by")));
	json_decref(j);
	is_error(call(c, "PATCH", mine, guide_tok, "{\"slug\":\"another\"}", 422), "invalid", "slug");
	is_error(call(c, "PATCH", mine, guide_tok, "{\"body\":\"short\"}", 422), "invalid", "body");
	is_error(call(c, "PATCH", mine, write_tok, "{\"summary\":\"x\"}", 403), "guide_required", NULL);
	is_error(call(c, "PATCH", "/api/v1/topics/hemifacial-spasm/articles/nope", guide_tok, "{}", 404), "no_such_article",
	         NULL);
	client_free(c);
}

/* The id of the first question with at least one answer, and that answer's id. */
static int64_t answered_question(client *c, int64_t *aid)
{
	json_t *j = call(c, "GET", "/api/v1/questions?limit=100", NULL, NULL, 200);
	int64_t qid = 0;
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(j, "data"), i, q) if (!qid && json_integer_value(json_object_get(q, "answer_count")) > 0)
		qid = json_integer_value(json_object_get(q, "id"));
	json_decref(j);
	assert_true(qid > 0);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/questions/%lld/answers?limit=1", (long long)qid);
	j = call(c, "GET", path, NULL, NULL, 200);
	*aid = json_integer_value(json_object_get(json_array_get(json_object_get(j, "data"), 0), "id"));
	json_decref(j);
	return qid;
}

static void test_ratings(void **state)
{
	client *c = client_new(&S);
	int64_t aid, qid = answered_question(c, &aid);
	char qp[128], ap[128];
	snprintf(qp, sizeof qp, "/api/v1/questions/%lld/rating", (long long)qid);
	snprintf(ap, sizeof ap, "/api/v1/answers/%lld/rating", (long long)aid);
	json_t *j = call(c, "GET", qp, NULL, NULL, 200);
	int64_t before = json_integer_value(json_object_get(j, "count"));
	assert_string_equal(json_string_value(json_object_get(j, "post_type")), "question");
	assert_true(json_is_null(json_object_get(j, "mine")));
	json_decref(j);
	etag_roundtrip(c, qp, NULL);

	is_error(call(c, "POST", qp, NULL, "{\"stars\":4}", 401), "token_required", NULL);
	is_error(call(c, "POST", qp, read_tok, "{\"stars\":4}", 403), "insufficient_scope", NULL);
	is_error(call(c, "POST", qp, write_tok, "{\"stars\":9}", 422), "invalid", "stars");
	is_error(call(c, "POST", qp, write_tok, "{\"stars\":2.5}", 422), "invalid", "stars");
	is_error(call(c, "POST", qp, write_tok, "{}", 422), "invalid", "stars");
	j = call(c, "POST", qp, write_tok, "{\"stars\":4}", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), before + 1);
	assert_int_equal(json_integer_value(json_object_get(j, "mine")), 4);
	json_decref(j);
	/* Rating again replaces the rating. */
	j = call(c, "POST", qp, write_tok, "{\"stars\":2}", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), before + 1);
	assert_int_equal(json_integer_value(json_object_get(j, "mine")), 2);
	json_decref(j);
	j = call(c, "GET", qp, write_tok, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "mine")), 2);
	json_decref(j);

	j = call(c, "POST", ap, write_tok, "{\"stars\":5}", 200);
	assert_string_equal(json_string_value(json_object_get(j, "post_type")), "answer");
	assert_int_equal(json_integer_value(json_object_get(j, "post_id")), aid);
	assert_true(json_number_value(json_object_get(j, "average")) >= 1.0);
	json_decref(j);
	j = call(c, "POST", ap, guide_tok, "{\"stars\":\"3\"}", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "mine")), 3);
	json_decref(j);
	etag_roundtrip(c, ap, NULL);
	is_error(call(c, "GET", "/api/v1/answers/999999/rating", NULL, NULL, 404), "no_such_answer", NULL);
	is_error(call(c, "POST", "/api/v1/questions/999999/rating", write_tok, "{\"stars\":3}", 404), "no_such_question",
	         NULL);
	client_free(c);
}

static void test_subscriptions(void **state)
{
	client *c = client_new(&S);
	const char *p = "/api/v1/subscriptions";
	is_error(call(c, "GET", p, NULL, NULL, 401), "auth_required", NULL);
	is_error(call(c, "POST", p, NULL, "{\"topic\":\"asthma\"}", 401), "token_required", NULL);
	is_error(call(c, "POST", p, read_tok, "{\"topic\":\"asthma\"}", 403), "insufficient_scope", NULL);
	is_error(call(c, "POST", p, write_tok, "{}", 422), "invalid", NULL);
	is_error(call(c, "POST", p, write_tok, "{\"topic\":\"nope\"}", 422), "invalid", "topic");
	is_error(call(c, "POST", p, write_tok, "{\"topic\":\"asthma\",\"mode\":\"weekly\"}", 422), "invalid", "mode");
	is_error(call(c, "POST", p, write_tok, "{\"question_id\":999999}", 422), "invalid", "question_id");

	json_t *j = call(c, "POST", p, write_tok, "{\"topic\":\"asthma\",\"mode\":\"daily\"}", 201);
	int64_t tid = json_integer_value(json_object_get(j, "id"));
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "topic");
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "daily");
	assert_true(json_is_boolean(json_object_get(j, "confirmed")));
	json_decref(j);
	j = call(c, "POST", p, write_tok, "{\"topic\":\"asthma\",\"mode\":\"daily\"}", 200); /* again: the same one */
	assert_int_equal(json_integer_value(json_object_get(j, "id")), tid);
	json_decref(j);
	int64_t aid, qid = answered_question(c, &aid);
	char body[64];
	snprintf(body, sizeof body, "{\"question_id\":%lld}", (long long)qid);
	j = call(c, "POST", p, write_tok, body, 201);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "question");
	json_decref(j);

	int64_t ids[50];
	int n = walk_tok(c, p, write_tok, 1, ids, 50);
	assert_true(n >= 2);
	etag_roundtrip(c, p, write_tok);
	/* Each person sees only their own. */
	j = call(c, "GET", p, read_tok, NULL, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(j, "data"), i, it) assert_true(json_integer_value(json_object_get(it, "id")) != tid);
	json_decref(j);
	char one[96];
	snprintf(one, sizeof one, "/api/v1/subscriptions/%lld", (long long)tid);
	json_decref(call(c, "GET", one, write_tok, NULL, 200));
	is_error(call(c, "GET", one, read_tok, NULL, 404), "no_such_subscription", NULL);
	is_error(call(c, "DELETE", one, read_tok, NULL, 403), "insufficient_scope", NULL);
	is_error(call(c, "DELETE", one, guide_tok, NULL, 404), "no_such_subscription", NULL);
	j = call(c, "DELETE", one, write_tok, NULL, 200);
	assert_true(json_is_true(json_object_get(j, "deleted")));
	json_decref(j);
	is_error(call(c, "DELETE", one, write_tok, NULL, 404), "no_such_subscription", NULL);
	resp *r = http_request(c, "POST", one, "application/json", "{}", 2, NULL);
	assert_int_equal(r->status, 405);
	char *allow = header_of(r, "Allow");
	assert_non_null(allow);
	assert_non_null(strstr(allow, "DELETE"));
	free(allow);
	assert_int_equal(walk_tok(c, p, write_tok, 10, ids, 50), n - 1);
	client_free(c);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics_and_etag), cmocka_unit_test(test_pagination), cmocka_unit_test(test_auth),
		cmocka_unit_test(test_write_flow),      cmocka_unit_test(test_search),     cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_rate_limit),      cmocka_unit_test(test_articles),   cmocka_unit_test(test_ratings),
		cmocka_unit_test(test_subscriptions),   cmocka_unit_test(test_posts_pass_safety_checks),
		cmocka_unit_test(test_form_rate_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
