/* test_core_flows.c: the core user flows over real HTTP: guests ask and answer, members
 * register, log in, edit and keep drafts, guides answer with a badge, askers accept. */
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

/* Follows a 303 and returns the page it leads to. */
static resp *post_follow(client *c, const char *path, const char *body)
{
	resp *r = http_post(c, path, body);
	assert_int_equal(r->status, 303);
	return http_follow(c, r);
}

static void test_pages_answer(void **state)
{
	client *c = client_new(&S);
	static const char *const pages[][2] = {
		{"/", "Hemifacial Spasm"},
		{"/hemifacial-spasm", "Ask the Community"},
		{"/hemifacial-spasm/ask", "Ask the Community about Hemifacial Spasm"},
		{"/login", "Log in"},
		{"/register", "Join the community"},
		{"/terms", "Terms of use"},
		{"/privacy", "Privacy policy"},
		{"/disclaimer", "Medical disclaimer"},
		{"/u/helen_writes", "Health Writer"},
		{"/search?q=twitching", "results for"},
	};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		resp *r = http_get(c, pages[i][0]);
		assert_int_equal(r->status, 200);
		assert_true(has(r, pages[i][1]));
		assert_true(has(r, "not a substitute for advice from your own doctor"));
		char *csp = header_of(r, "Content-Security-Policy");
		assert_non_null(csp);
		assert_non_null(strstr(csp, "frame-ancestors 'none'"));
		free(csp);
	}
	client_free(c);
}

static void test_guest_asks_and_answers(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	assert_true(strlen(tok) > 20);
	assert_true(has(r, "accept the <a href=\"/terms\">terms of use</a>"));
	char *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	assert_true(strlen(ct) > 20); /* guests always get a CAPTCHA */
	char *body = form("csrf", tok, "title", "Does the twitch get worse when I am tired?", "body",
	                  "For two months my left cheek has twitched, more in the evenings. **Is fatigue** a trigger?",
	                  "guest_name", "Marta", "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/hemifacial-spasm/questions/"));
	assert_non_null(strstr(r->location, "-does-the-twitch-get-worse-when-i-am-tired"));
	char *qurl = strdup(r->location);
	r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Does the twitch get worse when I am tired?"));
	assert_true(has(r, "<strong>Is fatigue</strong>"));
	assert_true(has(r, "Marta"));
	assert_true(has(r, "Your question is posted"));
	assert_true(has(r, "0 comments"));
	free(tok);
	free(body);

	/* A guest answers it, without a name: shown as Anonymous. */
	tok = csrf_of(r);
	char apath[256];
	const char *idp = strstr(qurl, "/questions/") + strlen("/questions/");
	snprintf(apath, sizeof apath, "/hemifacial-spasm/questions/%ld/answers", strtol(idp, NULL, 10));
	captcha_solve(&S, r, &ct, &ca);
	assert_true(strlen(ct) > 20);
	body = form("csrf", tok, "body", "Mine is worse when I skip sleep, yes.", "guest_name", "", "captcha_token", ct,
	            "captcha_answer", ca, NULL);
	free(ct);
	free(ca);
	r = http_post(c, apath, body);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "#answer-"));
	r = http_follow(c, r);
	assert_true(has(r, "Mine is worse when I skip sleep, yes."));
	assert_true(has(r, "1 comment<"));
	assert_true(has(r, "Anonymous"));
	free(tok);
	free(body);

	/* The non-canonical form redirects to the canonical one. */
	char shortp[128];
	snprintf(shortp, sizeof shortp, "/hemifacial-spasm/questions/%ld", strtol(idp, NULL, 10));
	r = http_get(c, shortp);
	assert_int_equal(r->status, 301);
	assert_non_null(strstr(r->location, qurl));
	/* The topic lists it. */
	r = http_get(c, "/hemifacial-spasm");
	assert_true(has(r, "Does the twitch get worse when I am tired?"));
	free(qurl);
	client_free(c);
}

static void test_bad_input_keeps_text(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	/* Empty title, short body: 422, both errors, text kept. */
	char *body = form("csrf", tok, "title", "", "body", "too short <b>x</b>", "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "There is a problem"));
	assert_true(has(r, "Enter Your question."));
	assert_true(has(r, "Details must be at least 20 characters"));
	assert_true(has(r, "too short &lt;b&gt;x&lt;/b&gt;</textarea>"));
	assert_true(has(r, "aria-describedby=\"title-hint title-error\""));
	free(body);
	/* Oversized title. */
	char big[400];
	memset(big, 'a', 300);
	big[300] = 0;
	body = form("csrf", tok, "title", big, "body", "A body that is certainly long enough to pass.", "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "at most 150 characters (it has 300)"));
	assert_true(has(r, "A body that is certainly long enough to pass."));
	free(body);
	/* Invalid UTF-8 is refused with a clear message and the text kept (bad bytes replaced). */
	body = form("csrf", tok, "title", "Is this \xff\xfe valid text at all?", "body",
	            "Some details that are long enough to be accepted.", "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "not valid text"));
	assert_true(has(r, "Is this \xEF\xBF\xBD\xEF\xBF\xBD valid text at all?"));
	free(body);
	/* A stale CSRF token: 403, clear message, text kept, fresh token. */
	body = form("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "title", "My careful question title here",
	            "body", "My careful body text that must come back to me.", "action", "post", NULL);
	r = http_post(c, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 403);
	assert_true(has(r, "security token"));
	assert_true(has(r, "My careful body text that must come back to me."));
	assert_true(has(r, "value=\"My careful question title here\""));
	free(body);
	/* An expired token (a real MAC, but a day old) says so. */
	free(tok);
	/* A topic that does not exist. */
	r = http_get(c, "/no-such-condition/ask");
	assert_int_equal(r->status, 404);
	assert_true(has(r, "There is no condition with that name here"));
	/* Nothing above was written. */
	r = http_get(c, "/search?q=careful");
	assert_false(has(r, "My careful question title here"));
	client_free(c);
}

static void test_member_register_login_edit_draft(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/register");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "username", "Bad Name!", "display_name", "Zoë Test", "email", "not-an-email",
	                  "password", "short", NULL);
	r = http_post(c, "/register", body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "lowercase letters"));
	assert_true(has(r, "name@example.org"));
	assert_true(has(r, "at least 10 characters"));
	assert_true(has(r, "value=\"Zoë Test\""));
	free(body);
	char *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	body = form("csrf", tok, "username", "zoe_test", "display_name", "Zoë Test", "email", "Zoe.Test@Example.org",
	            "password", "a long enough password", "captcha_token", ct, "captcha_answer", ca, NULL);
	free(ct);
	free(ca);
	r = http_post(c, "/register", body);
	/* Joining finishes through the emailed link. */
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your email"));
	assert_int_equal(http_get(c, "/account")->status, 303); /* not signed in yet */
	free(body);
	free(tok);
	char *link = srv_mail_link(&S, "zoe.test@example.org", "/join/");
	assert_non_null(link);
	r = http_get(c, link);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Finish joining"));
	r = post_follow(c, link, "");
	assert_true(has(r, "Welcome to the community"));
	assert_true(has(r, "Zoë Test"));
	/* The link works once. */
	client *other = client_new(&S);
	assert_int_equal(http_get(other, link)->status, 410);
	assert_int_equal(http_post(other, link, "")->status, 410);
	client_free(other);
	free(link);

	/* Ask anonymously, then edit. */
	r = http_get(c, "/hypertension/ask");
	tok = csrf_of(r);
	captcha_solve(&S, r, &ct, &ca);
	body = form("csrf", tok, "title", "Is 150 over 95 at home worth a call to my GP?", "body",
	            "I measured three mornings in a row and got similar readings each time.", "anonymous", "1",
	            "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(c, "/hypertension/ask", body);
	assert_int_equal(r->status, 303);
	char *qurl = strdup(r->location);
	r = http_follow(c, r);
	assert_true(has(r, "Anonymous"));
	free(body);
	/* Another visitor sees Anonymous and not the name. */
	client *g = client_new(&S);
	resp *gr = http_get(g, qurl);
	assert_true(has(gr, "Anonymous"));
	assert_false(has(gr, "Zoë Test</a>"));
	client_free(g);

	const char *idp = strstr(qurl, "/questions/") + strlen("/questions/");
	long qid = strtol(idp, NULL, 10);
	char epath[128];
	snprintf(epath, sizeof epath, "/hypertension/questions/%ld/edit", qid);
	r = http_get(c, epath);
	assert_int_equal(r->status, 200);
	free(tok);
	tok = csrf_of(r);
	body = form("csrf", tok, "title", "Is 150 over 95 at home worth a call to my doctor?", "body",
	            "I measured three mornings in a row. Readings were similar each time.", "note", "wording",
	            NULL);
	r = http_post(c, epath, body);
	assert_int_equal(r->status, 303);
	r = http_follow(c, r);
	assert_true(has(r, "worth a call to my doctor?"));
	assert_true(has(r, "edited"));
	free(body);
	char hpath[128];
	snprintf(hpath, sizeof hpath, "/hypertension/questions/%ld/history", qid);
	r = http_get(c, hpath);
	assert_true(has(r, "worth a call to my GP?"));
	assert_true(has(r, "wording"));

	/* Someone else cannot edit it. */
	client *o = client_new(&S);
	assert_int_equal(login_as(o, "tom_h", "demo-password-1"), 0);
	r = http_get(o, epath);
	assert_int_equal(r->status, 403);
	client_free(o);

	/* Drafts. */
	r = http_get(c, "/migraine/ask");
	free(tok);
	tok = csrf_of(r);
	body = form("csrf", tok, "title", "Half-written", "body", "I will finish this", "action", "draft", NULL);
	r = post_follow(c, "/migraine/ask", body);
	assert_true(has(r, "Your draft is saved"));
	assert_true(has(r, "value=\"Half-written\""));
	assert_true(has(r, "I will finish this</textarea>"));
	free(body);
	r = http_get(c, "/account");
	assert_true(has(r, "Half-written"));

	/* Log out, log in again (wrong password first). */
	free(tok);
	tok = csrf_of(r);
	body = form("csrf", tok, NULL);
	r = post_follow(c, "/logout", body);
	assert_true(has(r, "You are logged out"));
	free(body);
	r = http_get(c, "/account");
	assert_int_equal(r->status, 303);
	r = http_get(c, "/login");
	free(tok);
	tok = csrf_of(r);
	body = form("csrf", tok, "login", "zoe_test", "password", "wrong password!", NULL);
	r = http_post(c, "/login", body);
	assert_int_equal(r->status, 401);
	assert_true(has(r, "do not match an account"));
	assert_true(has(r, "value=\"zoe_test\""));
	free(body);
	body = form("csrf", tok, "login", "ZOE.TEST@example.org", "password", "a long enough password", NULL);
	r = post_follow(c, "/login", body);
	assert_true(has(r, "Welcome back"));
	free(body);
	free(tok);
	free(qurl);
	client_free(c);
}

static void test_guide_badge_and_accept(void **state)
{
	/* A member asks. */
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "aisha_k", "demo-password-1"), 0);
	resp *r = http_get(m, "/type-2-diabetes/ask");
	char *tok = csrf_of(r);
	char *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	char *body = form("csrf", tok, "title", "Can I eat fruit with type 2 diabetes?", "body",
	                  "My nurse said to watch sugar. Does that mean no fruit at all?", "captcha_token", ct,
	                  "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(m, "/type-2-diabetes/ask", body);
	assert_int_equal(r->status, 303);
	char *qurl = strdup(r->location);
	free(body);
	free(tok);
	long qid = strtol(strstr(qurl, "/questions/") + 11, NULL, 10);

	/* A guide answers: the badge and title show. */
	client *g = client_new(&S);
	assert_int_equal(login_as(g, "helen_writes", "demo-password-1"), 0);
	r = http_get(g, qurl);
	tok = csrf_of(r);
	char apath[128];
	snprintf(apath, sizeof apath, "/type-2-diabetes/questions/%ld/answers", qid);
	body = form("csrf", tok, "body", "Whole fruit is usually fine in sensible portions.", NULL);
	r = http_post(g, apath, body);
	assert_int_equal(r->status, 303);
	const char *hash = strstr(r->location, "#answer-");
	assert_non_null(hash);
	long aid = strtol(hash + 8, NULL, 10);
	r = http_follow(g, r);
	assert_true(has(r, "is-guide"));
	assert_true(has(r, "badge-guide\">Guide</span>"));
	assert_true(has(r, "Health Writer"));
	free(body);
	free(tok);

	/* Only the asker can accept. */
	char accpath[128], aidbuf[32];
	snprintf(accpath, sizeof accpath, "/type-2-diabetes/questions/%ld/accept", qid);
	snprintf(aidbuf, sizeof aidbuf, "%ld", aid);
	r = http_get(g, qurl);
	tok = csrf_of(r);
	body = form("csrf", tok, "answer", aidbuf, NULL);
	r = http_post(g, accpath, body);
	assert_int_equal(r->status, 403);
	free(body);
	free(tok);
	r = http_get(m, qurl);
	assert_true(has(r, "Mark as the answer that helped"));
	tok = csrf_of(r);
	body = form("csrf", tok, "answer", aidbuf, NULL);
	r = post_follow(m, accpath, body);
	assert_true(has(r, "is-accepted"));
	assert_true(has(r, "Helped the asker"));
	free(body);
	free(tok);
	free(qurl);
	client_free(m);
	client_free(g);
}

static void test_http_edges(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/no-such-page/at/all");
	assert_int_equal(r->status, 404);
	assert_true(has(r, "not_found"));
	assert_true(has(r, "class=\"site-footer\""));
	r = http_request(c, "PUT", "/", "text/plain", "x", 1, NULL);
	assert_int_equal(r->status, 405);
	char *allow = header_of(r, "Allow");
	assert_non_null(allow);
	free(allow);
	r = http_head(c, "/hemifacial-spasm");
	assert_int_equal(r->status, 200);
	assert_int_equal(r->len, 0);
	/* A POST without any CSRF token on a non-form action is refused. */
	r = http_post(c, "/logout", "x=1");
	assert_true(r->status == 303 || r->status == 403);
	/* Too large a body: 413 in the site layout (routes taking images allow more, see test_safe_posting). */
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n + 1);
	memset(big, 'a', n);
	memcpy(big, "body=", 5);
	big[n] = 0;
	r = http_request(c, "POST", "/register", "application/x-www-form-urlencoded", big, n, NULL);
	assert_int_equal(r->status, 413);
	free(big);
	/* gzip for pages when asked. */
	const char *const hdr[] = {"Accept-Encoding: gzip", NULL};
	r = http_request(c, "GET", "/", NULL, NULL, 0, hdr);
	char *ce = header_of(r, "Content-Encoding");
	assert_non_null(ce);
	assert_string_equal(ce, "gzip");
	free(ce);
	/* Fingerprinted static assets are cached for a year. */
	r = http_get(c, "/");
	const char *css = strstr(r->body, "/static/css/site.");
	assert_non_null(css);
	char *cssurl = strndup(css, strcspn(css, "\""));
	r = http_get(c, cssurl);
	assert_int_equal(r->status, 200);
	char *cc = header_of(r, "Cache-Control");
	assert_non_null(strstr(cc, "immutable"));
	free(cc);
	free(cssurl);
	/* Pagination of topics refuses nonsense. */
	r = http_get(c, "/hemifacial-spasm?page=abc");
	assert_int_equal(r->status, 400);
	r = http_get(c, "/hemifacial-spasm?page=999");
	assert_int_equal(r->status, 404);
	client_free(c);
}

static void test_guest_page_cache(void **state)
{
	client *g = client_new(&S), *w = client_new(&S);
	resp *r = http_get(g, "/asthma");
	assert_int_equal(r->status, 200);
	r = http_get(g, "/asthma");
	char *x = header_of(r, "X-Cache");
	assert_non_null(x);
	assert_string_equal(x, "hit");
	free(x);
	char *etag = header_of(r, "ETag");
	assert_non_null(etag);
	/* A conditional request answers 304 with no body. */
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	const char *const hdr[] = {inm, NULL};
	r = http_request(g, "GET", "/asthma", NULL, NULL, 0, hdr);
	assert_int_equal(r->status, 304);
	assert_int_equal(r->len, 0);
	free(etag);
	/* A post by someone else is visible to the guest at once. */
	r = http_get(w, "/asthma/ask");
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	char *body = form("csrf", tok, "title", "Cache check: is this new question shown at once?", "body",
	                  "If the guest page cache kept the old list, this would be missing.", "captcha_token", ct,
	                  "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(w, "/asthma/ask", body);
	assert_int_equal(r->status, 303);
	r = http_get(g, "/asthma");
	assert_true(has(r, "Cache check: is this new question shown at once?"));
	/* A cached question page still gives every guest a CAPTCHA of their own. */
	r = http_get(g, "/hemifacial-spasm");
	const char *qp = strstr(r->body, "href=\"/hemifacial-spasm/questions/");
	assert_non_null(qp);
	qp += strlen("href=\"");
	char *qurl = strndup(qp, strcspn(qp, "\""));
	http_get(g, qurl);
	r = http_get(g, qurl);
	x = header_of(r, "X-Cache");
	assert_non_null(x);
	assert_string_equal(x, "hit");
	free(x);
	char *t1 = captcha_token_of(r);
	r = http_get(g, qurl);
	char *t2 = captcha_token_of(r);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_string_not_equal(t1, t2);
	free(t1);
	free(t2);
	free(qurl);
	/* Members never get a cached page. */
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "tom_h", "demo-password-1"), 0);
	r = http_get(m, "/asthma");
	x = header_of(r, "X-Cache");
	assert_null(x);
	assert_true(has(r, "Log out"));
	free(tok);
	free(body);
	client_free(m);
	client_free(g);
	client_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_answer),
		cmocka_unit_test(test_guest_asks_and_answers),
		cmocka_unit_test(test_bad_input_keeps_text),
		cmocka_unit_test(test_member_register_login_edit_draft),
		cmocka_unit_test(test_guide_badge_and_accept),
		cmocka_unit_test(test_http_edges),
		cmocka_unit_test(test_guest_page_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
