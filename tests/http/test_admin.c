/* test_admin.c: /admin pages (people, topics, settings, numbers) and the same operations from
 * the command line (user, topic, settings, import, --help). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static srv S;
static const char *PW = "demo-password-1";

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

static client *as(const char *username)
{
	client *c = client_new(&S);
	assert_int_equal(login_as(c, username, PW), 0);
	return c;
}

/* POSTs fields (NULL-terminated pairs) with the CSRF token of page; returns the response. */
static resp *post_form(client *c, const char *page, const char *action, ...)
{
	resp *r = http_get(c, page);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char body[8192];
	int n = snprintf(body, sizeof body, "csrf=%s", tok);
	free(tok);
	va_list ap;
	va_start(ap, action);
	for (const char *k; (k = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		char *pair = form(k, v, NULL);
		n += snprintf(body + n, sizeof body - (size_t)n, "&%s", pair);
		free(pair);
	}
	va_end(ap);
	return http_post(c, action, body);
}

static void test_access(void **state)
{
	client *g = client_new(&S);
	resp *r = http_get(g, "/admin");
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/login"));
	client_free(g);
	client *m = as("priya"); /* a moderator is not an admin */
	assert_int_equal(http_get(m, "/admin")->status, 403);
	assert_int_equal(http_get(m, "/admin/settings")->status, 403);
	client_free(m);
	client *a = as("admin");
	r = http_get(a, "/admin");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "The community in numbers"));
	assert_true(has(r, "<dt>Questions</dt><dd>"));
	assert_true(has(r, "Topics over the last 30 days"));
	assert_true(has(r, "<td><a href=\"/hemifacial-spasm\">Hemifacial Spasm</a></td>"));
	assert_true(has(r, "href=\"/admin\">Admin</a>")); /* header link for admins */
	client_free(a);
}

static void test_people(void **state)
{
	client *a = as("admin");
	resp *r = http_get(a, "/admin/users?q=tom");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "@tom_h"));
	assert_false(has(r, "@zoe_m"));
	r = post_form(a, "/admin/users", "/admin/users/tom_h", "action", "role", "role", "guide", NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(a, r);
	assert_true(has(r, "The role is changed."));
	assert_true(has(r, "<option value=\"guide\" selected>"));
	r = post_form(a, "/admin/users", "/admin/users/tom_h", "action", "role", "role", "emperor", NULL);
	assert_int_equal(r->status, 400);
	r = post_form(a, "/admin/users", "/admin/users/nobody_here", "action", "suspend", NULL);
	assert_int_equal(r->status, 404);

	/* Suspension ends the member's sessions at once. */
	client *g = as("greg_w");
	assert_int_equal(http_get(g, "/account")->status, 200);
	r = post_form(a, "/admin/users", "/admin/users/greg_w", "action", "suspend", NULL);
	assert_int_equal(r->status, 303);
	assert_int_equal(http_get(g, "/account")->status, 303);
	client *g2 = client_new(&S);
	assert_int_equal(login_as(g2, "greg_w", PW), -1);
	r = post_form(a, "/admin/users", "/admin/users/greg_w", "action", "unsuspend", NULL);
	assert_int_equal(r->status, 303);
	assert_int_equal(login_as(g2, "greg_w", PW), 0);
	client_free(g2);
	client_free(g);

	/* The last admin cannot demote or suspend themself. */
	r = post_form(a, "/admin/users", "/admin/users/admin", "action", "role", "role", "member", NULL);
	assert_int_equal(r->status, 409);
	assert_true(has(r, "without an active admin"));
	r = post_form(a, "/admin/users", "/admin/users/admin", "action", "suspend", NULL);
	assert_int_equal(r->status, 409);
	/* A form without its CSRF token is refused. */
	r = http_post(a, "/admin/users/tom_h", "action=role&role=admin");
	assert_int_equal(r->status, 403);
	client_free(a);
}

static void test_topics(void **state)
{
	client *a = as("admin");
	resp *r = post_form(a, "/admin/topics", "/admin/topics", "slug", "api", "name", "Reserved", "summary", "", NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "reserved address"));
	assert_true(has(r, "value=\"Reserved\"")); /* the text comes back */
	r = post_form(a, "/admin/topics", "/admin/topics", "slug", "Bad Slug", "name", "X", "summary", "", NULL);
	assert_int_equal(r->status, 422);
	r = post_form(a, "/admin/topics", "/admin/topics", "slug", "hemifacial-spasm", "name", "Again", "summary", "", NULL);
	assert_int_equal(r->status, 409);
	r = post_form(a, "/admin/topics", "/admin/topics", "slug", "sleep-apnoea", "name", "Sleep Apnoea", "summary",
	              "Breathing that stops and starts during sleep.", NULL);
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/admin/topics/sleep-apnoea?done=topic");
	r = post_form(a, "/admin/topics/sleep-apnoea", "/admin/topics/sleep-apnoea", "name", "Sleep Apnoea", "summary",
	              "Breathing that stops and starts during sleep.", "overview", "## What it is\n\nA **common** condition.",
	              NULL);
	assert_int_equal(r->status, 303);
	client *g = client_new(&S);
	r = http_get(g, "/sleep-apnoea");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<strong>common</strong>"));
	client_free(g);
	r = post_form(a, "/admin/topics/sleep-apnoea", "/admin/topics/sleep-apnoea", "name", "", "summary", "", "overview",
	              "", NULL);
	assert_int_equal(r->status, 422);
	assert_int_equal(http_get(a, "/admin/topics/no-such")->status, 404);
	client_free(a);
}

static void test_settings(void **state)
{
	client *a = as("admin");
	resp *r = post_form(a, "/admin/settings", "/admin/settings", "site.name", "Riverside Clinic Community",
	                    "site.logo_url", "https://tracker.example/logo.png", "site.emergency", "Call 999.",
	                    "site.disclaimer", "", NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "third-party"));
	assert_true(has(r, "value=\"Riverside Clinic Community\""));
	r = post_form(a, "/admin/settings", "/admin/settings", "site.name", "Riverside Clinic Community",
	              "site.logo_url", "/static/img/favicon.svg", "site.emergency",
	              "Call 999 or NHS 111.\nSamaritans: 116 123.", "site.disclaimer", "Run by <Riverside> volunteers.",
	              NULL);
	assert_int_equal(r->status, 303);
	client *g = client_new(&S);
	r = http_get(g, "/");
	assert_true(has(r, "<span>Riverside Clinic Community</span>"));
	assert_true(has(r, "<img src=\"/static/img/favicon.svg\""));
	assert_true(has(r, "Samaritans: 116 123."));
	assert_true(has(r, "Run by &lt;Riverside&gt; volunteers."));
	assert_true(has(r, "not a substitute for advice from your own doctor"));
	client_free(g);
	r = http_get(a, "/admin/settings?done=settings");
	assert_true(has(r, "The settings are saved."));
	client_free(a);
}

static void test_cli(void **state)
{
	assert_int_equal(srv_cmd(&S, "user list", NULL), 0);
	assert_int_equal(srv_cmd(&S, "user list zoe", NULL), 0);
	assert_int_equal(srv_cmd(&S, "user role lina_p moderator", NULL), 0);
	assert_int_equal(srv_cmd(&S, "user role nobody_here guide", NULL), 1);
	assert_int_equal(srv_cmd(&S, "user role lina_p king", NULL), 2);
	assert_int_equal(srv_cmd(&S, "user suspend bernard", NULL), 0);
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "bernard", PW), -1);
	assert_int_equal(srv_cmd(&S, "user unsuspend bernard", NULL), 0);
	assert_int_equal(login_as(c, "bernard", PW), 0);
	client_free(c);
	client *a = as("admin");
	resp *r = http_get(a, "/admin/users?q=lina");
	assert_true(has(r, "<option value=\"moderator\" selected>"));
	client_free(a);

	assert_int_equal(srv_cmd(&S, "topic list", NULL), 0);
	assert_int_equal(srv_cmd(&S, "topic create tinnitus --name Tinnitus --summary Ringing", NULL), 0);
	assert_int_equal(srv_cmd(&S, "topic create tinnitus --name Tinnitus", NULL), 1);
	assert_int_equal(srv_cmd(&S, "topic create login --name Login", NULL), 2);
	assert_int_equal(srv_cmd(&S, "topic edit tinnitus --overview-file -", "Sounds *nobody else* hears.\n"), 0);
	c = client_new(&S);
	r = http_get(c, "/tinnitus");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<em>nobody else</em>"));
	assert_int_equal(srv_cmd(&S, "settings list", NULL), 0);
	assert_int_equal(srv_cmd(&S, "settings set site.emergency -", "Dial 112 in an emergency.\n"), 0);
	assert_int_equal(srv_cmd(&S, "settings set site.logo_url https://cdn.example/x.png", NULL), 2);
	assert_int_equal(srv_cmd(&S, "settings set no.such.key x", NULL), 2);
	/* Another process changed it: this server sees it within its 5-second cache. */
	bool seen = false;
	for (int i = 0; i < 80 && !seen; i++) {
		seen = has(http_get(c, "/terms"), "Dial 112 in an emergency.");
		if (!seen)
			usleep(100 * 1000);
	}
	assert_true(seen);
	client_free(c);

	/* A token for a script, printed once. */
	assert_int_equal(srv_cmd(&S, "user token zoe_m --name nightly-sync --scope write", NULL), 0);
	char tok[64] = "";
	FILE *f = fopen(S.log, "r");
	char line[4096];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "cc_", 3) == 0 && strlen(line) == 47)
			snprintf(tok, sizeof tok, "%.46s", line);
	if (f)
		fclose(f);
	assert_int_equal(strlen(tok), 46);
	char auth[100];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	const char *hd[] = {auth, NULL};
	c = client_new(&S);
	r = http_request(c, "GET", "/api/v1/me", NULL, NULL, 0, hd);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "\"username\":\"zoe_m\""));
	client_free(c);
	assert_int_equal(srv_cmd(&S, "user token zoe_m --scope write", NULL), 2);
	assert_int_equal(srv_cmd(&S, "user token nobody_here --name x", NULL), 1);

	static const char *const helps[] = {"user --help", "topic --help", "settings --help", "import --help",
	                                    "backup --help", "restore --help", "serve --help", "migrate --help",
	                                    "demo --help", "worker --help", "bench-data --help",
	                                    "migrate-data --help"};
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		assert_int_equal(srv_cmd(&S, helps[i], NULL), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_import(void **state)
{
	char dir[400], path[500], args[600];
	snprintf(dir, sizeof dir, "%s/import", S.dir);
	snprintf(path, sizeof path, "mkdir -p %s/articles/psoriasis", dir);
	assert_int_equal(system(path), 0);
	/* A bad batch imports nothing. */
	snprintf(path, sizeof path, "%s/topics.json", dir);
	write_file(path, "{\"topics\": [{\"slug\": \"psoriasis\", \"name\": \"Psoriasis\"}, {\"slug\": \"search\", \"name\": \"Nope\"}]}");
	snprintf(args, sizeof args, "import --from %s", dir);
	assert_int_equal(srv_cmd(&S, args, NULL), 1);
	client *c = client_new(&S);
	assert_int_equal(http_get(c, "/psoriasis")->status, 404);
	write_file(path, "{\"topics\": [");
	assert_int_equal(srv_cmd(&S, args, NULL), 1);

	write_file(path, "{\"topics\": [{\"slug\": \"psoriasis\", \"name\": \"Psoriasis\", \"summary\": \"Scaly patches of skin.\"},"
	                 " {\"slug\": \"gout\", \"name\": \"Gout\"}]}");
	snprintf(path, sizeof path, "%s/psoriasis.md", dir);
	write_file(path, "Psoriasis is **not** contagious.\n");
	snprintf(path, sizeof path, "%s/articles/psoriasis/living-with.md", dir);
	/* An article file without its header is refused, and so is everything else in the batch. */
	write_file(path, "# Living with psoriasis\n\nText.\n");
	snprintf(args, sizeof args, "import --from %s --dry-run", dir);
	assert_int_equal(srv_cmd(&S, args, NULL), 1);
	write_file(path, "---\ntitle: Living with psoriasis\nsummary: Day to day.\ncolour: blue\n---\nShort.\n");
	assert_int_equal(srv_cmd(&S, args, NULL), 1); /* unknown field, body too short */
	write_file(path, "---\ntitle: Living with psoriasis\nsummary: Day to day.\nauthor: nobody_at_all\n---\n"
	                 "Moisturise every day, even when the skin looks clear; it keeps flares milder.\n");
	assert_int_equal(srv_cmd(&S, args, NULL), 1); /* no such account */
	write_file(path, "---\ntitle: Living with psoriasis\nsummary: Day to day.\nauthor: helen_writes\n---\n"
	                 "Moisturise every day, even when the skin looks clear; it keeps flares milder.\n");
	snprintf(path, sizeof path, "%s/articles/psoriasis/01-flares.md", dir);
	write_file(path, "---\r\ntitle: What sets off a flare\r\nslug: flare-triggers\r\nreviewed_by: jose_rn\r\n"
	                 "last_reviewed: 2026-05-04\r\nsource: NHS psoriasis | https://www.nhs.uk/conditions/psoriasis/\r\n"
	                 "source: https://www.niams.nih.gov/health-topics/psoriasis\r\n---\r\n\r\n"
	                 "Stress, **infections**, cold dry weather and some medicines can set off a flare.\r\n");
	assert_int_equal(srv_cmd(&S, args, NULL), 0);
	assert_int_equal(http_get(c, "/psoriasis")->status, 404); /* a dry run writes nothing */
	snprintf(args, sizeof args, "import --from %s", dir);
	assert_int_equal(srv_cmd(&S, args, NULL), 0);
	resp *r = http_get(c, "/psoriasis");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<strong>not</strong> contagious"));
	assert_true(has(r, "What sets off a flare"));
	assert_int_equal(http_get(c, "/gout")->status, 200);
	r = http_get(c, "/psoriasis/content/flare-triggers");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<strong>infections</strong>"));
	assert_true(has(r, "https://www.nhs.uk/conditions/psoriasis/"));
	assert_true(has(r, "https://www.niams.nih.gov/health-topics/psoriasis"));
	assert_int_equal(http_get(c, "/psoriasis/content/living-with")->status, 200);
	/* The files' order is the reading order; the API shows who wrote and reviewed them. */
	r = http_get(c, "/api/v1/topics/psoriasis/articles");
	assert_int_equal(r->status, 200);
	const char *first = strstr(r->body, "flare-triggers"), *second = strstr(r->body, "living-with");
	assert_true(first && second && first < second);
	assert_true(has(r, "\"username\":\"jose_rn\""));
	assert_true(has(r, "\"username\":\"helen_writes\""));
	assert_true(has(r, "2026-05-04T00:00:00Z"));
	char *etag = header_of(r, "ETag");
	assert_non_null(etag);

	/* Importing again changes nothing (same ETag: no article was rewritten), then updates. */
	assert_int_equal(srv_cmd(&S, args, NULL), 0);
	r = http_get(c, "/api/v1/topics/psoriasis/articles");
	char *etag2 = header_of(r, "ETag");
	assert_string_equal(etag, etag2);
	free(etag);
	free(etag2);
	snprintf(path, sizeof path, "%s/articles/psoriasis/living-with.md", dir);
	write_file(path, "---\ntitle: Living well with psoriasis\nsummary: Day to day.\nauthor: helen_writes\n---\n"
	                 "Moisturise every day, even when the skin looks clear; it keeps flares milder.\n");
	assert_int_equal(srv_cmd(&S, args, NULL), 0);
	usleep(800 * 1000); /* the server drops its guest page cache within half a second */
	r = http_get(c, "/psoriasis/content/living-with");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Living well with psoriasis"));
	r = http_get(c, "/api/v1/topics/psoriasis/articles");
	const char *p = r->body;
	int count = 0;
	while ((p = strstr(p, "\"slug\":\"")) != NULL) {
		p += 8;
		count++;
	}
	assert_int_equal(count, 2 + 2); /* two articles, each with its topic's slug */
	client_free(c);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access),   cmocka_unit_test(test_people), cmocka_unit_test(test_topics),
		cmocka_unit_test(test_settings), cmocka_unit_test(test_cli),    cmocka_unit_test(test_import),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
