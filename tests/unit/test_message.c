/* test_message.c: message building: RFC 2047 headers, quoted-printable bodies with short CRLF
 * lines, multipart structure, RFC 8058 headers, and subscription link tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "mail/mail.h"

static void test_header_words(void **state)
{
	arena *a = arena_new(0);
	assert_string_equal(mail_header_word(a, "Plain subject"), "Plain subject");
	/* "Zoë": base64 of the UTF-8 bytes. */
	assert_string_equal(mail_header_word(a, "Zo\xC3\xAB"), "=?UTF-8?B?Wm/Dqw==?=");
	/* A newline can never start a new header: it is encoded, not passed through. */
	char *w = mail_header_word(a, "Title\r\nBcc: victim@example.org");
	assert_null(strstr(w, "\r\nBcc"));
	assert_non_null(strstr(w, "=?UTF-8?B?"));
	/* Long non-ASCII text is split into words on folded lines under 78 characters, and never
	 * inside a character. */
	buf lb;
	buf_init(&lb, a, 600, 0);
	for (int i = 0; i < 60; i++)
		buf_puts(&lb, "\xC3\xA9t\xC3\xA9 ");
	w = mail_header_word(a, lb.p);
	for (char *line = w; line;) {
		char *nl = strstr(line, "\r\n");
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		assert_true(len < 78);
		line = nl ? nl + 2 : NULL;
	}
	arena_free(a);
}

static void test_build(void **state)
{
	arena *a = arena_new(0);
	buf bb;
	buf_init(&bb, a, 3000, 0);
	for (int i = 0; i < 40; i++)
		buf_puts(&bb, "word caf\xC3\xA9 = ");
	buf_puts(&bb, "\n.starts with a dot\nends with a space \n");
	const char *body = bb.p;
	mail_msg m = {
		.id = 7,
		.to = "zoe@example.org",
		.to_name = "Zo\xC3\xAB Martin",
		.subject = "New answer: \xC3\x87\x61 va?",
		.text = body,
		.html = "<p>Hello</p>",
		.unsub_url = "https://example.org/subscriptions/7-abc/unsubscribe",
		.message_id = "abc.1@example.org",
		.date = 0,
	};
	char *msg = mail_build(a, &m, "Care \"Circle\" <no-reply@example.org>");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "From: \"Care \\\"Circle\\\"\" <no-reply@example.org>\r\n"));
	assert_non_null(strstr(msg, "To: =?UTF-8?B?Wm/DqyBNYXJ0aW4=?= <zoe@example.org>\r\n"));
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(msg, "Message-ID: <abc.1@example.org>\r\n"));
	assert_non_null(strstr(msg, "List-Unsubscribe: <https://example.org/subscriptions/7-abc/unsubscribe>\r\n"));
	assert_non_null(strstr(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	assert_non_null(strstr(msg, "Content-Type: multipart/alternative; boundary="));
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=utf-8"));
	assert_non_null(strstr(msg, "Content-Type: text/html; charset=utf-8"));
	assert_non_null(strstr(msg, "caf=C3=A9 =3D"));
	assert_non_null(strstr(msg, "\r\n=2Estarts with a dot"));
	assert_non_null(strstr(msg, "ends with a space=20\r\n"));
	/* Every line ends in CRLF and none is longer than 76 characters. */
	for (const char *p = msg; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p ? nl[-1] == '\r' : 0);
		assert_true(nl - p - 1 <= 76);
		p = nl + 1;
	}
	/* Without an unsubscribe link there are no List-Unsubscribe headers. */
	m.unsub_url = NULL;
	msg = mail_build(a, &m, "no-reply@example.org");
	assert_null(strstr(msg, "List-Unsubscribe"));
	assert_non_null(strstr(msg, "From: no-reply@example.org\r\n"));
	arena_free(a);
}

static void test_tokens(void **state)
{
	config cfg;
	config_defaults(&cfg);
	unsigned char key[32];
	memset(key, 7, sizeof key);
	mail_init(&cfg, key);
	arena *a = arena_new(0);
	char *t = mail_sub_token(a, 42);
	int64_t id = 0;
	assert_true(mail_sub_token_check(t, &id));
	assert_int_equal(id, 42);
	char *forged = arena_strdup(a, t);
	forged[0] = '4';
	forged[1] = '3';
	assert_false(mail_sub_token_check(forged, &id));
	assert_false(mail_sub_token_check("42", &id));
	assert_false(mail_sub_token_check("", &id));
	assert_non_null(strstr(mail_sub_url(a, 42, "unsubscribe"), "http://127.0.0.1:8080/subscriptions/42-"));
	arena_free(a);
	mail_shutdown();
	config_free(&cfg);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_words),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
