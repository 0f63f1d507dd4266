/* test_frontend.c: the front end's server side: the similar-questions JSON for site.js, the
 * fingerprinted script, first-party page view counts (no cookies) on the admin page, pages of
 * answers ("More answers" without JavaScript, the fragment site.js loads) and rating by JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static srv S;

static const char *const browser_ua[] = {
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", NULL};
static const char *const bot_ua[] = {"User-Agent: ExampleBot/2.1 (+crawler)", NULL};

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

static void test_similar_json(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hemifacial-spasm/similar?title=botox%20injections%20work");
	assert_int_equal(r->status, 200);
	char *ct = header_of(r, "Content-Type");
	assert_non_null(ct);
	assert_string_equal(ct, "application/json");
	free(ct);
	assert_true(has(r, "{\"questions\":[{\"title\":\"How long do Botox injections take to work"));
	assert_true(has(r, "\"url\":\"/hemifacial-spasm/questions/2-how-long-do-botox"));
	assert_true(has(r, "\"answers\":"));
	/* Only questions of this topic. */
	r = http_get(c, "/migraine/similar?title=botox%20injections%20hemifacial");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "/hemifacial-spasm/"));
	/* Too short, missing, or not text: an empty list, never an error page. */
	r = http_get(c, "/hemifacial-spasm/similar?title=ab");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "{\"questions\":[]}");
	r = http_get(c, "/hemifacial-spasm/similar");
	assert_string_equal(r->body, "{\"questions\":[]}");
	r = http_get(c, "/hemifacial-spasm/similar?title=%FF%FEbotox%20injections");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "{\"questions\":[]}");
	/* Quotes and FTS syntax are words, not operators. */
	r = http_get(c, "/hemifacial-spasm/similar?title=%22botox%22%20OR%20NEAR(%2A");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "{\"questions\":["));
	r = http_get(c, "/no-such-topic/similar?title=botox%20injections");
	assert_int_equal(r->status, 404);
	assert_true(has(r, "\"error\""));
	client_free(c);
}

static void test_script_is_fingerprinted(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	assert_int_equal(r->status, 200);
	const char *p = strstr(r->body, "<script src=\"/static/js/site.");
	assert_non_null(p);
	assert_true(has(r, "data-similar=\"/hemifacial-spasm/similar\""));
	char path[128];
	const char *s = p + strlen("<script src=\"");
	size_t n = strcspn(s, "\"");
	assert_true(n < sizeof path);
	memcpy(path, s, n);
	path[n] = 0;
	r = http_get(c, path);
	assert_int_equal(r->status, 200);
	char *ct = header_of(r, "Content-Type");
	assert_non_null(strstr(ct, "javascript"));
	free(ct);
	char *cc = header_of(r, "Cache-Control");
	assert_non_null(strstr(cc, "immutable"));
	free(cc);
	assert_true(has(r, "progressive enhancement"));
	client_free(c);
}

static void test_page_views(void **state)
{
	client *guest = client_new(&S);
	for (int i = 0; i < 3; i++) {
		resp *r = http_request(guest, "GET", "/type-2-diabetes", NULL, NULL, 0, browser_ua);
		assert_int_equal(r->status, 200);
		char *ck = header_of(r, "Set-Cookie");
		assert_null(ck); /* reading sets no cookie */
	}
	http_request(guest, "GET", "/type-2-diabetes", NULL, NULL, 0, bot_ua);       /* robots: no */
	http_request(guest, "GET", "/no-such-topic-here", NULL, NULL, 0, browser_ua); /* 404: no */
	http_request(guest, "GET", "/", NULL, NULL, 0, browser_ua);

	/* Guests and members cannot see the numbers. */
	resp *r = http_get(guest, "/admin/analytics");
	assert_int_equal(r->status, 303);
	client *member = client_new(&S);
	assert_int_equal(login_as(member, "zoe_m", "demo-password-1"), 0);
	r = http_get(member, "/admin/analytics");
	assert_int_equal(r->status, 403);

	client *admin = client_new(&S);
	assert_int_equal(login_as(admin, "admin", "demo-password-1"), 0);
	/* Counts are written every 5 seconds by the maintenance thread. */
	const char *row = "<a href=\"/type-2-diabetes\">Type 2 Diabetes</a></td><td class=\"num\">3</td>";
	bool seen = false;
	for (int t = 0; t < 30 && !seen; t++) {
		r = http_get(admin, "/admin/analytics");
		assert_int_equal(r->status, 200);
		seen = has(r, row);
		if (!seen)
			usleep(500 * 1000);
	}
	assert_true(seen);
	assert_true(has(r, "Home <code>/</code></td><td class=\"num\">1</td>"));
	assert_true(has(r, "Topic page <code>/{topic}</code></td><td class=\"num\">3</td>"));
	assert_true(has(r, "No cookies, IP addresses"));
	client_free(admin);
	client_free(member);
	client_free(guest);
}

/* A guide (trusted: no CAPTCHA, no review) asks and adds n answers; returns the question's
 * canonical path (caller frees) and its id. */
static char *question_with_answers(client *g, int n, long *qid)
{
	resp *r = http_get(g, "/hemifacial-spasm/ask");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "title", "Paging test: what helped you through the first month?", "body",
	                  "A question with enough words to be accepted, asked to test pages of answers.", "action", "post",
	                  NULL);
	r = http_post(g, "/hemifacial-spasm/ask", body);
	free(body);
	assert_int_equal(r->status, 303);
	char *url = strdup(r->location);
	*qid = strtol(strstr(url, "/questions/") + 11, NULL, 10);
	char path[128];
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld/answers", *qid);
	for (int i = 1; i <= n; i++) {
		char text[128];
		snprintf(text, sizeof text, "Answer number %d: what helped me on day %d was rest.", i, i * 7);
		body = form("csrf", tok, "body", text, NULL);
		r = http_post(g, path, body);
		free(body);
		assert_int_equal(r->status, 303);
	}
	free(tok);
	return url;
}

static int count_of(const resp *r, const char *needle)
{
	int n = 0;
	for (const char *p = r->body; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_answer_pages(void **state)
{
	client *g = client_new(&S);
	assert_int_equal(login_as(g, "helen_writes", "demo-password-1"), 0);
	long qid;
	char *url = question_with_answers(g, 45, &qid);
	client_free(g);
	client *c = client_new(&S);
	char path[512];

	/* Page 1: the first 20, a plain link to page 2 (rel=next, in the head too). */
	resp *r = http_get(c, url);
	assert_int_equal(r->status, 200);
	assert_int_equal(count_of(r, "<li id=\"answer-"), 20);
	assert_true(has(r, "Answer number 1:"));
	assert_true(has(r, "Answer number 20:"));
	assert_false(has(r, "Answer number 21:"));
	assert_true(has(r, "45 comments"));
	assert_true(has(r, "Showing answers <span class=\"answers-shown\">1\xE2\x80\x93" "20 of 45</span>"));
	snprintf(path, sizeof path, "<link rel=\"next\" href=\"%s?answers=2\">", url);
	assert_true(has(r, path));
	snprintf(path, sizeof path, "<a class=\"btn load-more\" rel=\"next\" href=\"%s?answers=2\"", url);
	assert_true(has(r, path));
	snprintf(path, sizeof path, "data-fragment=\"/hemifacial-spasm/questions/%ld/answers?page=2\"", qid);
	assert_true(has(r, path));
	assert_false(has(r, "rel=\"prev\""));

	/* Page 2 without JavaScript: answers 21-40, its own canonical address, links both ways. */
	snprintf(path, sizeof path, "%s?answers=2", url);
	r = http_get(c, path);
	assert_int_equal(r->status, 200);
	assert_int_equal(count_of(r, "<li id=\"answer-"), 20);
	assert_false(has(r, "Answer number 20:"));
	assert_true(has(r, "Answer number 21:"));
	assert_true(has(r, "Answer number 40:"));
	assert_false(has(r, "Answer number 41:"));
	assert_true(has(r, "<ol class=\"answer-list\" start=\"21\">"));
	assert_true(has(r, "(answers 21\xE2\x80\x93" "40 of 45)"));
	snprintf(path, sizeof path, "%s?answers=2\">", url);
	assert_true(has(r, path)); /* canonical */
	snprintf(path, sizeof path, "<a rel=\"prev\" href=\"%s\">", url);
	assert_true(has(r, path));
	snprintf(path, sizeof path, "%s?answers=3", url);
	assert_true(has(r, path));
	/* The guest page cache keeps pages apart: the same page again is page 2 still (from the
	 * cache; a change seen by the poller may drop it once, so ask a few times), page 3 is the
	 * last five. */
	snprintf(path, sizeof path, "%s?answers=2", url);
	bool hit = false;
	for (int i = 0; i < 5 && !hit; i++) {
		r = http_get(c, path);
		assert_true(has(r, "Answer number 21:"));
		assert_false(has(r, "Answer number 20:"));
		char *xc = header_of(r, "X-Cache");
		hit = xc && strcmp(xc, "hit") == 0;
		free(xc);
		if (!hit)
			usleep(300 * 1000);
	}
	assert_true(hit);
	snprintf(path, sizeof path, "%s?answers=3", url);
	r = http_get(c, path);
	assert_int_equal(r->status, 200);
	assert_int_equal(count_of(r, "<li id=\"answer-"), 5);
	assert_true(has(r, "Answer number 45:"));
	assert_false(has(r, "class=\"btn load-more\""));
	r = http_get(c, url);
	assert_true(has(r, "Answer number 1:"));
	assert_false(has(r, "Answer number 21:"));

	/* One address per page: ?answers=1 is the question itself; an old slug keeps the page. */
	snprintf(path, sizeof path, "%s?answers=1", url);
	r = http_get(c, path);
	assert_int_equal(r->status, 301);
	assert_non_null(strstr(r->location, url));
	assert_null(strchr(r->location, '?'));
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld?answers=2", qid);
	r = http_get(c, path);
	assert_int_equal(r->status, 301);
	snprintf(path, sizeof path, "%s?answers=2", url);
	assert_non_null(strstr(r->location, path));

	/* Bad page numbers: a clear error page, never a crash. */
	static const char *const bad[] = {"0", "-1", "abc", "2x", "", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(path, sizeof path, "%s?answers=%s", url, bad[i]);
		r = http_get(c, path);
		assert_int_equal(r->status, 400);
		assert_true(has(r, "must be a whole number"));
	}
	snprintf(path, sizeof path, "%s?answers=4", url);
	r = http_get(c, path);
	assert_int_equal(r->status, 404);
	assert_true(has(r, "only 3 pages of answers"));
	snprintf(path, sizeof path, "%s?answers=1000000000", url);
	assert_int_equal(http_get(c, path)->status, 404);

	/* The fragment for site.js: only the answers of that page and the next link. */
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld/answers?page=2", qid);
	r = http_get(c, path);
	assert_int_equal(r->status, 200);
	assert_int_equal(count_of(r, "<li id=\"answer-"), 20);
	assert_true(has(r, "Answer number 21:"));
	assert_false(has(r, "<html"));
	assert_false(has(r, "Answer number 20:"));
	char *rt = header_of(r, "X-Robots-Tag");
	assert_non_null(rt);
	assert_string_equal(rt, "noindex");
	free(rt);
	snprintf(path, sizeof path, "data-fragment=\"/hemifacial-spasm/questions/%ld/answers?page=3\"", qid);
	assert_true(has(r, path));
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld/answers?page=3", qid);
	r = http_get(c, path);
	assert_int_equal(count_of(r, "<li id=\"answer-"), 5);
	assert_false(has(r, "load-more"));
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld/answers?page=4", qid);
	assert_int_equal(http_get(c, path)->status, 404);
	snprintf(path, sizeof path, "/hemifacial-spasm/questions/%ld/answers?page=zero", qid);
	assert_int_equal(http_get(c, path)->status, 400);
	snprintf(path, sizeof path, "/migraine/questions/%ld/answers?page=2", qid);
	assert_int_equal(http_get(c, path)->status, 404);
	assert_int_equal(http_get(c, "/hemifacial-spasm/questions/999999/answers?page=2")->status, 404);

	/* A question with 20 answers or fewer has no pages. */
	r = http_get(c, "/hemifacial-spasm/questions/2");
	if (r->status == 301)
		r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	assert_false(has(r, "load-more"));
	assert_false(has(r, "answers-range"));
	client_free(c);
	free(url);
}

/* site.js rates without a reload: Accept: application/json gives the new summary as JSON. */
static void test_rate_json(void **state)
{
	static const char *const json[] = {"Accept: application/json", NULL};
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "zoe_m", "demo-password-1"), 0);
	resp *r = http_get(c, "/hemifacial-spasm/questions/2");
	if (r->status == 301)
		r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<legend>Rate this question"));
	assert_true(has(r, "<legend>Rate this answer"));
	assert_true(has(r, "class=\"rating-status muted\" role=\"status\""));
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "stars", "4", NULL);
	r = http_request(c, "POST", "/hemifacial-spasm/questions/2/rate", "application/x-www-form-urlencoded", body,
	                 strlen(body), json);
	free(body);
	assert_int_equal(r->status, 200);
	char *ct = header_of(r, "Content-Type");
	assert_non_null(ct);
	assert_non_null(strstr(ct, "application/json"));
	free(ct);
	assert_true(has(r, "\"mine\":4"));
	assert_true(has(r, "\"count_label\":\""));
	assert_true(has(r, "\"stars_text\":\""));
	assert_null(header_of(r, "Set-Cookie")); /* no flash message waiting for the next page */
	body = form("csrf", tok, "stars", "6", NULL);
	r = http_request(c, "POST", "/hemifacial-spasm/questions/2/rate", "application/x-www-form-urlencoded", body,
	                 strlen(body), json);
	free(body);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "{\"error\":\"bad_rating\",\"message\":\"Choose from 1 to 5 stars"));
	free(tok);
	client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similar_json),
		cmocka_unit_test(test_script_is_fingerprinted),
		cmocka_unit_test(test_page_views),
		cmocka_unit_test(test_answer_pages),
		cmocka_unit_test(test_rate_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
