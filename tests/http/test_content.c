/* test_content.c: condition guides, articles, sources, search in lay words, similar questions,
 * auto-linking, Atom feeds, sitemap and the guide queue, over real HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
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

static int count_of(const resp *r, const char *needle)
{
	int n = 0;
	for (const char *p = r->body; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Posts a question as a guest and returns its path (caller frees). */
static char *ask(client *c, const char *topic, const char *title, const char *body)
{
	char path[128];
	snprintf(path, sizeof path, "/%s/ask", topic);
	resp *r = http_get(c, path);
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	char *f = form("csrf", tok, "title", title, "body", body, "guest_name", "", "captcha_token", ct,
	               "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(c, path, f);
	assert_int_equal(r->status, 303);
	char *loc = strdup(r->location);
	free(tok);
	free(f);
	return loc;
}

static void test_condition_guide(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hypertension");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Condition guide"));
	assert_true(has(r, "Articles from the guide"));
	assert_true(has(r, "href=\"/hypertension/content/measuring-blood-pressure-at-home\""));
	assert_true(has(r, "Reviewed by"));
	assert_true(has(r, "Community questions"));
	assert_true(has(r, "Have a question? Ask the Community"));
	assert_true(has(r, "Related topics"));
	assert_true(has(r, "href=\"/type-2-diabetes\""));
	assert_true(has(r, "<link rel=\"alternate\" type=\"application/atom+xml\""));
	assert_true(has(r, "href=\"/feeds/hypertension.atom\""));
	assert_true(has(r, "<meta property=\"og:title\" content=\"High Blood Pressure (Hypertension)"));
	assert_false(has(r, "Write an article for this guide")); /* guests cannot */
	client_free(c);
}

static void test_article_page(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/hypertension/content/measuring-blood-pressure-at-home");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<h1>How to measure your blood pressure at home</h1>"));
	assert_true(has(r, "Reviewed by <a href=\"/u/"));
	assert_true(has(r, "Sources and further reading"));
	assert_true(has(r, "<a rel=\"nofollow noopener\" href=\"https://"));
	assert_true(has(r, "<meta property=\"og:type\" content=\"article\">"));
	assert_true(has(r, "<link rel=\"canonical\" href=\"http://"));
	assert_true(has(r, "More from this guide"));
	r = http_get(c, "/hypertension/content/no-such-article");
	assert_int_equal(r->status, 404);
	assert_true(has(r, "no_such_article"));
	r = http_get(c, "/no-such-topic/content/measuring-blood-pressure-at-home");
	assert_int_equal(r->status, 404);
	client_free(c);
}

static void test_guide_writes_article(void **state)
{
	client *c = client_new(&S);
	/* Members cannot write articles. */
	assert_int_equal(login_as(c, "zoe_m", PW), 0);
	resp *r = http_get(c, "/asthma/content/new");
	assert_int_equal(r->status, 403);
	client_free(c);

	c = client_new(&S);
	assert_int_equal(login_as(c, "helen_writes", PW), 0);
	r = http_get(c, "/asthma");
	assert_true(has(r, "Write an article for this guide"));
	r = http_get(c, "/asthma/content/new");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	const char *body = "Spacers help a metered-dose inhaler deliver medicine to the lungs rather than the "
	                   "mouth. Breathe in slowly and hold your breath for ten seconds.";
	/* A javascript: source is refused, with the text kept. */
	char *f = form("csrf", tok, "title", "Using a spacer with your inhaler", "slug", "", "summary",
	               "Why a spacer helps & how to use it.", "body", body, "sources",
	               "Bad | javascript:alert(1)", "reviewed", "1", NULL);
	r = http_post(c, "/asthma/content/new", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "must start with http:// or https://"));
	assert_true(has(r, "Why a spacer helps &amp; how to use it."));
	assert_true(has(r, "Bad | javascript:alert(1)</textarea>"));
	free(f);
	f = form("csrf", tok, "title", "Using a spacer with your inhaler", "slug", "", "summary",
	         "Why a spacer helps & how to use it.", "body", body, "sources",
	         "Asthma + Lung UK: Spacers | https://www.asthmaandlung.org.uk/\nhttps://example.org/spacers", "reviewed",
	         "1", NULL);
	r = http_post(c, "/asthma/content/new", f);
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/asthma/content/using-a-spacer-with-your-inhaler");
	r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Using a spacer with your inhaler"));
	assert_true(has(r, "Reviewed by <a href=\"/u/helen_writes\">"));
	assert_true(has(r, "<a rel=\"nofollow noopener\" href=\"https://www.asthmaandlung.org.uk/\">Asthma + Lung UK: Spacers</a>"));
	assert_true(has(r, "href=\"https://example.org/spacers\">https://example.org/spacers</a>"));
	/* The same address again is refused. */
	r = http_post(c, "/asthma/content/new", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Another article of this guide has that address"));
	free(f);
	/* Editing keeps the address and replaces the sources. */
	r = http_get(c, "/asthma/content/using-a-spacer-with-your-inhaler/edit");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Asthma + Lung UK: Spacers | https://www.asthmaandlung.org.uk/"));
	f = form("csrf", tok, "title", "Using a spacer with an inhaler", "summary", "Short.", "body", body, "sources", "",
	         NULL);
	r = http_post(c, "/asthma/content/using-a-spacer-with-your-inhaler/edit", f);
	assert_int_equal(r->status, 303);
	r = http_follow(c, r);
	assert_true(has(r, "<h1>Using a spacer with an inhaler</h1>"));
	assert_false(has(r, "Sources and further reading"));
	assert_true(has(r, "Reviewed by")); /* the earlier review stays */
	/* It is found by search, under "Guide articles". */
	r = http_get(c, "/search?q=spacer");
	assert_true(has(r, "Guide articles"));
	assert_true(has(r, "href=\"/asthma/content/using-a-spacer-with-your-inhaler\""));
	free(f);
	free(tok);
	client_free(c);
}

static void test_answer_sources(void **state)
{
	client *g = client_new(&S);
	char *q = ask(g, "migraine", "Do migraines get better after menopause at all?",
	              "My migraines were tied to my cycle for years. Will that change later on?");
	char apath[256];
	snprintf(apath, sizeof apath, "%.*s/answers", (int)(strcspn(q + 20, "-") + 20), q);
	client_free(g);

	/* A member sees no sources field, and a sources field sent anyway is ignored. */
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "tom_h", PW), 0);
	resp *r = http_get(m, q);
	assert_false(has(r, "name=\"sources\""));
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca); /* a new member still gets a CAPTCHA */
	char *f = form("csrf", tok, "body", "Mine eased off after a couple of years.", "sources",
	               "Mine | https://example.org/member", "captcha_token", ct, "captcha_answer", ca, NULL);
	free(ct);
	free(ca);
	r = http_post(m, apath, f);
	assert_int_equal(r->status, 303);
	r = http_follow(m, r);
	assert_false(has(r, "https://example.org/member"));
	free(tok);
	free(f);
	client_free(m);

	client *c = client_new(&S);
	assert_int_equal(login_as(c, "jose_rn", PW), 0);
	r = http_get(c, q);
	assert_true(has(r, "name=\"sources\""));
	tok = csrf_of(r);
	/* Only http and https. */
	f = form("csrf", tok, "body", "Many people find hormonal migraines ease after menopause.", "sources",
	         "Evil | data:text/html,<script>alert(1)</script>", NULL);
	r = http_post(c, apath, f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Source 1: the link must start with http:// or https://"));
	assert_true(has(r, "Many people find hormonal migraines ease after menopause.</textarea>"));
	assert_false(has(r, "<script>alert(1)"));
	free(f);
	f = form("csrf", tok, "body", "Many people find hormonal migraines ease after menopause.", "sources",
	         "The Migraine Trust: Hormones | https://migrainetrust.org/\"onmouseover=x", NULL);
	r = http_post(c, apath, f);
	assert_int_equal(r->status, 422);
	free(f);
	f = form("csrf", tok, "body", "Many people find hormonal migraines ease after menopause.", "sources",
	         "The Migraine Trust: Hormones & migraine | https://migrainetrust.org/hormones?a=1&b=2", NULL);
	r = http_post(c, apath, f);
	assert_int_equal(r->status, 303);
	long aid = strtol(strstr(r->location, "#answer-") + 8, NULL, 10);
	r = http_follow(c, r);
	assert_true(has(r, "Read more"));
	assert_true(has(r, "<a rel=\"nofollow noopener\" href=\"https://migrainetrust.org/hormones?a=1&amp;b=2\">"
	                   "The Migraine Trust: Hormones &amp; migraine</a>"));
	free(f);
	/* The guide edits the sources with the answer; the edit is checked the same way. */
	char epath[300];
	snprintf(epath, sizeof epath, "%s/%ld/edit", apath, aid);
	r = http_get(c, epath);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "The Migraine Trust: Hormones &amp; migraine | https://migrainetrust.org/hormones?a=1&amp;b=2\n</textarea>"));
	f = form("csrf", tok, "body", "Many people find hormonal migraines ease after menopause.", "note", "", "sources",
	         "ftp://example.org/x", NULL);
	r = http_post(c, epath, f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Source 1: the link must start with http:// or https://"));
	free(f);
	f = form("csrf", tok, "body", "Many people find hormonal migraines ease after menopause.", "note", "new source",
	         "sources", "NHS: Migraine | https://www.nhs.uk/conditions/migraine/", NULL);
	r = http_post(c, epath, f);
	assert_int_equal(r->status, 303);
	r = http_follow(c, r);
	assert_true(has(r, "href=\"https://www.nhs.uk/conditions/migraine/\">NHS: Migraine</a>"));
	assert_false(has(r, "migrainetrust.org/hormones"));
	free(f);
	free(tok);
	free(q);
	client_free(c);
}

static void test_search_lay_words(void **state)
{
	client *c = client_new(&S);
	/* "bp" finds hypertension questions that never say "bp". */
	resp *r = http_get(c, "/search?q=bp");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "0 results"));
	assert_true(has(r, "href=\"/hypertension/questions/"));
	assert_true(has(r, "<mark>"));
	/* A lay term with another word: both must match. */
	r = http_get(c, "/search?q=bp+monitor");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "href=\"/hypertension/questions/9-what-should-i-look-for-when-buying-a-home-blood-pressure-monitor\""));
	/* "sugar" finds diabetes; "eye twitching" finds blepharospasm and hemifacial spasm. */
	r = http_get(c, "/search?q=sugar");
	assert_true(has(r, "href=\"/type-2-diabetes/questions/"));
	r = http_get(c, "/search?q=eye+twitching");
	assert_true(has(r, "href=\"/blepharospasm/questions/"));
	assert_true(has(r, "href=\"/hemifacial-spasm/questions/"));
	/* The topic filter keeps to one topic. */
	r = http_get(c, "/search?q=eye+twitching&topic=blepharospasm");
	assert_true(has(r, "href=\"/blepharospasm/questions/"));
	assert_false(has(r, "href=\"/hemifacial-spasm/questions/"));

	/* A brand name is found by the generic name, and the other way round. */
	char *q = ask(c, "hypertension", "Cozaar makes me cough at night, normal?",
	              "Started on Cozaar last month and the tickly cough will not stop.");
	r = http_get(c, "/search?q=losartan");
	assert_true(has(r, "Cozaar makes me cough at night, normal?"));
	assert_true(has(r, "<mark>Cozaar</mark>"));
	free(q);

	/* A phrase of the vocabulary matches its words side by side only (on PostgreSQL through
	 * the pair lexemes of migration 143, on SQLite through FTS5 phrases). */
	q = ask(c, "blepharospasm", "Quoxelby drops: is my eye twitching from them?",
	        "Since the quoxelby drops my left eye twitching lasts all evening.");
	free(q);
	q = ask(c, "blepharospasm", "Quoxelby drops and my hands",
	        "After the quoxelby drops in one eye I noticed twitching in my hands.");
	free(q);
	r = http_get(c, "/search?q=eye+twitching+quoxelby");
	assert_true(has(r, "1 result"));
	assert_true(has(r, "Quoxelby drops: is my eye twitching from them?"));
	assert_false(has(r, "Quoxelby drops and my hands"));

	/* Ranking: a title match comes before a body-only match. */
	q = ask(c, "asthma", "Any tips for a zyxwovel problem?", "This is the question body with nothing special in it.");
	free(q);
	q = ask(c, "asthma", "A question with a plain title here", "The body mentions the word zyxwovel only down here.");
	free(q);
	r = http_get(c, "/search?q=zyxwovel");
	assert_true(has(r, "2 results"));
	const char *t1 = strstr(r->body, "Any tips for a zyxwovel problem?");
	const char *t2 = strstr(r->body, "A question with a plain title here");
	assert_non_null(t1);
	assert_non_null(t2);
	assert_true(t1 < t2);
	assert_true(has(r, "<mark>zyxwovel</mark>"));

	/* Words found only in an answer still find the question. */
	client *g = client_new(&S);
	assert_int_equal(login_as(g, "jose_rn", PW), 0);
	q = ask(g, "asthma", "What should I ask at my asthma review?", "I have my yearly review next week. What should I ask?");
	char apath[256];
	snprintf(apath, sizeof apath, "%.*s/answers", (int)(strcspn(q + 17, "-") + 17), q);
	r = http_get(g, q);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "body", "Ask them to check your qwertonic technique.", NULL);
	r = http_post(g, apath, f);
	assert_int_equal(r->status, 303);
	r = http_get(c, "/search?q=qwertonic");
	assert_true(has(r, "What should I ask at my asthma review?"));
	assert_true(has(r, "Matched in an answer"));
	assert_true(has(r, "<mark>qwertonic</mark>"));
	free(f);
	free(tok);
	free(q);
	client_free(g);

	/* Nothing searchable, and nothing found. */
	r = http_get(c, "/search?q=%22%29%28*");
	assert_int_equal(r->status, 200);
	r = http_get(c, "/search?q=qqqzzzxxx");
	assert_true(has(r, "0 results"));
	assert_true(has(r, "Nothing matched"));
	client_free(c);
}

static void test_similar_questions(void **state)
{
	client *c = client_new(&S);
	/* On a question page. */
	resp *r = http_get(c, "/hypertension");
	const char *p = strstr(r->body, "href=\"/hypertension/questions/");
	assert_non_null(p);
	char path[256];
	snprintf(path, sizeof path, "%.*s", (int)strcspn(p + 6, "\""), p + 6);
	r = http_get(c, path);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Similar questions"));
	/* While asking, without JavaScript: the "check" step shows them and keeps the text. */
	r = http_get(c, "/blepharospasm/ask");
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "title", "My eyelid twitching will not stop", "body", "kept body text here",
	               "guest_name", "", "action", "check", NULL);
	r = http_post(c, "/blepharospasm/ask", f);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Did you mean one of these?"));
	assert_true(has(r, "href=\"/blepharospasm/questions/"));
	assert_true(has(r, "kept body text here</textarea>"));
	assert_true(has(r, "value=\"My eyelid twitching will not stop\""));
	free(f);
	/* Nothing was posted by the check. */
	r = http_get(c, "/search?q=%22will+not+stop%22+eyelid");
	assert_false(has(r, "My eyelid twitching will not stop"));
	/* Without JavaScript, "Post" on the form as served (similar_step=1) is the same step when
	 * similar questions exist: nothing is saved, the CAPTCHA is not used up, and the form
	 * shown then (without the step field) posts. */
	r = http_get(c, "/blepharospasm/ask");
	assert_true(has(r, "name=\"similar_step\" value=\"1\""));
	free(tok);
	tok = csrf_of(r);
	char *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	f = form("csrf", tok, "title", "Eyelid twitching that will not stop after botox", "body",
	         "The twitching came back after the second injection and I do not know why.", "guest_name", "",
	         "captcha_token", ct, "captcha_answer", ca, "similar_step", "1", "action", "post", NULL);
	r = http_post(c, "/blepharospasm/ask", f);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Did you mean one of these?"));
	assert_true(has(r, "href=\"/blepharospasm/questions/"));
	assert_true(has(r, "came back after the second injection and I do not know why.</textarea>"));
	assert_false(has(r, "name=\"similar_step\""));
	free(f);
	/* The same CAPTCHA answer still works (it was not used), and now it posts. */
	f = form("csrf", tok, "title", "Eyelid twitching that will not stop after botox", "body",
	         "The twitching came back after the second injection and I do not know why.", "guest_name", "",
	         "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
	r = http_post(c, "/blepharospasm/ask", f);
	assert_int_equal(r->status, 303);
	free(f);
	/* A title like nothing asked before posts at once, step field or not. */
	r = http_get(c, "/blepharospasm/ask");
	free(tok);
	free(ct);
	free(ca);
	tok = csrf_of(r);
	captcha_solve(&S, r, &ct, &ca);
	f = form("csrf", tok, "title", "Qwzxv plorbic fnargle quuxium", "body", "Zyxwv blorptangle frobnicated wibbly.",
	         "guest_name", "", "captcha_token", ct, "captcha_answer", ca, "similar_step", "1", "action", "post", NULL);
	r = http_post(c, "/blepharospasm/ask", f);
	assert_int_equal(r->status, 303);
	free(f);
	free(ct);
	free(ca);
	/* With JavaScript, the site script asks /{topic}/similar while the title is typed
	 * (tests/http/test_frontend.c covers that endpoint) and sets similar_step to 0. */
	r = http_get(c, "/blepharospasm/ask");
	assert_true(has(r, "data-similar=\"/blepharospasm/similar\""));
	/* A title with the question already asked, by GET (links from elsewhere). */
	r = http_get(c, "/blepharospasm/ask?title=eyelid+twitching+botox");
	assert_true(has(r, "Did you mean one of these?"));
	free(tok);
	client_free(c);
}

static void test_autolink(void **state)
{
	client *c = client_new(&S);
	char *q = ask(c, "migraine", "Does my BP matter for my headaches?",
	              "Since my BP went up my headaches are worse. High blood pressure runs in the family.\n\n"
	              "My notes say `hypertension` in code, and [my hypertension diary](https://example.org/d).\n\n"
	              "    hypertension in a code block\n\n"
	              "A friend with asthma says my bp is fine, and I also take Cozaar.");
	resp *r = http_get(c, q);
	assert_int_equal(r->status, 200);
	/* First mention only, linked to the topic page without rel. */
	assert_true(has(r, "<a href=\"/hypertension\">BP</a> went up"));
	assert_int_equal(count_of(r, "<a href=\"/hypertension\">"), 1);
	/* Never inside code, code blocks or existing links. */
	assert_true(has(r, "<code>hypertension</code>"));
	assert_true(has(r, "<pre><code>hypertension in a code block"));
	assert_true(has(r, ">my hypertension diary</a>"));
	/* Another topic is linked too; the post's own topic is not. */
	assert_true(has(r, "<a href=\"/asthma\">asthma</a>"));
	assert_true(has(r, "my headaches are worse"));
	assert_false(has(r, ">headaches</a>"));
	/* A short name in lower case is not linked ("bp" could be anything). */
	assert_true(has(r, "my bp is fine"));
	/* The user's own link keeps its rel. */
	assert_true(has(r, "rel=\"nofollow ugc noopener\" href=\"https://example.org/d\""));
	free(q);
	client_free(c);
}

/* Writes the body to a file and runs the Atom checker on it. */
static void assert_atom(const resp *r)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", __FILE__);
	char *slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = 0;
	char path[] = "/tmp/cc-atom-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, r->body, r->len), (ssize_t)r->len);
	close(fd);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "python3 '%s/atom_check.py' '%s'", dir, path);
	int rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

static void test_feeds_and_discovery(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/feeds/all.atom");
	assert_int_equal(r->status, 200);
	char *ct = header_of(r, "Content-Type");
	assert_non_null(strstr(ct, "application/atom+xml"));
	free(ct);
	assert_true(has(r, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
	assert_atom(r);
	/* A question with markup and quotes stays well-formed. */
	char *q = ask(c, "hypertension", "Tips & tricks: \"low <salt>\" cooking?",
	              "Any **recipes** with <b>less</b> salt & more taste? Ampersands & 'quotes'.");
	r = http_get(c, "/feeds/hypertension.atom");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Tips &amp; tricks: &quot;low &lt;salt&gt;&quot; cooking?"));
	assert_true(has(r, "measuring-blood-pressure-at-home")); /* articles too */
	assert_false(has(r, "/asthma/questions/"));
	assert_atom(r);
	free(q);
	r = http_get(c, "/feeds/no-such-topic.atom");
	assert_int_equal(r->status, 404);
	r = http_get(c, "/feeds/hypertension.rss");
	assert_int_equal(r->status, 404);

	r = http_get(c, "/sitemap.xml");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
	assert_true(has(r, "/hypertension/content/measuring-blood-pressure-at-home</loc>"));
	assert_true(has(r, "/hypertension/questions/"));
	r = http_get(c, "/robots.txt");
	assert_true(has(r, "Sitemap: http"));
	assert_true(has(r, "/sitemap.xml"));
	r = http_get(c, "/");
	assert_true(has(r, "<meta name=\"description\""));
	assert_true(has(r, "<meta property=\"og:site_name\""));
	assert_true(has(r, "href=\"/feeds/all.atom\""));
	client_free(c);
}

static void test_guide_queue(void **state)
{
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "zoe_m", PW), 0);
	resp *r = http_get(m, "/guides/queue");
	assert_int_equal(r->status, 403);
	client_free(m);

	client *g = client_new(&S);
	char *q = ask(g, "trigeminal-neuralgia", "Is a cold wind a trigger for face pain?",
	              "Every time I go out in the cold wind the pain starts. Is that common?");
	assert_int_equal(login_as(g, "helen_writes", PW), 0);
	r = http_get(g, "/guides/queue");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Questions waiting for an answer"));
	assert_true(has(r, "across all topics"));
	assert_true(has(r, "Is a cold wind a trigger for face pain?"));
	/* Follow one topic: only its questions remain, with its count. */
	char *tok = csrf_of(r);
	const char *p = strstr(r->body, "\"> Trigeminal");
	assert_non_null(p);
	const char *v = p;
	while (v > r->body && strncmp(v, "value=\"", 7) != 0)
		v--;
	char id[32];
	snprintf(id, sizeof id, "%.*s", (int)strcspn(v + 7, "\""), v + 7);
	char *f = form("csrf", tok, "topic", id, NULL);
	r = http_post(g, "/guides/queue", f);
	assert_int_equal(r->status, 303);
	r = http_follow(g, r);
	assert_true(has(r, "in the 1 topic you follow"));
	assert_true(has(r, "Is a cold wind a trigger for face pain?"));
	assert_false(has(r, "href=\"/asthma/questions/"));
	free(f);
	free(tok);
	free(q);
	client_free(g);
}

static void test_verified_guide(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/u/jose_rn/credentials");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Verified guide"));
	assert_true(has(r, "Registered nurse"));
	assert_true(has(r, "DEMO-RN-20417"));
	assert_true(has(r, "Valid until"));
	assert_false(has(r, "Record or change these credentials"));
	r = http_get(c, "/u/helen_writes/credentials");
	assert_int_equal(r->status, 404);

	/* jose_rn answers: the Guide badge links to the credentials. */
	char *q = ask(c, "hypothyroidism", "Should I take levothyroxine before breakfast?",
	              "My pharmacist and my GP said different things about the timing of my tablet.");
	char apath[256];
	snprintf(apath, sizeof apath, "%.*s/answers", (int)(strcspn(q + 26, "-") + 26), q);
	client *g = client_new(&S);
	assert_int_equal(login_as(g, "jose_rn", PW), 0);
	r = http_get(g, q);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "body", "Usually on an empty stomach, 30 to 60 minutes before food.", NULL);
	r = http_post(g, apath, f);
	assert_int_equal(r->status, 303);
	free(f);
	free(tok);
	r = http_get(c, q);
	assert_true(has(r, "<a class=\"badge-link\" href=\"/u/jose_rn/credentials\""));
	assert_true(has(r, "badge-guide\">Guide</span></a>"));

	/* Only admins record credentials. */
	r = http_get(g, "/admin/guides/jose_rn");
	assert_int_equal(r->status, 403);
	client_free(g);

	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", PW), 0);
	r = http_get(a, "/admin/guides");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "href=\"/admin/guides/jose_rn\""));
	assert_true(has(r, "href=\"/admin/guides/helen_writes\""));
	assert_true(has(r, "No credentials recorded"));
	assert_true(has(r, "Verified"));
	r = http_get(a, "/admin/guides/jose_rn");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "value=\"DEMO-RN-20417\""));
	tok = csrf_of(r);
	/* Bad dates come back with a clear message and the text kept. */
	f = form("csrf", tok, "action", "save", "profession", "Registered nurse", "specialty", "", "registration",
	         "RN-777", "issuing_body", "Council <b>", "verified_on", "31/12/2025", "expires_on", "2020-01-01", NULL);
	r = http_post(a, "/admin/guides/jose_rn", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Enter the verification date as YYYY-MM-DD"));
	assert_true(has(r, "value=\"Council &lt;b&gt;\""));
	free(f);
	/* Credentials for a member are refused. */
	f = form("csrf", tok, "action", "save", "profession", "Nurse", "specialty", "", "registration", "", "issuing_body",
	         "", "verified_on", "2025-01-01", "expires_on", "", NULL);
	r = http_post(a, "/admin/guides/zoe_m", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Only guides have credentials"));
	free(f);
	/* Expired credentials drop the badge. */
	f = form("csrf", tok, "action", "save", "profession", "Registered nurse", "specialty", "", "registration",
	         "RN-777", "issuing_body", "Council", "verified_on", "2020-01-01", "expires_on", "2021-01-01", NULL);
	r = http_post(a, "/admin/guides/jose_rn", f);
	assert_int_equal(r->status, 303);
	r = http_follow(a, r);
	assert_true(has(r, "updated: profession: Registered nurse"));
	assert_true(has(r, "recorded: profession: Registered nurse")); /* the demo's own record */
	free(f);
	r = http_get(c, "/u/jose_rn/credentials");
	assert_true(has(r, "These credentials are no longer current"));
	assert_true(has(r, "Expired on"));
	r = http_get(c, q);
	assert_false(has(r, "badge-guide"));
	assert_false(has(r, "is-guide"));
	/* Renewed, then revoked with a reason. */
	f = form("csrf", tok, "action", "save", "profession", "Registered nurse", "specialty", "", "registration",
	         "RN-777", "issuing_body", "Council", "verified_on", "2026-01-01", "expires_on", "2031-01-01", NULL);
	r = http_post(a, "/admin/guides/jose_rn", f);
	assert_int_equal(r->status, 303);
	free(f);
	r = http_get(c, q);
	assert_true(has(r, "badge-guide"));
	f = form("csrf", tok, "action", "revoke", "reason", "", NULL);
	r = http_post(a, "/admin/guides/jose_rn", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "The reason"));
	free(f);
	f = form("csrf", tok, "action", "revoke", "reason", "Registration lapsed", NULL);
	r = http_post(a, "/admin/guides/jose_rn", f);
	assert_int_equal(r->status, 303);
	r = http_follow(a, r);
	assert_true(has(r, "revoked: reason: Registration lapsed"));
	free(f);
	r = http_get(c, "/u/jose_rn/credentials");
	assert_true(has(r, "Revoked on"));
	assert_true(has(r, "Registration lapsed"));
	r = http_get(c, q);
	assert_false(has(r, "badge-guide"));
	free(tok);
	free(q);
	client_free(a);
	client_free(c);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_condition_guide),    cmocka_unit_test(test_article_page),
	    cmocka_unit_test(test_guide_writes_article), cmocka_unit_test(test_answer_sources),
	    cmocka_unit_test(test_search_lay_words),   cmocka_unit_test(test_similar_questions),
	    cmocka_unit_test(test_autolink),           cmocka_unit_test(test_feeds_and_discovery),
	    cmocka_unit_test(test_guide_queue),        cmocka_unit_test(test_verified_guide),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
