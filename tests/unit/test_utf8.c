/* test_utf8.c: UTF-8 validation, decoding, counting, prefixes and cleaning of user text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/utf8.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static void test_valid(void **state)
{
	assert_true(utf8_valid(S("")));
	assert_true(utf8_valid(S("plain ASCII, 123 ~")));
	assert_true(utf8_valid(S("caf\xC3\xA9")));                     /* 2 bytes */
	assert_true(utf8_valid(S("\xE2\x82\xAC 5")));                  /* 3 bytes: euro */
	assert_true(utf8_valid(S("\xF0\x9F\x98\x80")));                /* 4 bytes: emoji */
	assert_true(utf8_valid(S("\xF4\x8F\xBF\xBF")));                /* U+10FFFF */
	assert_true(utf8_valid(S("\xED\x9F\xBF")));                    /* U+D7FF, below surrogates */
	assert_true(utf8_valid(S("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF"))); /* range edges */
}

static void test_invalid(void **state)
{
	assert_false(utf8_valid(S("\xC0\xAF")));         /* overlong '/' */
	assert_false(utf8_valid(S("\xE0\x80\xAF")));     /* overlong, 3 bytes */
	assert_false(utf8_valid(S("\xF0\x80\x80\xAF"))); /* overlong, 4 bytes */
	assert_false(utf8_valid(S("\xED\xA0\x80")));     /* surrogate U+D800 */
	assert_false(utf8_valid(S("\xED\xBF\xBF")));     /* surrogate U+DFFF */
	assert_false(utf8_valid(S("\xF4\x90\x80\x80"))); /* U+110000 */
	assert_false(utf8_valid(S("\xF8\x88\x80\x80\x80")));
	assert_false(utf8_valid(S("ab\xE2\x82")));       /* truncated at the end */
	assert_false(utf8_valid(S("\xC3")));
	assert_false(utf8_valid(S("\xE2\x82" "a")));    /* truncated, then ASCII */
	assert_false(utf8_valid(S("a\x80" "b")));       /* lone continuation */
	assert_false(utf8_valid(S("\xBF")));
	assert_false(utf8_valid(S("\xFF\xFE")));
	/* The length argument is honoured: the valid prefix alone passes. */
	assert_true(utf8_valid("ab\xE2\x82", 2));
}

static void test_decode(void **state)
{
	unsigned cp = 0;
	assert_int_equal(utf8_decode(S("A"), &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode(S("\xC3\xA9"), &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode(S("\xE2\x82\xAC"), &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_decode(S("\xF0\x9F\x98\x80"), &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode(S("\xC0\xAF"), &cp), 0);
	assert_int_equal(utf8_decode(S("\xED\xA0\x80"), &cp), 0);
	assert_int_equal(utf8_decode(S("\xF4\x90\x80\x80"), &cp), 0);
	assert_int_equal(utf8_decode("\xE2\x82\xAC", 2, &cp), 0);
	assert_int_equal(utf8_decode("", 0, &cp), 0);
}

static void test_count(void **state)
{
	assert_int_equal(utf8_count(S("")), 0);
	assert_int_equal(utf8_count(S("abc")), 3);
	assert_int_equal(utf8_count(S("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")), 4);
	/* Invalid bytes count one each. */
	assert_int_equal(utf8_count(S("\xC0\xAF")), 2);
	assert_int_equal(utf8_count(S("a\x80" "b")), 3);
	assert_int_equal(utf8_count(S("\xE2\x82")), 2);
}

static void test_prefix(void **state)
{
	/* a | é (2) | € (3) | 😀 (4) */
	const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
	size_t n = sizeof s - 1;
	assert_int_equal(utf8_prefix(s, n, 0), 0);
	assert_int_equal(utf8_prefix(s, n, 1), 1);
	assert_int_equal(utf8_prefix(s, n, 2), 3);
	assert_int_equal(utf8_prefix(s, n, 3), 6);
	assert_int_equal(utf8_prefix(s, n, 4), 10);
	assert_int_equal(utf8_prefix(s, n, 100), 10);
	/* Every prefix is itself valid UTF-8. */
	for (size_t m = 0; m <= 5; m++) {
		size_t k = utf8_prefix(s, n, m);
		assert_true(utf8_valid(s, k));
		assert_int_equal(utf8_count(s, k), m < 4 ? m : 4);
	}
}

static void test_clean(void **state)
{
	arena *a = arena_new(0);
	/* Valid text, tabs and newlines are kept as they are. */
	assert_string_equal(utf8_clean(a, S("caf\xC3\xA9\t\xE2\x82\xAC\n\xF0\x9F\x98\x80")),
	                    "caf\xC3\xA9\t\xE2\x82\xAC\n\xF0\x9F\x98\x80");
	/* Each invalid byte becomes U+FFFD. */
	assert_string_equal(utf8_clean(a, S("a\xC0\xAF" "b")), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
	assert_string_equal(utf8_clean(a, S("x\x80")), "x\xEF\xBF\xBD");
	assert_string_equal(utf8_clean(a, S("\xED\xA0\x80")), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_string_equal(utf8_clean(a, S("\xF4\x90\x80\x80!")),
	                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!");
	assert_string_equal(utf8_clean(a, S("ok\xE2\x82")), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
	/* NUL and other C0 controls are dropped. */
	assert_string_equal(utf8_clean(a, S("a\0b\x01\x07\x1B[0mc\x1F")), "ab[0mc");
	/* CRLF and lone CR become LF. */
	assert_string_equal(utf8_clean(a, S("one\r\ntwo\rthree\n\r\nfour\r")), "one\ntwo\nthree\n\nfour\n");
	assert_string_equal(utf8_clean(a, S("\r\r\n")), "\n\n");
	assert_string_equal(utf8_clean(a, S("")), "");
	/* The result is always valid UTF-8. */
	const char junk[] = "\xFF\xC3(\xE2\x28\xA1\xF0\x28\x8C\x28\xC3\xA9";
	char *c = utf8_clean(a, junk, sizeof junk - 1);
	assert_true(utf8_valid(c, strlen(c)));
	assert_non_null(strstr(c, "\xC3\xA9"));
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),  cmocka_unit_test(test_invalid), cmocka_unit_test(test_decode),
		cmocka_unit_test(test_count),  cmocka_unit_test(test_prefix),  cmocka_unit_test(test_clean),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
