/* test_util.c: slugs, integer parsing, plurals, relative times, base64url, keyed MACs and trimming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/util.h"

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

/* True when s is a-z, 0-9 and single inner dashes only. */
static bool slug_shape(const char *s)
{
	size_t n = strlen(s);
	if (n && (s[0] == '-' || s[n - 1] == '-'))
		return false;
	for (size_t i = 0; i < n; i++) {
		bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
		if (!ok || (s[i] == '-' && s[i + 1] == '-'))
			return false;
	}
	return true;
}

static void test_lower(void **state)
{
	arena *a = arena_new(0);
	(void)state;
	assert_string_equal(util_lower(a, "Zoe.Test@Example.ORG"), "zoe.test@example.org");
	/* Only ASCII letters change: UTF-8 bytes stay as they are. */
	assert_string_equal(util_lower(a, "\xC3\x89LAN \xC3\xA9"), "\xC3\x89lan \xC3\xA9");
	assert_string_equal(util_lower(a, ""), "");
	arena_free(a);
}

static void test_slugify(void **state)
{
	arena *a = *state;
	assert_string_equal(util_slugify(a, "Can stress cause hair loss?", 80), "can-stress-cause-hair-loss");
	assert_string_equal(util_slugify(a, "  --Hello,   World!!  ", 80), "hello-world");
	assert_string_equal(util_slugify(a, "A/B (test) #2: 100%", 80), "a-b-test-2-100");
	assert_string_equal(util_slugify(a, "Don't panic; it's fine", 80), "dont-panic-its-fine");
	/* Non-ASCII letters never reach the slug. */
	assert_string_equal(util_slugify(a, "Caf\xC3\xA9 au lait \xE2\x98\x95", 80), "caf-au-lait");
	assert_string_equal(util_slugify(a, "\xC3\xA9\xC3\xA9\xC3\xA9", 80), "");
	assert_string_equal(util_slugify(a, "?!", 80), "");
	assert_true(slug_shape(util_slugify(a, "Na\xC3\xAFve \xE2\x80\x94 question \xC2\xBF", 80)));
}

static void test_slugify_max(void **state)
{
	arena *a = *state;
	const char *title = "I need to know if this is normal";
	/* Cutting on a word boundary. */
	assert_string_equal(util_slugify(a, title, 6), "i-need");
	assert_string_equal(util_slugify(a, title, 7), "i-need");
	assert_string_equal(util_slugify(a, title, 9), "i-need-to");
	assert_string_equal(util_slugify(a, title, 0), "");
	/* Never more than max bytes and never a trailing dash, whatever the limit. */
	for (size_t max = 1; max < 40; max++) {
		char *s = util_slugify(a, title, max);
		assert_true(strlen(s) <= max);
		assert_true(slug_shape(s));
	}
}

static void test_slugify_max_cuts_word(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	arena *a = *state;
	assert_string_equal(util_slugify(a, "I need to know if this is normal", 8), "i-need");
	assert_string_equal(util_slugify(a, "hello world", 8), "hello");
	assert_string_equal(util_slugify(a, "hello world", 10), "hello");
}

static void test_slugify_typographic_apostrophe(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	arena *a = *state;
	assert_string_equal(util_slugify(a, "Can\xE2\x80\x99t sleep", 80), "cant-sleep");
}

static void test_parse_i64(void **state)
{
	int64_t v = -1;
	assert_true(util_parse_i64("0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(util_parse_i64("42", 1, 100, &v));
	assert_int_equal(v, 42);
	assert_true(util_parse_i64("-7", -10, 10, &v));
	assert_true(v == -7);
	assert_true(util_parse_i64("9223372036854775807", 0, INT64_MAX, &v));
	assert_true(v == INT64_MAX);
	v = 99;
	assert_false(util_parse_i64("", 0, 100, &v));
	assert_false(util_parse_i64(NULL, 0, 100, &v));
	assert_false(util_parse_i64("12a", 0, 100, &v));
	assert_false(util_parse_i64("a12", 0, 100, &v));
	assert_false(util_parse_i64("-", -10, 10, &v));
	assert_false(util_parse_i64("+5", 0, 10, &v));
	assert_false(util_parse_i64(" 5", 0, 10, &v));
	assert_false(util_parse_i64("5 ", 0, 10, &v));
	assert_false(util_parse_i64("1-2", 0, 100, &v));
	assert_false(util_parse_i64("1.5", 0, 100, &v));
	assert_false(util_parse_i64("9223372036854775808", 0, INT64_MAX, &v));   /* overflow */
	assert_false(util_parse_i64("99999999999999999999", 0, INT64_MAX, &v));  /* 20 digits */
	assert_false(util_parse_i64("101", 1, 100, &v));                        /* out of range */
	assert_false(util_parse_i64("0", 1, 100, &v));
	assert_false(util_parse_i64("-1", 0, 100, &v));
	assert_int_equal(v, 99); /* untouched on failure */
}

static void test_parse_i64_min(void **state)
{
	/* Regression test for a bug the unit tests found (fixed). */
	int64_t v = 0;
	assert_true(util_parse_i64("-9223372036854775808", INT64_MIN, 0, &v));
	assert_true(v == INT64_MIN);
	assert_true(util_parse_i64("-1000000000000000000", INT64_MIN, 0, &v));
}

static void test_plural(void **state)
{
	arena *a = *state;
	assert_string_equal(util_plural(a, 1, "answer", "answers"), "1 answer");
	assert_string_equal(util_plural(a, 0, "answer", "answers"), "0 answers");
	assert_string_equal(util_plural(a, 2, "answer", "answers"), "2 answers");
	assert_string_equal(util_plural(a, -1, "answer", "answers"), "-1 answers");
}

static void test_ago(void **state)
{
	arena *a = *state;
	const int64_t now = 1773309840; /* 12 March 2026 10:04 UTC */
	const int64_t m = 60, h = 3600, d = 86400;
	assert_string_equal(util_ago(a, now, now), "just now");
	assert_string_equal(util_ago(a, now - 59, now), "just now");
	assert_string_equal(util_ago(a, now + 500, now), "just now");
	assert_string_equal(util_ago(a, now - m, now), "1 minute ago");
	assert_string_equal(util_ago(a, now - 2 * m, now), "2 minutes ago");
	assert_string_equal(util_ago(a, now - h + 1, now), "59 minutes ago");
	assert_string_equal(util_ago(a, now - h, now), "1 hour ago");
	assert_string_equal(util_ago(a, now - d + 1, now), "23 hours ago");
	assert_string_equal(util_ago(a, now - d, now), "1 day ago");
	assert_string_equal(util_ago(a, now - 30 * d, now), "30 days ago");
	assert_string_equal(util_ago(a, now - 31 * d, now), "1 month ago");
	assert_string_equal(util_ago(a, now - 75 * d, now), "2 months ago");
	assert_string_equal(util_ago(a, now - 364 * d, now), "12 months ago");
	/* After a year the date itself. */
	assert_string_equal(util_ago(a, now - 365 * d, now), "12 March 2025");
	assert_string_equal(util_date(a, now), "12 March 2026");
	assert_string_equal(util_iso8601(a, now), "2026-03-12T10:04:00Z");
}

static void test_b64url(void **state)
{
	arena *a = *state;
	unsigned char data[64], back[64 + 3];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 37 + 250);
	for (size_t n = 0; n <= sizeof data; n++) {
		char *s = util_b64url(a, data, n);
		assert_int_equal(strlen(s), (n * 4 + 2) / 3);
		assert_null(strpbrk(s, "+/="));
		long got = util_b64url_decode(s, strlen(s), back, sizeof back);
		assert_int_equal(got, (long)n);
		assert_memory_equal(back, data, n);
	}
	static const unsigned char fb[] = {0xFB, 0xFF, 0xBF};
	assert_string_equal(util_b64url(a, fb, 3), "-_-_");
	assert_int_equal(util_b64url_decode("ab+/", 4, back, sizeof back), -1);
	assert_int_equal(util_b64url_decode("a", 1, back, sizeof back), -1);
	/* One spelling per value: libsodium alone reads 0xFF as '_'. */
	assert_int_equal(util_b64url_decode("-_-_", 4, back, sizeof back), 3);
	assert_int_equal(util_b64url_decode("-_-\xff", 4, back, sizeof back), -1);
	assert_int_equal(util_b64url_decode("-_-_ ", 5, back, sizeof back), -1);
	char *t1 = util_token(a, 32), *t2 = util_token(a, 32);
	assert_int_equal(strlen(t1), 43);
	assert_string_not_equal(t1, t2);
}

static void test_mac(void **state)
{
	arena *a = *state;
	unsigned char k1[32], k2[32];
	memset(k1, 1, sizeof k1);
	memset(k2, 1, sizeof k2);
	k2[31] = 2;
	unsigned char m1[32], m2[32], m3[32], m4[32], m5[32], m6[32];
	util_mac(m1, 32, k1, "session", "msg", 3);
	util_mac(m2, 32, k1, "session", "msg", 3);
	util_mac(m3, 32, k1, "csrf", "msg", 3);
	util_mac(m4, 32, k2, "session", "msg", 3);
	util_mac(m5, 32, k1, "session", "msh", 3);
	assert_memory_equal(m1, m2, 32);
	assert_memory_not_equal(m1, m3, 32);
	assert_memory_not_equal(m1, m4, 32);
	assert_memory_not_equal(m1, m5, 32);
	/* The domain is separated from the message: ("ab", "c") is not ("a", "bc"). */
	util_mac(m5, 32, k1, "ab", "c", 1);
	util_mac(m6, 32, k1, "a", "bc", 2);
	assert_memory_not_equal(m5, m6, 32);
	/* The hex form is the same MAC. */
	char *hex = util_mac_hex(a, k1, "session", "msg", 3, 16);
	assert_int_equal(strlen(hex), 32);
	unsigned char m7[16];
	util_mac(m7, 16, k1, "session", "msg", 3);
	assert_string_equal(hex, util_hex(a, m7, 16));
	assert_true(util_eq(m1, m2, 32));
	assert_false(util_eq(m1, m3, 32));
}

static void test_trim(void **state)
{
	size_t n = 9;
	const char *s = "  a b \t\n\r";
	const char *t = util_trim(s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(t, "a b", 3);
	assert_ptr_equal(t, s + 2);
	n = 4;
	t = util_trim(" \t\n ", &n);
	assert_int_equal(n, 0);
	n = 3;
	t = util_trim("abc", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(t, "abc", 3);
	n = 0;
	util_trim("", &n);
	assert_int_equal(n, 0);
	/* Only the given length is looked at. */
	n = 2;
	t = util_trim(" x   y", &n);
	assert_int_equal(n, 1);
	assert_int_equal(t[0], 'x');
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slugify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slugify_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slugify_max_cuts_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slugify_typographic_apostrophe, setup, teardown),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_parse_i64_min),
		cmocka_unit_test_setup_teardown(test_plural, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ago, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b64url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac, setup, teardown),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_lower),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
