/* test_security.c: the core's security promises, each tried as an attacker would: security
 * headers on every kind of page, an XSS sweep through every field a guest can fill, unsafe
 * markdown links, CSRF tokens bound to the session, cookie flags, session rotation and
 * logout, argon2id hashes and hashed session tokens at rest (SQLite run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "captcha_answer.h"
#include "harness.h"

static srv S;

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

static void assert_headers(const resp *r)
{
	static const char *const want[][2] = {
		{"Content-Security-Policy", "default-src 'self'; script-src 'self'"},
		{"Content-Security-Policy", "frame-ancestors 'none'"},
		{"Content-Security-Policy", "object-src 'none'"},
		{"Content-Security-Policy", "form-action 'self'"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "same-origin"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *v = header_of(r, want[i][0]);
		if (!v || !strstr(v, want[i][1]))
			fprintf(stderr, "missing %s: %s (got %s)\n", want[i][0], want[i][1], v ? v : "none");
		assert_non_null(v);
		assert_non_null(strstr(v, want[i][1]));
		free(v);
	}
	/* No inline script anywhere: every script is a file from this site. */
	assert_false(has(r, "<script>"));
	assert_false(has(r, "javascript:"));
}

static void test_security_headers_everywhere(void **state)
{
	client *c = client_new(&S);
	static const char *const paths[] = {"/",
	                                    "/hemifacial-spasm",
	                                    "/hemifacial-spasm/ask",
	                                    "/login",
	                                    "/register",
	                                    "/search?q=twitch",
	                                    "/privacy",
	                                    "/u/helen_writes",
	                                    "/no-such-page",
	                                    "/hemifacial-spasm?page=abc"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		resp *r = http_get(c, paths[i]);
		assert_true(r->status == 200 || r->status == 404 || r->status == 400);
		assert_headers(r);
	}
	/* Error pages the server makes before routing carry them too. */
	resp *r = http_request(c, "POST", "/login", "multipart/form-data; boundary=x", "junk", 4, NULL);
	assert_int_equal(r->status, 400);
	assert_headers(r);
	client_free(c);
}

#define XSS "<script>alert(1)</script>'\"&"
#define XSS_ESC "&lt;script&gt;alert(1)&lt;/script&gt;&#39;&quot;&amp;"
#define IMG "\"><img src=x onerror=alert(2)>"

static void test_xss_sweep(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "title", "Zebra question " XSS, "body",
	                  "Details " XSS " and " IMG " and [click me](javascript:alert(3)) and "
	                  "<a href=\"javascript:alert(4)\">raw link</a> and ![i](javascript:alert(5)).",
	                  "guest_name", "Mallory " IMG, "action", "post", NULL);
	body = with_captcha(&S, r, body);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	free(body);
	assert_int_equal(r->status, 303);
	char *qurl = strdup(r->location);
	r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	/* An answer with the same payloads. */
	const char *idp = strstr(qurl, "/questions/") + strlen("/questions/");
	char apath[160];
	snprintf(apath, sizeof apath, "/hemifacial-spasm/questions/%ld/answers", strtol(idp, NULL, 10));
	free(tok);
	tok = csrf_of(r);
	body = with_captcha(&S, r, form("csrf", tok, "body", "Answer " XSS " " IMG, "guest_name", IMG, NULL));
	r = http_post(c, apath, body);
	free(body);
	free(tok);
	assert_int_equal(r->status, 303);
	/* Every page that shows them: the text is there, escaped, and never live. */
	static const char *const pages[] = {"", "/", "/hemifacial-spasm", "/search?q=zebra",
	                                    "/search?q=" "%3Cscript%3Ealert(1)%3C%2Fscript%3E"};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		r = http_get(c, i == 0 ? qurl : pages[i]);
		assert_int_equal(r->status, 200);
		assert_false(has(r, "<script>alert"));
		assert_false(has(r, "<img src=x"));
		assert_false(has(r, "href=\"javascript:"));
		assert_false(has(r, "src=\"javascript:"));
		if (i == 0) {
			assert_true(has(r, "Zebra question " XSS_ESC));
			assert_true(has(r, "&lt;a href=&quot;javascript:alert(4)&quot;&gt;raw link&lt;/a&gt;"));
			assert_true(has(r, "Mallory &quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
			assert_true(has(r, "click me"));
		}
	}
	free(qurl);
	client_free(c);
}

/* Logs in by hand and returns the new cc_sid token (caller frees), or NULL. */
static char *login_token(client *c, const char *user, const char *password)
{
	resp *r = http_get(c, "/login");
	if (r->status != 200) /* already signed in: a token from any form of this session */
		r = http_get(c, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "login", user, "password", password, NULL);
	r = http_post(c, "/login", body);
	free(body);
	free(tok);
	if (r->status != 303)
		return NULL;
	char *sc = header_of(r, "Set-Cookie");
	if (!sc)
		return NULL;
	assert_non_null(strstr(sc, "HttpOnly"));
	assert_non_null(strstr(sc, "SameSite=Lax"));
	assert_non_null(strstr(sc, "Path=/"));
	char *eq = strstr(sc, "cc_sid=");
	assert_non_null(eq);
	char *t = strndup(eq + 7, strcspn(eq + 7, ";"));
	free(sc);
	return t;
}

static char *db_text(const char *sql, const char *arg)
{
	sqlite3 *h;
	if (sqlite3_open_v2(S.db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_busy_timeout(h, 5000);
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			out = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return out;
}

static void test_sessions_and_csrf(void **state)
{
	client *c = client_new(&S);
	/* A guest's token does not work once signed in: tokens are bound to the session. */
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	char *guest_tok = csrf_of(r);
	char *t1 = login_token(c, "zoe_m", "demo-password-1");
	assert_non_null(t1);
	char *body = form("csrf", guest_tok, "title", "A question with the guest's token", "body",
	                  "This must not be accepted with a token from before the login.", "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	free(body);
	assert_int_equal(r->status, 403);
	assert_true(has(r, "security token"));
	/* No token at all on a form: refused, text kept. */
	body = form("title", "A question without any token", "body", "This must not be accepted without a token.",
	            "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	free(body);
	assert_int_equal(r->status, 403);
	assert_true(has(r, "This must not be accepted without a token."));
	/* Logging in again rotates the session: a new token, the old one no longer works. */
	char *t2 = login_token(c, "zoe_m", "demo-password-1");
	assert_non_null(t2);
	assert_string_not_equal(t1, t2);
	client *old = client_new(&S);
	char hdr[200];
	snprintf(hdr, sizeof hdr, "Cookie: cc_sid=%s", t1);
	const char *const h1[] = {hdr, NULL};
	r = http_request(old, "GET", "/account", NULL, NULL, 0, h1);
	assert_int_not_equal(r->status, 200); /* sent to the login page */
	/* The current token works, and is stored only as a hash. */
	snprintf(hdr, sizeof hdr, "Cookie: cc_sid=%s", t2);
	const char *const h2[] = {hdr, NULL};
	r = http_request(old, "GET", "/account", NULL, NULL, 0, h2);
	assert_int_equal(r->status, 200);
	if (!harness_pg()) {
		char *raw = db_text("SELECT count(*) FROM sessions WHERE token_hash = ?1 OR instr(token_hash, ?1) > 0", t2);
		assert_non_null(raw);
		assert_string_equal(raw, "0");
		free(raw);
		char *n = db_text("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?1",
		                  "zoe_m");
		assert_non_null(n);
		assert_string_equal(n, "1");
		free(n);
		/* argon2id with libsodium's interactive limits (64 MiB, 2 passes). */
		char *ph = db_text("SELECT pass_hash FROM users WHERE username = ?1", "zoe_m");
		assert_non_null(ph);
		assert_non_null(strstr(ph, "$argon2id$v=19$m=65536,t=2,p=1$"));
		free(ph);
	}
	/* Logging out ends the session on the server, not just in the browser. */
	r = http_get(c, "/account");
	char *tok = csrf_of(r);
	body = form("csrf", tok, NULL);
	r = http_post(c, "/logout", body);
	free(body);
	free(tok);
	assert_int_equal(r->status, 303);
	r = http_request(old, "GET", "/account", NULL, NULL, 0, h2);
	assert_int_not_equal(r->status, 200);
	/* A wrong password and an unknown name get the same answer. */
	resp *a = http_get(old, "/login");
	tok = csrf_of(a);
	body = form("csrf", tok, "login", "zoe_m", "password", "not-her-password", NULL);
	r = http_post(old, "/login", body);
	free(body);
	long st1 = r->status;
	char *m1 = strdup(strstr(r->body, "<main") ? strstr(r->body, "<main") : r->body);
	body = form("csrf", tok, "login", "nobody_here_at_all", "password", "not-her-password", NULL);
	r = http_post(old, "/login", body);
	free(body);
	free(tok);
	assert_int_equal(r->status, st1);
	char *m2 = strstr(r->body, "<main") ? strstr(r->body, "<main") : r->body;
	/* Same page apart from the name typed back into the form and the fresh token. */
	assert_true(has(r, "nobody_here_at_all"));
	assert_int_equal(strlen(m1) - strlen("zoe_m"), strlen(m2) - strlen("nobody_here_at_all"));
	free(m1);
	free(guest_tok);
	free(t1);
	free(t2);
	client_free(old);
	client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security_headers_everywhere),
		cmocka_unit_test(test_xss_sweep),
		cmocka_unit_test(test_sessions_and_csrf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
