/* test_autolink.c: md_render_linked: first mention only, and the places it must never link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "render/markdown.h"

/* Links "high blood pressure" and "bp" to /hypertension and "asthma" to /asthma, each once. */
struct ctx {
	int used_h, used_a;
};

static int match(void *p, const char *const *w, int n, const char **url)
{
	struct ctx *x = p;
	if (n >= 3 && !strcmp(w[0], "high") && !strcmp(w[1], "blood") && !strcmp(w[2], "pressure") && !x->used_h) {
		x->used_h = 1;
		*url = "/hypertension";
		return 3;
	}
	if (!strcmp(w[0], "bp") && !x->used_h) {
		x->used_h = 1;
		*url = "/hypertension";
		return 1;
	}
	if (!strcmp(w[0], "asthma") && !x->used_a) {
		x->used_a = 1;
		*url = "/asthma";
		return 1;
	}
	return 0;
}

static char *render(arena *a, const char *md)
{
	struct ctx x = {0};
	md_linker l = {match, &x};
	return md_render_linked(a, md, strlen(md), &l);
}

static void test_first_mention_only(void **state)
{
	(void)state;
	arena *a = arena_new(0);
	char *h = render(a, "My High Blood Pressure and my high blood pressure again, and asthma.");
	assert_non_null(strstr(h, "My <a href=\"/hypertension\">High Blood Pressure</a> and my high blood pressure again"));
	assert_non_null(strstr(h, "<a href=\"/asthma\">asthma</a>."));
	arena_free(a);
}

static void test_refusals(void **state)
{
	(void)state;
	arena *a = arena_new(0);
	/* Code spans, code blocks, headings and existing links are left alone. */
	char *h = render(a, "# asthma\n\n`asthma` and [asthma help](https://example.org)\n\n    asthma\n\nthen asthma.");
	assert_non_null(strstr(h, "<h1>asthma</h1>"));
	assert_non_null(strstr(h, "<code>asthma</code>"));
	assert_non_null(strstr(h, ">asthma help</a>"));
	assert_non_null(strstr(h, "<pre><code>asthma\n"));
	assert_non_null(strstr(h, "then <a href=\"/asthma\">asthma</a>."));
	/* A short name only in capitals. */
	h = render(a, "my bp is fine");
	assert_null(strstr(h, "<a "));
	h = render(a, "my BP is fine");
	assert_non_null(strstr(h, "my <a href=\"/hypertension\">BP</a> is fine"));
	/* Part of a longer word is not a mention. */
	h = render(a, "asthmatic people");
	assert_null(strstr(h, "<a "));
	/* Raw HTML stays dropped, and outside links keep their rel. */
	h = render(a, "asthma <script>alert(1)</script> [x](https://example.org)");
	assert_null(strstr(h, "<script>"));
	assert_non_null(strstr(h, "<a href=\"/asthma\">asthma</a>"));
	assert_non_null(strstr(h, "rel=\"nofollow ugc noopener\" href=\"https://example.org\""));
	/* Without a linker it is plain rendering. */
	h = md_render_linked(a, "asthma", 6, NULL);
	assert_string_equal(h, "<p>asthma</p>\n");
	arena_free(a);
}

static int every_word(void *p, const char *const *w, int n, const char **url)
{
	(void)p;
	(void)w;
	(void)n;
	*url = "/topic";
	return 1;
}

static void test_cap(void **state)
{
	(void)state;
	arena *a = arena_new(0);
	md_linker l = {every_word, NULL};
	const char *md = "alpha bravo charlie delta echoes foxtrot golfer hotel india juliet kilos limas mikes "
	                 "novembers oscars papas";
	char *h = md_render_linked(a, md, strlen(md), &l);
	int n = 0;
	for (const char *p = h; (p = strstr(p, "<a href=")); p++)
		n++;
	assert_int_equal(n, 12);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_mention_only),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, 0, NULL);
}
