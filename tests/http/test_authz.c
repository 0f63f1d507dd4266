/* test_authz.c: one try per rule of docs/roles.md at an action the actor may not take, with
 * a valid CSRF token so that only the rule can refuse it: the answer must be a refusal (403,
 * 404 or, for a guest, the way to the login page) and nothing may change. The route gates are
 * tried for every gated route of the route table itself; the ownership rules (edit, accept,
 * helpful, tokens) and the API scopes one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"
#include "web/web.h"

static srv S;
static const char *PW = "demo-password-1";
static const char *TOPIC = "hemifacial-spasm";
static char qurl[256];     /* zoe_m's question */
static long qid, aid;      /* its id, and tom_h's answer to it */
static const char *QBODY = "The twitch started near my eye and now my cheek moves too. What helps?";
static const char *ABODY = "Mine was helped by injections every three months; ask your neurologist.";

static client *as(const char *who)
{
	client *c = client_new(&S);
	if (who)
		assert_int_equal(login_as(c, who, PW), 0);
	return c;
}

/* POSTs body (plus a fresh CSRF token from page) to path as c. */
static resp *post_as(client *c, const char *page, const char *path, const char *k1, const char *v1,
                     const char *k2, const char *v2, const char *k3, const char *v3)
{
	resp *r = http_get(c, page);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok ? tok : "", k1, v1, k2, v2, k3, v3, NULL);
	r = http_post(c, path, body);
	free(tok);
	free(body);
	return r;
}

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0 || srv_demo(&S) != 0)
		return -1;
	/* zoe_m asks, tom_h answers. */
	client *z = as("zoe_m");
	char ask[128];
	snprintf(ask, sizeof ask, "/%s/ask", TOPIC);
	resp *r = http_get(z, ask);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "title", "Does the twitch spread across the face over time?", "body", QBODY,
	                  "action", "post", NULL);
	r = post_solving(z, &S, r, ask, body);
	free(tok);
	free(body);
	if (r->status != 303)
		return -1;
	snprintf(qurl, sizeof qurl, "%s", r->location);
	qid = strtol(strstr(qurl, "/questions/") + 11, NULL, 10);
	client *t = as("tom_h");
	r = http_get(t, qurl);
	tok = csrf_of(r);
	char apath[128];
	snprintf(apath, sizeof apath, "/%s/questions/%ld/answers", TOPIC, qid);
	body = form("csrf", tok, "body", ABODY, NULL);
	r = post_solving(t, &S, r, apath, body);
	free(tok);
	free(body);
	if (r->status != 303 || !strstr(r->location, "#answer-"))
		return -1;
	aid = strtol(strstr(r->location, "#answer-") + 8, NULL, 10);
	client_free(z);
	client_free(t);
	return 0;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* A refusal: 403 or 404 for an account; for a guest also the redirect to /login. */
static void assert_refused(const resp *r, bool guest, const char *what)
{
	bool ok = r->status == 403 || r->status == 404 ||
	          (guest && r->status == 303 && r->location && strstr(r->location, "/login"));
	if (!ok)
		fprintf(stderr, "not refused: %s -> %ld %s\n", what, r->status, r->location ? r->location : "");
	assert_true(ok);
}

/* The question page as a guest sees it. */
static char *page_now(void)
{
	client *c = client_new(&S);
	resp *r = http_get(c, qurl);
	assert_int_equal(r->status, 200);
	char *b = strdup(r->body);
	client_free(c);
	return b;
}

/* A concrete path for a route pattern: {topic} is the test's topic, {id} and {aid} its
 * question and answer, any other capture a real name. The gate refuses before a handler
 * looks at them. */
static void fill(const char *pattern, char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = pattern; *p && o + 40 < n;) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		const char *e = strchr(p, '}');
		size_t k = (size_t)(e - p + 1);
		if (strncmp(p, "{topic}", k) == 0 || strncmp(p, "{slug}", k) == 0)
			o += (size_t)snprintf(out + o, n - o, "%s", TOPIC);
		else if (strncmp(p, "{id}", k) == 0)
			o += (size_t)snprintf(out + o, n - o, "%ld", qid);
		else if (strncmp(p, "{aid}", k) == 0)
			o += (size_t)snprintf(out + o, n - o, "%ld", aid);
		else
			o += (size_t)snprintf(out + o, n - o, "lina_p");
		p = e + 1;
	}
	out[o] = 0;
	if (strcmp(pattern, "/mod/act") == 0 || strcmp(pattern, "/mod/post") == 0)
		snprintf(out + o, n - o, "?type=answer&id=%ld", aid);
}

/* Every gated route of the route table (so a new one is tried without editing this test),
 * by each role below its gate: GET, and POST with a valid CSRF token and a harmful form. */
static void test_route_gates(void **state)
{
	static const char *const roles[] = {"guest", "member", "guide", "moderator", "admin"};
	static const char *const users[] = {NULL, "lina_p", "jose_rn", "priya", "admin"};
	int tried = 0;
	for (int u = 0; u < 4; u++) {
		client *c = as(users[u]);
		for (int i = 0; i < web_nroutes; i++) {
			const route *rt = &web_routes[i];
			unsigned f = rt->flags;
			int need = (f & R_ADMIN) ? 4 : (f & R_MOD) ? 3 : (f & R_GUIDE) ? 2 : (f & R_LOGIN) ? 1 : 0;
			if (u >= need)
				continue;
			char path[300], what[400];
			fill(rt->pattern, path, sizeof path);
			if (rt->methods & M_GET) {
				snprintf(what, sizeof what, "%s GET %s", roles[u], path);
				assert_refused(http_get(c, path), u == 0, what);
				tried++;
			}
			if (rt->methods & M_POST) {
				snprintf(what, sizeof what, "%s POST %s", roles[u], path);
				/* A form that would do harm if let through: make lina_p an admin, hide the
				 * answer, rename the topic. */
				resp *r = post_as(c, "/", path, "action", strncmp(path, "/mod/", 5) == 0 ? "hide" : "role", "role",
				                  "admin", "name", "Renamed by an intruder");
				assert_refused(r, u == 0, what);
				tried++;
			}
		}
		client_free(c);
	}
	assert_true(tried > 60);
	/* Nothing changed: lina_p is no admin, the topic keeps its name, the answer is not hidden. */
	char *p = page_now();
	assert_non_null(strstr(p, "injections every three months"));
	free(p);
	client *l = as("lina_p");
	assert_int_equal(http_get(l, "/admin")->status, 403);
	client_free(l);
	client *g = client_new(&S);
	resp *r = http_get(g, "/hemifacial-spasm");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "Renamed by an intruder"));
	client_free(g);
}

static void test_member_cannot_edit_others_posts(void **state)
{
	char qedit[160], aedit[200];
	snprintf(qedit, sizeof qedit, "/%s/questions/%ld/edit", TOPIC, qid);
	snprintf(aedit, sizeof aedit, "/%s/questions/%ld/answers/%ld/edit", TOPIC, qid, aid);
	/* Another member, and a guide (guides do not moderate), on the answer and the question. */
	static const char *const who[] = {"lina_p", "helen_writes", "zoe_m"};
	for (int i = 0; i < 3; i++) {
		client *c = as(who[i]);
		assert_refused(http_get(c, aedit), false, "GET answer edit");
		assert_refused(post_as(c, qurl, aedit, "body", "Replaced by someone who did not write it.", "note", "x",
		                       NULL, NULL),
		               false, "POST answer edit");
		if (strcmp(who[i], "zoe_m") != 0) {
			assert_refused(http_get(c, qedit), false, "GET question edit");
			assert_refused(post_as(c, qurl, qedit, "title", "A title put here by someone else entirely", "body",
			                       "Replaced by someone who did not write it at all.", NULL, NULL),
			               false, "POST question edit");
		}
		client_free(c);
	}
	/* A guest is sent to log in. */
	client *g = client_new(&S);
	assert_refused(post_as(g, qurl, aedit, "body", "Replaced by someone who did not write it.", NULL, NULL, NULL,
	                       NULL),
	               true, "guest POST answer edit");
	client_free(g);
	char *p = page_now();
	assert_non_null(strstr(p, "injections every three months"));
	assert_non_null(strstr(p, "started near my eye"));
	assert_null(strstr(p, "did not write it"));
	free(p);
}

static void test_only_asker_accepts_and_marks_helpful(void **state)
{
	char acc[160], help[200], aidbuf[32];
	snprintf(acc, sizeof acc, "/%s/questions/%ld/accept", TOPIC, qid);
	snprintf(help, sizeof help, "/%s/questions/%ld/answers/%ld/helpful", TOPIC, qid, aid);
	snprintf(aidbuf, sizeof aidbuf, "%ld", aid);
	/* The answer's own author, another member, a guide and a moderator may not accept. */
	static const char *const who[] = {"tom_h", "lina_p", "helen_writes", "priya"};
	for (int i = 0; i < 4; i++) {
		client *c = as(who[i]);
		assert_refused(post_as(c, qurl, acc, "answer", aidbuf, NULL, NULL, NULL, NULL), false, "accept");
		client_free(c);
	}
	client *g = client_new(&S);
	assert_refused(post_as(g, qurl, acc, "answer", aidbuf, NULL, NULL, NULL, NULL), true, "guest accept");
	/* Helpful: the asker or a guide; not another member, not a guest. */
	assert_refused(post_as(g, qurl, help, "helpful", "1", NULL, NULL, NULL, NULL), true, "guest helpful");
	client_free(g);
	client *l = as("lina_p");
	assert_refused(post_as(l, qurl, help, "helpful", "1", NULL, NULL, NULL, NULL), false, "member helpful");
	client_free(l);
	char *p = page_now();
	assert_null(strstr(p, "is-accepted"));
	assert_null(strstr(p, "Helped the asker"));
	free(p);
}

/* The token shown once after creating it on /account/tokens. Caller frees. */
static char *make_token(client *c, const char *scope)
{
	resp *r = post_as(c, "/account/tokens", "/account/tokens", "action", "create", "name", scope, "scope", scope);
	assert_int_equal(r->status, 200);
	const char *p = strstr(r->body, "<code id=\"new-token\">");
	assert_non_null(p);
	p += strlen("<code id=\"new-token\">");
	return strndup(p, strcspn(p, "<"));
}

static long api_post(const char *path, const char *token, const char *json)
{
	client *c = client_new(&S);
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
	const char *const h[] = {auth, NULL};
	long st = http_request(c, "POST", path, "application/json", json, strlen(json), token ? h : NULL)->status;
	client_free(c);
	return st;
}

static void test_api_write_needs_write_scope(void **state)
{
	client *l = as("lina_p");
	char *rt = make_token(l, "read");
	char qpath[128], apath[128];
	snprintf(qpath, sizeof qpath, "/api/v1/topics/%s/questions", TOPIC);
	snprintf(apath, sizeof apath, "/api/v1/questions/%ld/answers", qid);
	const char *q = "{\"title\":\"A question sent with a read-only token\",\"body\":\"This must not be "
	                "created: the token can only read.\"}";
	const char *a = "{\"body\":\"An answer sent with a read-only token must not appear.\"}";
	assert_int_equal(api_post(qpath, rt, q), 403);
	assert_int_equal(api_post(apath, rt, a), 403);
	/* A member's token with write scope still cannot write a guide article. */
	char *wt = make_token(l, "write");
	char artpath[128];
	snprintf(artpath, sizeof artpath, "/api/v1/topics/%s/articles", TOPIC);
	assert_int_equal(api_post(artpath, wt, "{\"title\":\"An article by a member who is no guide\",\"slug\":"
	                                      "\"member-article\",\"summary\":\"Not allowed.\",\"body\":\"A member "
	                                      "may not publish guide articles through the API.\"}"),
	                 403);
	client *anon = client_new(&S);
	char art[160];
	snprintf(art, sizeof art, "/%s/content/member-article", TOPIC);
	assert_int_equal(http_get(anon, art)->status, 404);
	client_free(anon);
	free(wt);
	/* No token at all, or a forged one. */
	assert_int_equal(api_post(qpath, NULL, q), 401);
	assert_int_equal(api_post(apath, "cc_notarealtokenatall", a), 401);
	/* A session cookie is not a way around it (the API writes only with a token). */
	resp *r = http_request(l, "POST", apath, "application/json", a, strlen(a), NULL);
	assert_true(r->status == 401 || r->status == 403);
	char *p = page_now();
	assert_null(strstr(p, "read-only token"));
	free(p);
	client *g = client_new(&S);
	r = http_get(g, "/search?q=read-only+token");
	assert_false(has(r, "sent with a read-only token"));
	client_free(g);
	/* Another member cannot revoke lina_p's token: it still reads afterwards. */
	client *z = as("zoe_m");
	for (int id = 1; id <= 20; id++) {
		char idb[16];
		snprintf(idb, sizeof idb, "%d", id);
		post_as(z, "/account/tokens", "/account/tokens", "action", "revoke", "id", idb, NULL, NULL);
	}
	client_free(z);
	client *c = client_new(&S);
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", rt);
	const char *const h[] = {auth, NULL};
	assert_int_equal(http_request(c, "GET", "/api/v1/me", NULL, NULL, 0, h)->status, 200);
	client_free(c);
	free(rt);
	client_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_gates),
		cmocka_unit_test(test_member_cannot_edit_others_posts),
		cmocka_unit_test(test_only_asker_accepts_and_marks_helpful),
		cmocka_unit_test(test_api_write_needs_write_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
