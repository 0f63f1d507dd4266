/* test_frontend.c: the front end's server side: the similar-questions JSON for site.js, the
 * fingerprinted script, and first-party page view counts (no cookies) on the admin page. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similar_json),
		cmocka_unit_test(test_script_is_fingerprinted),
		cmocka_unit_test(test_page_views),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
