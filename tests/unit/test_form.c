/* test_form.c: the request data parsers: urlencoded forms, multipart bodies, cookies, local redirects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "http/form.h"

#define S(lit) (lit), (sizeof(lit) - 1)

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

static void test_urlencoded(void **state)
{
	kvlist l = {0};
	assert_int_equal(form_parse_urlencoded(*state, S("title=Hello+world&body=a%26b%3Dc&x=%41%e9"), &l, 10),
	                 FORM_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].k, "title");
	assert_string_equal(kv_get(&l, "title"), "Hello world");
	assert_int_equal(l.v[0].vlen, 11);
	assert_string_equal(kv_get(&l, "body"), "a&b=c");
	assert_string_equal(kv_get(&l, "x"), "A\xE9");
	assert_null(kv_get(&l, "missing"));
}

static void test_urlencoded_edges(void **state)
{
	kvlist l = {0};
	/* Empty pairs skipped, key without '=', keys decoded too, repeated keys kept in order. */
	assert_int_equal(form_parse_urlencoded(*state, S("&&flag&a+b=1&&tag=x&tag=y&empty=&"), &l, 10), FORM_OK);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].k, "flag");
	assert_string_equal(l.v[0].v, "");
	assert_int_equal(l.v[0].vlen, 0);
	assert_string_equal(kv_get(&l, "a b"), "1");
	assert_string_equal(l.v[2].v, "x");
	assert_string_equal(l.v[3].v, "y");
	assert_string_equal(kv_get(&l, "tag"), "x");
	assert_string_equal(kv_get(&l, "empty"), "");

	/* Bad escapes stay as they are. */
	l = (kvlist){0};
	assert_int_equal(form_parse_urlencoded(*state, S("a=%zz&b=%4&c=%&d=100%&e=%4g%41"), &l, 10), FORM_OK);
	assert_string_equal(kv_get(&l, "a"), "%zz");
	assert_string_equal(kv_get(&l, "b"), "%4");
	assert_string_equal(kv_get(&l, "c"), "%");
	assert_string_equal(kv_get(&l, "d"), "100%");
	assert_string_equal(kv_get(&l, "e"), "%4gA");

	/* An embedded %00 is kept: vlen counts it and the value goes on after it. */
	l = (kvlist){0};
	assert_int_equal(form_parse_urlencoded(*state, S("v=ab%00cd"), &l, 10), FORM_OK);
	assert_int_equal(l.v[0].vlen, 5);
	assert_memory_equal(l.v[0].v, "ab\0cd", 6);

	/* Only n bytes are parsed. */
	l = (kvlist){0};
	assert_int_equal(form_parse_urlencoded(*state, "a=1&b=2", 3, &l, 10), FORM_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(kv_get(&l, "a"), "1");
}

static void test_urlencoded_too_many(void **state)
{
	kvlist l = {0};
	assert_int_equal(form_parse_urlencoded(*state, S("a=1&b=2&c=3"), &l, 3), FORM_OK);
	l = (kvlist){0};
	assert_int_equal(form_parse_urlencoded(*state, S("a=1&b=2&c=3&d=4"), &l, 3), FORM_TOO_MANY);
	/* Empty pairs do not count. */
	l = (kvlist){0};
	assert_int_equal(form_parse_urlencoded(*state, S("a=1&&&&b=2"), &l, 2), FORM_OK);
	assert_int_equal(l.n, 2);
	/* Many fields grow the list past its first capacity. */
	l = (kvlist){0};
	char body[600];
	size_t bn = 0;
	for (int i = 0; i < 50; i++)
		bn += (size_t)snprintf(body + bn, sizeof body - bn, "%sk%d=%d", i ? "&" : "", i, i * 3);
	assert_int_equal(form_parse_urlencoded(*state, body, bn, &l, 100), FORM_OK);
	assert_int_equal(l.n, 50);
	assert_string_equal(kv_get(&l, "k0"), "0");
	assert_string_equal(kv_get(&l, "k49"), "147");
}

/* Two fields (one with CRLF in it) and one file whose bytes hold NUL, CRLF and a near-delimiter. */
static const char file_bytes[] = "\x89PNG\r\n\x1A\n\0\0\xFF\r\n--XyY\r\n-";
#define MP_HEAD                                                                                    \
	"--XyZ\r\n"                                                                                    \
	"Content-Disposition: form-data; name=\"title\"\r\n\r\n"                                      \
	"Hello\r\n"                                                                                    \
	"--XyZ\r\n"                                                                                    \
	"Content-Disposition: form-data; name=\"body\"\r\n\r\n"                                       \
	"line 1\r\nline 2\r\n"                                                                         \
	"--XyZ\r\n"                                                                                    \
	"Content-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n"                      \
	"Content-Type: image/png\r\n\r\n"
#define MP_TAIL "\r\n--XyZ--\r\n"

static size_t build_body(char *out)
{
	size_t n = 0;
	memcpy(out + n, MP_HEAD, sizeof MP_HEAD - 1);
	n += sizeof MP_HEAD - 1;
	memcpy(out + n, file_bytes, sizeof file_bytes - 1);
	n += sizeof file_bytes - 1;
	memcpy(out + n, MP_TAIL, sizeof MP_TAIL - 1);
	n += sizeof MP_TAIL - 1;
	return n;
}

static void check_parsed(void **state, const char *ctype)
{
	char body[512];
	size_t n = build_body(body);
	kvlist f = {0};
	upload *ups = NULL;
	int nup = -1;
	assert_int_equal(form_parse_multipart(*state, ctype, body, n, &f, &ups, &nup, 10, 2), FORM_OK);
	assert_int_equal(f.n, 2);
	assert_string_equal(kv_get(&f, "title"), "Hello");
	assert_string_equal(kv_get(&f, "body"), "line 1\r\nline 2");
	assert_int_equal(f.v[1].vlen, 14);
	assert_int_equal(nup, 1);
	assert_string_equal(ups[0].field, "photo");
	assert_string_equal(ups[0].filename, "a.png");
	assert_string_equal(ups[0].ctype, "image/png");
	assert_int_equal(ups[0].len, sizeof file_bytes - 1);
	assert_memory_equal(ups[0].data, file_bytes, sizeof file_bytes - 1);
}

static void test_multipart(void **state)
{
	check_parsed(state, "multipart/form-data; boundary=XyZ");
	check_parsed(state, "multipart/form-data; boundary=\"XyZ\"");
	check_parsed(state, "multipart/form-data;boundary=XyZ; charset=utf-8");
	check_parsed(state, "multipart/form-data; charset=utf-8; BOUNDARY=XyZ");
}

static void test_multipart_preamble_and_defaults(void **state)
{
	/* A preamble before the first delimiter, a file without Content-Type and a part without a name. */
	static const char body[] = "ignored preamble\r\n--b\r\n"
	                           "Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n"
	                           "raw\r\n--b\r\n"
	                           "Content-Disposition: form-data\r\n\r\n"
	                           "nameless\r\n--b\r\n"
	                           "Content-Disposition: form-data; name=\"k\"\r\n\r\n"
	                           "\r\n--b--";
	kvlist f = {0};
	upload *ups;
	int nup;
	assert_int_equal(form_parse_multipart(*state, "multipart/form-data; boundary=b", S(body), &f, &ups, &nup, 5, 1),
	                 FORM_OK);
	assert_int_equal(nup, 1);
	assert_string_equal(ups[0].ctype, "application/octet-stream");
	assert_int_equal(ups[0].len, 3);
	assert_memory_equal(ups[0].data, "raw", 3);
	/* The nameless part is ignored; "k" is present and empty. */
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].k, "k");
	assert_string_equal(f.v[0].v, "");
	assert_int_equal(f.v[0].vlen, 0);
}

static void test_multipart_malformed(void **state)
{
	char body[512];
	size_t n = build_body(body);
	kvlist f = {0};
	upload *ups;
	int nup;
	arena *a = *state;
	/* No boundary, empty boundary, no Content-Type. */
	assert_int_equal(form_parse_multipart(a, "multipart/form-data", body, n, &f, &ups, &nup, 10, 2), FORM_MALFORMED);
	assert_int_equal(form_parse_multipart(a, "multipart/form-data; boundary=", body, n, &f, &ups, &nup, 10, 2),
	                 FORM_MALFORMED);
	assert_int_equal(form_parse_multipart(a, NULL, body, n, &f, &ups, &nup, 10, 2), FORM_MALFORMED);
	/* A boundary that is not in the body. */
	assert_int_equal(form_parse_multipart(a, "multipart/form-data; boundary=other", body, n, &f, &ups, &nup, 10, 2),
	                 FORM_MALFORMED);
	/* Truncated anywhere before the closing delimiter. */
	const char *ct = "multipart/form-data; boundary=XyZ";
	size_t cuts[] = {n - sizeof MP_TAIL + 1, n - 4, n - 6, n - 20, 40, 3};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		f = (kvlist){0};
		assert_int_equal(form_parse_multipart(a, ct, body, cuts[i], &f, &ups, &nup, 10, 2), FORM_MALFORMED);
	}
	/* A part without the blank line that ends its headers. */
	static const char nohdr[] = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nvalue\r\n--XyZ--";
	f = (kvlist){0};
	assert_int_equal(form_parse_multipart(a, ct, S(nohdr), &f, &ups, &nup, 10, 2), FORM_MALFORMED);
}

static void test_multipart_too_many(void **state)
{
	char body[512];
	size_t n = build_body(body);
	kvlist f = {0};
	upload *ups;
	int nup;
	const char *ct = "multipart/form-data; boundary=XyZ";
	/* Two fields but room for one. */
	assert_int_equal(form_parse_multipart(*state, ct, body, n, &f, &ups, &nup, 1, 2), FORM_TOO_MANY);
	/* One file but no room for uploads. */
	f = (kvlist){0};
	assert_int_equal(form_parse_multipart(*state, ct, body, n, &f, &ups, &nup, 5, 0), FORM_TOO_MANY);
	/* Exactly enough room. */
	f = (kvlist){0};
	assert_int_equal(form_parse_multipart(*state, ct, body, n, &f, &ups, &nup, 2, 1), FORM_OK);
	/* Nameless parts count against the total too. */
	static const char many[] = "--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b\r\n\r\nz\r\n--b--";
	f = (kvlist){0};
	assert_int_equal(form_parse_multipart(*state, "multipart/form-data; boundary=b", S(many), &f, &ups, &nup, 2, 0),
	                 FORM_TOO_MANY);
	f = (kvlist){0};
	assert_int_equal(form_parse_multipart(*state, "multipart/form-data; boundary=b", S(many), &f, &ups, &nup, 3, 0),
	                 FORM_OK);
	assert_int_equal(f.n, 0);
}

static void test_cookies(void **state)
{
	kvlist l = {0};
	cookie_parse(*state, "sid=abc123;  theme = dark ;q=\"quoted value\"; bad; =nokey;;empty=; x=a=b", &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].k, "sid");
	assert_string_equal(l.v[0].v, "abc123");
	assert_string_equal(kv_get(&l, "theme"), "dark");
	assert_string_equal(kv_get(&l, "q"), "quoted value");
	assert_int_equal(l.v[2].vlen, 12);
	assert_string_equal(kv_get(&l, "empty"), "");
	assert_string_equal(kv_get(&l, "x"), "a=b");
	assert_null(kv_get(&l, "bad"));
	assert_null(kv_get(&l, ""));

	l = (kvlist){0};
	cookie_parse(*state, NULL, &l);
	cookie_parse(*state, "", &l);
	cookie_parse(*state, " ; ;", &l);
	cookie_parse(*state, "lonely", &l);
	assert_int_equal(l.n, 0);
	/* A lone quote is not a quoted value. */
	cookie_parse(*state, "a=\"", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].v, "\"");
}

static void test_url_is_local(void **state)
{
	assert_true(url_is_local("/a"));
	assert_true(url_is_local("/"));
	assert_true(url_is_local("/topic/questions/1-x?page=2#a"));
	assert_false(url_is_local("//evil.example"));
	assert_false(url_is_local("/\\evil.example"));
	assert_false(url_is_local("/a\\b"));
	assert_false(url_is_local("http://x"));
	assert_false(url_is_local("https://x/"));
	assert_false(url_is_local("javascript:alert(1)"));
	assert_false(url_is_local("a/b"));
	assert_false(url_is_local(""));
	assert_false(url_is_local(NULL));
	assert_false(url_is_local("/a\r\nSet-Cookie: x=1"));
	assert_false(url_is_local("/\t/evil"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_urlencoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urlencoded_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_preamble_and_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipart_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies, setup, teardown),
		cmocka_unit_test(test_url_is_local),
	};
	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
