/* test_markdown.c: safe markdown rendering (no raw HTML, no unsafe links, rel on links) and plain-text excerpts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "render/markdown.h"

static int setup(void **state)
{
	*state = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static const char *md(arena *a, const char *s)
{
	return md_render(a, s, strlen(s));
}

static const char *ex(arena *a, const char *s, size_t max)
{
	return md_excerpt(a, s, strlen(s), max);
}

/* Case-insensitive strstr. */
static const char *find_ci(const char *h, const char *needle)
{
	size_t n = strlen(needle);
	for (; *h; h++)
		if (strncasecmp(h, needle, n) == 0)
			return h;
	return NULL;
}

static int count(const char *h, const char *needle)
{
	int c = 0;
	for (const char *p = strstr(h, needle); p; p = strstr(p + 1, needle))
		c++;
	return c;
}

static void test_raw_html_escaped(void **state)
{
	arena *a = *state;
	static const char *inputs[] = {
		"<script>alert(1)</script>",
		"hi <script>x</script> there",
		"<img src=x onerror=alert(1)>",
		"<a href=\"javascript:x\">a</a>",
		"<div onclick=\"x()\">block</div>",
		"\"><script>alert(1)</script>",
		"<SCRIPT SRC=//evil/x.js></SCRIPT>",
		"<iframe src=\"https://evil\"></iframe>",
		"text\n\n<style>body{}</style>",
		"- item <svg onload=x()>\n\n  <script>y</script>",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *h = md(a, inputs[i]);
		if (find_ci(h, "<script") || find_ci(h, "<img") || find_ci(h, "<iframe") || find_ci(h, "<div") ||
		    find_ci(h, "<style") || find_ci(h, "<svg") || find_ci(h, "<a href"))
			fail_msg("raw HTML passed through: %s -> %s", inputs[i], h);
	}
	/* Raw HTML is shown as the text typed. */
	assert_non_null(strstr(md(a, "hi <script>x</script> there"), "hi &lt;script&gt;x&lt;/script&gt; there"));
	assert_non_null(strstr(md(a, "<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;"));
	assert_string_equal(md(a, "a < b & c > d \"q\""), "<p>a &lt; b &amp; c &gt; d &quot;q&quot;</p>\n");
	assert_string_equal(md(a, "`<b>`"), "<p><code>&lt;b&gt;</code></p>\n");
	assert_string_equal(md(a, ""), "");
}

static void test_unsafe_links_removed(void **state)
{
	arena *a = *state;
	static const char *inputs[] = {
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x](&#106;avascript:alert(1))",
		"[x](<javascript:alert(1)>)",
		"<javascript:alert(1)>",
		"[x](vbscript:msgbox)",
		"[x](data:text/html;base64,PHNjcmlwdD4=)",
		"![i](javascript:alert(1))",
		"[x][r]\n\n[r]: javascript:alert(1)",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *h = md(a, inputs[i]);
		if (find_ci(h, "href=\"javascript") || find_ci(h, "href=\"vbscript") || find_ci(h, "href=\"data:text") ||
		    find_ci(h, "src=\"javascript") || find_ci(h, "&#106;"))
			fail_msg("unsafe URL kept: %s -> %s", inputs[i], h);
	}
	assert_string_equal(md(a, "[x](javascript:alert(1))"), "<p><a rel=\"nofollow ugc noopener\" href=\"\">x</a></p>\n");
	assert_string_equal(md(a, "![i](javascript:x)"), "<p><img src=\"\" alt=\"i\" /></p>\n");
}

static void test_links_get_rel(void **state)
{
	arena *a = *state;
	assert_string_equal(md(a, "[site](https://example.org \"T\")"),
	                    "<p><a rel=\"nofollow ugc noopener\" href=\"https://example.org\" title=\"T\">site</a></p>\n");
	assert_string_equal(md(a, "<https://example.org/a?b=1&c=2>"),
	                    "<p><a rel=\"nofollow ugc noopener\" href=\"https://example.org/a?b=1&amp;c=2\">"
	                    "https://example.org/a?b=1&amp;c=2</a></p>\n");
	const char *h = md(a, "[a](/local) and [b](http://x.example) and [c](mailto:a@b.example)\n\n- [d](https://d.example)");
	assert_int_equal(count(h, "<a "), 4);
	/* Links that leave the site get rel; the site's own links do not. */
	assert_int_equal(count(h, "<a rel=\"nofollow ugc noopener\" href=\""), 3);
	assert_non_null(strstr(h, "<a href=\"/local\""));
	assert_non_null(strstr(h, "href=\"mailto:a@b.example\""));
	/* Text that only looks like an anchor is escaped, not rewritten. */
	h = md(a, "`<a href=\"x\">`");
	assert_int_equal(count(h, "rel="), 0);
}

static void test_blocks_and_emphasis(void **state)
{
	arena *a = *state;
	assert_string_equal(md(a, "- a\n- b\n"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	assert_string_equal(md(a, "1. one\n2. two\n"), "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n");
	assert_string_equal(md(a, "*em* and **strong** and _u_"),
	                    "<p><em>em</em> and <strong>strong</strong> and <em>u</em></p>\n");
	assert_string_equal(md(a, "# Title\n\npara"), "<h1>Title</h1>\n<p>para</p>\n");
	assert_string_equal(md(a, "```\n<b>x</b>\n```"), "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n");
	assert_string_equal(md(a, "> quote"), "<blockquote>\n<p>quote</p>\n</blockquote>\n");
}

static void test_excerpt_plain_text(void **state)
{
	arena *a = *state;
	assert_string_equal(ex(a,
	                       "# Title\n\nSome **bold** and `code` text.\n\n- item one\n- item two\n\n"
	                       "<div>raw</div>\n\n```\ncode block\n```\n",
	                       200),
	                    "Title Some bold and code text. item one item two");
	assert_string_equal(ex(a, "[link text](http://x) and ![alt](y.png) &amp; <b>hi</b>", 100),
	                    "link text and alt & hi");
	assert_string_equal(ex(a, "a   b\n\n\n   c\t\td\nsoft\nbreak", 100), "a b c d soft break");
	assert_string_equal(ex(a, "  \n\n  ", 100), "");
	assert_string_equal(ex(a, "", 10), "");
	assert_string_equal(ex(a, "short", 5), "short");
}

static void test_excerpt_cut(void **state)
{
	arena *a = *state;
	/* Cut at the last word boundary before the limit, with an ellipsis. */
	assert_string_equal(ex(a, "alpha beta gamma delta", 12), "alpha beta\xE2\x80\xA6");
	assert_string_equal(ex(a, "alpha beta gamma delta", 10), "alpha beta\xE2\x80\xA6");
	assert_string_equal(ex(a, "one two three four five six", 9), "one two\xE2\x80\xA6");
	/* A long single word is cut at a code point boundary. */
	const char *e = ex(a, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 5);
	assert_string_equal(e, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
	/* Whatever the limit, the result is valid UTF-8 of at most max code points plus the ellipsis. */
	const char *text = "Caf\xC3\xA9 na\xC3\xAFve \xE2\x82\xAC\xE2\x82\xAC \xF0\x9F\x98\x80\xF0\x9F\x98\x80 "
	                   "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E text";
	size_t total = utf8_count(ex(a, text, 1000), strlen(ex(a, text, 1000)));
	for (size_t max = 0; max <= total; max++) {
		e = ex(a, text, max);
		size_t n = strlen(e);
		assert_true(utf8_valid(e, n));
		bool cut = n >= 3 && strcmp(e + n - 3, "\xE2\x80\xA6") == 0;
		assert_true(cut == (max < total));
		assert_true(utf8_count(e, n) <= max + (cut ? 1 : 0));
		if (cut && n > 3)
			assert_true(e[n - 4] != ' ');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raw_html_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_links_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_get_rel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks_and_emphasis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excerpt_plain_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excerpt_cut, setup, teardown),
	};
	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
