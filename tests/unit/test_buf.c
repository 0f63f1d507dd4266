/* test_buf.c: the arena-backed buffer: appends, printf, limits with a sticky error, HTML and URL escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "core/buf.h"

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

static void test_add_puts(void **state)
{
	buf b;
	buf_init(&b, *state, 0, 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_add(&b, "abc", 3);
	buf_puts(&b, "def");
	buf_putc(&b, '!');
	buf_puts(&b, NULL);
	buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.p, "abcdef!x\0y", 10);
	assert_int_equal(b.p[10], 0);
	assert_false(b.err);
	/* Growth well past the initial capacity keeps earlier bytes. */
	buf_init(&b, *state, 64, 0);
	for (int i = 0; i < 1000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 1000);
	assert_int_equal(strlen(b.p), 1000);
	for (int i = 0; i < 1000; i += 37)
		assert_int_equal(b.p[i], 'a' + i % 26);
}

static void test_printf(void **state)
{
	buf b;
	buf_init(&b, *state, 0, 0);
	buf_printf(&b, "%s=%d;", "n", -12);
	assert_string_equal(b.p, "n=-12;");
	/* Longer than the 256-byte stack buffer. */
	char big[400];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = 0;
	buf_printf(&b, "[%s]%d", big, 7);
	assert_int_equal(b.len, 6 + 1 + 399 + 1 + 1);
	assert_int_equal(strlen(b.p), b.len);
	assert_memory_equal(b.p, "n=-12;[qqq", 10);
	assert_string_equal(b.p + b.len - 3, "q]7");
	buf_printf(&b, "%s", "end");
	assert_string_equal(b.p + b.len - 5, "]7end");
	assert_false(b.err);
}

static void test_int(void **state)
{
	buf b;
	buf_init(&b, *state, 0, 0);
	buf_int(&b, 0);
	buf_putc(&b, ' ');
	buf_int(&b, -42);
	buf_putc(&b, ' ');
	buf_int(&b, LLONG_MAX);
	buf_putc(&b, ' ');
	buf_int(&b, LLONG_MIN);
	assert_string_equal(b.p, "0 -42 9223372036854775807 -9223372036854775808");
}

static void test_max_limit(void **state)
{
	buf b;
	/* max 16: at most 15 bytes plus the terminating NUL. */
	buf_init(&b, *state, 0, 16);
	buf_puts(&b, "0123456789");
	assert_false(b.err);
	buf_puts(&b, "abcde");
	assert_false(b.err);
	assert_int_equal(b.len, 15);
	buf_putc(&b, 'X');
	assert_true(b.err);
	assert_int_equal(b.len, 15);
	assert_string_equal(b.p, "0123456789abcde");
	/* Sticky: even a small append that would fit is dropped now. */
	b.len = 2;
	b.p[2] = 0;
	buf_puts(&b, "z");
	buf_printf(&b, "%d", 1);
	buf_int(&b, 5);
	assert_null(buf_reserve(&b, 1));
	assert_string_equal(b.p, "01");

	/* A long printf past the limit sets err and writes nothing. */
	buf_init(&b, *state, 0, 100);
	buf_puts(&b, "ok");
	char big[300];
	memset(big, 'w', sizeof big - 1);
	big[sizeof big - 1] = 0;
	buf_printf(&b, "%s", big);
	assert_true(b.err);
	assert_string_equal(b.p, "ok");

	/* A single oversized add on a fresh buffer. */
	buf_init(&b, *state, 0, 8);
	buf_add(&b, "123456789", 9);
	assert_true(b.err);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
}

static void test_html(void **state)
{
	buf b;
	buf_init(&b, *state, 0, 0);
	const char *s = "a&b<c>d\"e'f";
	buf_html(&b, s, strlen(s));
	assert_string_equal(b.p, "a&amp;b&lt;c&gt;d&quot;e&#39;f");

	buf_init(&b, *state, 0, 0);
	s = "<script>alert('x')</script>";
	buf_html(&b, s, strlen(s));
	assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");

	/* Only the given length is used; plain and UTF-8 text pass through. */
	buf_init(&b, *state, 0, 0);
	buf_html(&b, "caf\xC3\xA9 & tea<", 8);
	assert_string_equal(b.p, "caf\xC3\xA9 &amp; ");
	buf_html(&b, "", 0);
	buf_html(&b, "&&", 2);
	assert_string_equal(b.p, "caf\xC3\xA9 &amp; &amp;&amp;");

	/* Text without specials is skipped 8 bytes at a time: each special at each position of
	 * strings of every length up to 40 (and bytes just beside them: %, =, ;, ?, 0x80, 0xFF)
	 * is still escaped, and the bytes past the length are never read. */
	const char specials[] = "&<>\"'%=;?\x80\xFF";
	for (size_t n = 1; n <= 40; n++)
		for (size_t at = 0; at < n; at++)
			for (const char *sp = specials; *sp; sp++) {
				char in[48], want[320];
				memset(in, 'x', n);
				in[at] = *sp;
				in[n] = '&'; /* beyond the length: not part of the text */
				size_t w = 0;
				for (size_t i = 0; i < n; i++) {
					const char *r = in[i] == '&' ? "&amp;" : in[i] == '<' ? "&lt;" : in[i] == '>' ? "&gt;"
					              : in[i] == '"' ? "&quot;" : in[i] == '\'' ? "&#39;" : NULL;
					if (r) {
						memcpy(want + w, r, strlen(r));
						w += strlen(r);
					} else {
						want[w++] = in[i];
					}
				}
				want[w] = 0;
				buf_init(&b, *state, 0, 0);
				buf_html(&b, in, n);
				assert_string_equal(b.p, want);
			}
}

static void test_urlenc(void **state)
{
	buf b;
	buf_init(&b, *state, 0, 0);
	const char *s = "a b&c=d/e?f#g+h%\xC3\xA9-_.~Z9";
	buf_urlenc(&b, s, strlen(s));
	assert_string_equal(b.p, "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25%C3%A9-_.~Z9");

	buf_init(&b, *state, 0, 0);
	buf_urlenc(&b, "\0\n\xFF", 3);
	assert_string_equal(b.p, "%00%0A%FF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_puts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlenc, setup, teardown),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
