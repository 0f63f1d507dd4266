/* test_tmpl.c: the template engine: escaping by default, the _html raw rule, parse errors, sections, partials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "render/tmpl.h"

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

static int group_teardown(void **state)
{
	tmpl_shutdown();
	return 0;
}

static void add(const char *name, const char *src)
{
	char err[256] = "";
	if (tmpl_add(name, src, strlen(src), err, sizeof err) != 0)
		fail_msg("tmpl_add(%s): %s", name, err);
}

/* Adds src as template "t" and renders it with ctx. */
static const char *render(arena *a, const char *src, const tval *ctx)
{
	add("t", src);
	buf b;
	buf_init(&b, a, 0, 0);
	assert_true(tmpl_render(&b, "t", ctx));
	assert_false(b.err);
	return b.p;
}

/* Expects tmpl_add to refuse src with a message containing want. */
static void refuse(const char *src, const char *want)
{
	char err[256] = "";
	assert_int_equal(tmpl_add("bad", src, strlen(src), err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("error for %s is \"%s\", wanted \"%s\"", src, err, want);
	assert_false(tmpl_exists("bad"));
}

static void test_escaping(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_str(o, "v", "&<>\"'x");
	assert_string_equal(render(a, "<p title=\"{{v}}\">{{ v }}</p>", o),
	                    "<p title=\"&amp;&lt;&gt;&quot;&#39;x\">&amp;&lt;&gt;&quot;&#39;x</p>");
	/* Values from lists and nested objects are escaped as well. */
	tval *l = tv_childlist(o, "items");
	tv_push_str(l, "<i>");
	tv_str(tv_push(tv_childlist(o, "objs")), "name", "a&b");
	tv_str(tv_child(o, "user"), "name", "\"q\"");
	assert_string_equal(render(a, "{{#items}}{{.}}{{/items}}|{{#objs}}{{name}}{{/objs}}|{{user.name}}", o),
	                    "&lt;i&gt;|a&amp;b|&quot;q&quot;");
	/* Missing values render nothing; tv_str(NULL) leaves the key unset. */
	tv_str(o, "nothing", NULL);
	assert_null(tv_get(o, "nothing"));
	assert_string_equal(render(a, "[{{missing}}][{{nothing}}][{{a.b.c}}]", o), "[][][]");
	assert_false(tmpl_render(NULL, "no-such-template", o));
}

static void test_raw_html_rule(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_html(o, "body_html", "<p>Hi &amp; bye</p>");
	assert_string_equal(render(a, "{{{body_html}}}", o), "<p>Hi &amp; bye</p>");
	/* The same value through {{ }} is escaped. */
	assert_string_equal(render(a, "{{body_html}}", o), "&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;");
	/* A plain string under an _html key is still escaped by {{{ }}}. */
	tv_str(o, "body_html", "<script>x</script>");
	assert_string_equal(render(a, "{{{body_html}}}", o), "&lt;script&gt;x&lt;/script&gt;");
	/* tv_html with a key not ending in _html stores plain text. */
	tv_html(o, "body", "<b>x</b>");
	assert_string_equal(render(a, "{{body}}", o), "&lt;b&gt;x&lt;/b&gt;");
	tv_html(o, "html", "<b>y</b>");
	assert_string_equal(render(a, "{{html}}", o), "&lt;b&gt;y&lt;/b&gt;");
	/* Dotted raw names follow the rule on the last part. */
	tv_html(tv_child(o, "q"), "text_html", "<em>e</em>");
	assert_string_equal(render(a, "{{{q.text_html}}}", o), "<em>e</em>");
	tv_html(o, "none_html", NULL);
	assert_null(tv_get(o, "none_html"));
}

/* Names a template uses are interned and literal keys remembered, so a lookup usually compares
 * pointers; keys that are not (built at run time, put before the template was added, or another
 * name with the same hash) must still be found by their text, and only by it. */
static void test_key_matching(void **state)
{
	arena *a = *state;
	/* Put before any template names them, from run-time strings. */
	tval *o = tv_obj(a);
	tv_str(o, arena_strdup(a, "title"), "T");
	tv_str(o, "liquid", "L"); /* "liquid" and "costarring" have the same FNV-1a hash */
	assert_string_equal(render(a, "{{title}}|{{liquid}}|{{costarring}}", o), "T|L|");
	/* Put after: a literal (interned on first sight), the same literal again, a run-time copy. */
	tval *p = tv_obj(a);
	for (int i = 0; i < 3; i++) {
		tv_str(p, "costarring", "C");
		tv_str(p, arena_strdup(a, "title"), i == 2 ? "U" : "x");
		tv_int(tv_push(tv_childlist(p, arena_strdup(a, "items"))), "n", i);
	}
	assert_string_equal(render(a, "{{title}}|{{liquid}}|{{costarring}}", p), "U||C");
	/* The same name put twice under different pointers is one key, the last value wins. */
	tv_str(p, "title", "V");
	assert_string_equal(render(a, "{{title}}{{#items}}{{n}}{{/items}}", p), "V2");
	assert_string_equal(tv_get_str(p, arena_strdup(a, "costarring")), "C");
	assert_null(tv_get(p, "liquid"));
	/* Objects large enough to be indexed, found by either key. */
	tval *big = tv_obj(a);
	char k[16];
	for (int i = 0; i < 40; i++) {
		snprintf(k, sizeof k, "k%d", i);
		tv_int(big, arena_strdup(a, k), i);
	}
	tv_str(big, "costarring", "C");
	assert_string_equal(render(a, "{{k0}}{{k39}}{{costarring}}[{{liquid}}]", big), "039C[]");
	tv_str(big, "liquid", "L");
	assert_string_equal(render(a, "{{costarring}}{{liquid}}", big), "CL");
}

static void test_parse_errors(void **state)
{
	refuse("{{{raw}}}", "_html");
	refuse("a {{{body}}} b", "_html");
	refuse("{{{html_body}}}", "_html");
	refuse("text {{name", "unclosed tag");
	refuse("{{{body_html}}", "unclosed tag");
	refuse("{{#a}}x{{/b}}", "does not match");
	refuse("{{#a}}{{#b}}x{{/a}}{{/b}}", "does not match");
	refuse("{{#a}}x", "never closed");
	refuse("{{^a}}x", "never closed");
	refuse("x{{/a}}", "closes nothing");
	refuse("{{bad name}}", "bad name");
	refuse("{{}}", "bad name");
	refuse("{{<x>}}", "bad name");
	refuse("{{.a}}", "bad dotted name");
	refuse("line\n\n{{#a}}\n", "never closed");
	/* Errors carry the template name and line. */
	char err[256] = "";
	const char *src = "one\ntwo {{oops\n";
	assert_int_equal(tmpl_add("named", src, strlen(src), err, sizeof err), -1);
	assert_string_equal(err, "named:2: unclosed tag");
}

static void test_bad_dotted_name_leak(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	refuse("{{a..b}}", "bad dotted name");
	refuse("{{a.}}", "bad dotted name");
}

static void test_sections(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tval *items = tv_childlist(o, "items");
	tv_str(tv_push(items), "name", "one");
	tv_str(tv_push(items), "name", "two");
	tv_childlist(o, "empty");
	tv_str(tv_child(o, "user"), "name", "ann");
	tv_bool(o, "yes", true);
	tv_bool(o, "no", false);
	tv_int(o, "zero", 0);
	tv_int(o, "three", 3);
	tv_str(o, "blank", "");
	tv_str(o, "word", "w");
	assert_int_equal(tv_len(items), 2);
	assert_string_equal(render(a, "<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>", o),
	                    "<ul><li>one</li><li>two</li></ul>");
	assert_string_equal(render(a, "[{{#empty}}x{{/empty}}][{{#missing}}x{{/missing}}]", o), "[][]");
	assert_string_equal(render(a, "{{#user}}Hi {{name}}{{/user}}", o), "Hi ann");
	assert_string_equal(render(a, "{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#zero}}Z{{/zero}}{{#three}}T{{three}}{{/three}}"
	                              "{{#blank}}B{{/blank}}{{#word}}W{{word}}{{/word}}",
	                           o),
	                    "YT3Ww");
	/* Nested sections. */
	tval *g = tv_childlist(o, "groups");
	tval *g1 = tv_push(g);
	tv_str(g1, "title", "A");
	tval *tags = tv_childlist(g1, "tags");
	tv_push_str(tags, "x");
	tv_push_str(tags, "y");
	tval *g2 = tv_push(g);
	tv_str(g2, "title", "B");
	tv_push_str(tv_childlist(g2, "tags"), "z");
	assert_string_equal(render(a, "{{#groups}}{{title}}:{{#tags}}{{.}},{{/tags}};{{/groups}}", o), "A:x,y,;B:z,;");
}

static void test_inverted(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_childlist(o, "empty");
	tv_push_str(tv_childlist(o, "full"), "x");
	tv_bool(o, "no", false);
	tv_bool(o, "yes", true);
	tv_int(o, "zero", 0);
	tv_int(o, "one", 1);
	tv_str(o, "blank", "");
	tv_str(o, "word", "w");
	tv_child(o, "obj");
	assert_string_equal(render(a, "{{^empty}}E{{/empty}}{{^missing}}M{{/missing}}{{^no}}N{{/no}}"
	                              "{{^zero}}Z{{/zero}}{{^blank}}B{{/blank}}",
	                           o),
	                    "EMNZB");
	assert_string_equal(render(a, "[{{^full}}F{{/full}}{{^yes}}Y{{/yes}}{{^one}}O{{/one}}{{^word}}W{{/word}}"
	                              "{{^obj}}J{{/obj}}]",
	                           o),
	                    "[]");
	assert_string_equal(render(a, "{{#full}}some{{/full}}{{^full}}none{{/full}}", o), "some");
}

static void test_dotted_and_parents(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_str(o, "site", "CareCircle");
	tv_str(o, "name", "root");
	tval *t = tv_child(o, "topic");
	tv_str(t, "slug", "asthma");
	tv_str(tv_child(t, "guide"), "name", "Dr. G");
	tval *items = tv_childlist(o, "items");
	tv_str(tv_push(items), "name", "first");
	tv_push(items); /* no name: climbs to the root's */
	assert_string_equal(render(a, "/{{topic.slug}} by {{topic.guide.name}} [{{topic.nope}}][{{nope.slug}}]", o),
	                    "/asthma by Dr. G [][]");
	/* Lookups climb to parent contexts; the nearest wins. */
	assert_string_equal(render(a, "{{#items}}{{name}}@{{site}};{{/items}}", o), "first@CareCircle;root@CareCircle;");
	assert_string_equal(render(a, "<b>{{#topic}}{{slug}} {{guide.name}} {{site}}{{/topic}}</b>", o),
	                    "<b>asthma Dr. G CareCircle</b>");
	/* Only the first part of a dotted name climbs: guide has no slug of its own. */
	assert_string_equal(render(a, "{{#topic}}[{{guide.slug}}][{{topic.slug}}]{{/topic}}", o), "[][asthma]");
	assert_string_equal(render(a, "{{#topic}}{{#guide}}[{{slug}}]{{/guide}}{{/topic}}", o), "[asthma]");
	/* A section over a dotted name. */
	assert_string_equal(render(a, "{{#topic.guide}}{{name}}{{/topic.guide}}", o), "Dr. G");
}

/* Objects with many keys are looked up through an index built at the first lookup: every
 * key is found, absent ones are not, a key added after a lookup is found too, and a value
 * replaced after a lookup is the new one. */
static void test_many_keys(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	char key[16], want[2048] = "", tpl[4096] = "";
	for (int i = 0; i < 60; i++) {
		snprintf(key, sizeof key, "k%d", i);
		tv_int(o, arena_strdup(a, key), i * 7);
		char part[64];
		snprintf(part, sizeof part, "{{k%d}},", i);
		strcat(tpl, part);
		snprintf(part, sizeof part, "%d,", i * 7);
		strcat(want, part);
	}
	assert_string_equal(render(a, tpl, o), want);
	assert_string_equal(render(a, "[{{nope}}][{{k60}}][{{k}}]", o), "[][][]");
	assert_non_null(tv_get(o, "k59"));
	assert_null(tv_get(o, "k60"));
	tv_str(o, "late", "added after a lookup");
	tv_int(o, "k3", -1);
	assert_string_equal(render(a, "{{late}} {{k3}} {{k59}}", o), "added after a lookup -1 413");
	/* A many-key parent is climbed to from a small child. */
	tval *l = tv_childlist(o, "items");
	tv_str(tv_push(l), "name", "x");
	assert_string_equal(render(a, "{{#items}}{{name}}{{k42}}{{late}}{{/items}}", o), "x294added after a lookup");
}

static void test_dot_in_string_lists(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tval *l = tv_childlist(o, "tags");
	tv_push_str(l, "a<b");
	tv_push_str(l, "c'd");
	tv_push_str(l, NULL);
	tv_str(o, "sep", "/");
	assert_int_equal(tv_len(l), 3);
	assert_string_equal(render(a, "{{#tags}}[{{.}}]{{sep}}{{/tags}}", o), "[a&lt;b]/[c&#39;d]/[]/");
}

static void test_partials(void **state)
{
	arena *a = *state;
	add("p_item", "<li>{{name}}</li>");
	add("p_list", "<ul>{{#items}}{{>p_item}}{{/items}}</ul>");
	tval *o = tv_obj(a);
	tv_str(o, "name", "outer");
	tval *items = tv_childlist(o, "items");
	tv_str(tv_push(items), "name", "x&y");
	tv_str(tv_push(items), "name", "z");
	assert_string_equal(render(a, "{{>p_item}}{{>p_list}}", o), "<li>outer</li><ul><li>x&amp;y</li><li>z</li></ul>");
	assert_true(tmpl_exists("p_item"));
	assert_false(tmpl_exists("p_nope"));
	/* Replacing a template by name is seen by the templates that include it. */
	add("p_item", "({{name}})");
	assert_string_equal(render(a, "{{>p_list}}", o), "<ul>(x&amp;y)(z)</ul>");
	/* An unknown partial is an error. */
	char err[256] = "";
	assert_int_equal(tmpl_add("uses_missing", "{{>p_nope}}", 11, err, sizeof err), -1);
	assert_non_null(strstr(err, "p_nope"));
	/* Defining it keeps the registry resolvable for the following tests. */
	add("p_nope", "found");
}

static void test_failed_add_not_registered(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	char err[256] = "";
	assert_int_equal(tmpl_add("dangling", "{{>p_absent}}", 13, err, sizeof err), -1);
	bool registered = tmpl_exists("dangling");
	add("p_absent", ""); /* make the registry resolvable again */
	assert_false(registered);
}

static void test_ints_bools_comments(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_int(o, "n", 42);
	tv_int(o, "neg", -7);
	tv_int(o, "big", INT64_MAX);
	tv_bool(o, "t", true);
	tv_bool(o, "f", false);
	assert_string_equal(render(a, "={{n}} {{neg}} {{big}} [{{t}}] [{{f}}]", o), "=42 -7 9223372036854775807 [true] []");
	/* A key set twice keeps the last value. */
	tv_int(o, "n", 43);
	assert_string_equal(render(a, "{{n}}", o), "43");
	assert_string_equal(render(a, "a{{! a comment with {{braces and <b> }}b", o), "ab");
	assert_string_equal(render(a, "a{{! multi\nline }}b{{!}}c", o), "abc");
	assert_null(tv_get_str(o, "missing"));
	tv_str(o, "s", "v");
	assert_string_equal(tv_get_str(o, "s"), "v");
	assert_null(tv_get_str(o, "n"));
}

static void test_compaction(void **state)
{
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_str(o, "x", "X");
	assert_string_equal(render(a, "<ul>\n    <li>a</li>\n\n\n\t\t<li>b</li>\n</ul>\n", o),
	                    "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	/* Inner spaces stay, only line starts are trimmed. */
	assert_string_equal(render(a, "  <p>a  b</p>  \n   \n  {{x}}  y\n", o), "<p>a  b</p>  \nX  y\n");
	/* A section line on its own leaves no blank line behind. */
	assert_string_equal(render(a, "<ul>\n{{#x}}\n  <li>{{x}}</li>\n{{/x}}\n</ul>\n", o), "<ul>\n<li>X</li>\n</ul>\n");
}

static void test_compaction_depends_on_indent(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	arena *a = *state;
	tval *o = tv_obj(a);
	tv_str(o, "first", "Ada");
	tv_str(o, "last", "Lovelace");
	tv_int(o, "count", 3);
	assert_string_equal(render(a, "{{count}} answers", o), "3 answers");
	assert_string_equal(render(a, "{{first}} {{last}}", o), "Ada Lovelace");
	assert_string_equal(render(a, "<p>\n  {{first}}\n  {{last}}\n</p>", o), "<p>\nAda\nLovelace\n</p>");
	assert_string_equal(render(a, "<p>\n{{first}}\n{{last}}\n</p>", o), "<p>\nAda\nLovelace\n</p>");
	assert_string_equal(render(a, "<ul>\n  {{#first}}\n  <li>x</li>\n  {{/first}}\n</ul>", o),
	                    "<ul>\n<li>x</li>\n</ul>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_html_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dotted_name_leak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inverted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotted_and_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot_in_string_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_add_not_registered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ints_bools_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_depends_on_indent, setup, teardown),
	};
	return cmocka_run_group_tests_name("tmpl", tests, NULL, group_teardown);
}
