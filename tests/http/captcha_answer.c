/* captcha_answer.c: computes CAPTCHA answers from the test server's secret (see the header). */
#include "captcha_answer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ACDEFHJKMNPRTWXY34679";

static void mac(unsigned char *out, size_t outlen, const unsigned char key[32], const char *domain,
                const unsigned char *msg, size_t n)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, 32, outlen);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, msg, n);
	crypto_generichash_final(&st, out, outlen);
}

/* Decodes the token and returns its nonce (12 bytes) in nonce; false if malformed. */
static bool nonce_of(const char *secret, const char *token, unsigned char key[32], unsigned char nonce[12])
{
	if (sodium_init() < 0)
		return false;
	crypto_generichash(key, 32, (const unsigned char *)secret, strlen(secret), NULL, 0);
	unsigned char raw[64];
	size_t len = 0;
	if (sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || len != 36)
		return false;
	memcpy(nonce, raw, 12);
	return true;
}

char *captcha_answer_for(const char *secret, const char *token)
{
	unsigned char key[32], nonce[12], m[16];
	if (!nonce_of(secret, token, key, nonce))
		return NULL;
	mac(m, sizeof m, key, "captcha-answer", nonce, 12);
	char *out = malloc(6);
	for (int i = 0; i < 5; i++)
		out[i] = alphabet[m[i] % (sizeof alphabet - 1)];
	out[5] = 0;
	return out;
}

char *captcha_text_answer_for(const char *secret, const char *token)
{
	unsigned char key[32], nonce[12], m[4];
	if (!nonce_of(secret, token, key, nonce))
		return NULL;
	mac(m, sizeof m, key, "captcha-text", nonce, 12);
	int x = 3 + m[0] % 7, y = 1 + m[1] % 9;
	int v = ((m[2] & 1) && y < x) ? x - y : x + y;
	char *out = malloc(8);
	out[0] = 0;
	if (v >= 10) {
		out[0] = (char)('0' + v / 10);
		out[1] = (char)('0' + v % 10);
		out[2] = 0;
	} else {
		out[0] = (char)('0' + v);
		out[1] = 0;
	}
	return out;
}

char *captcha_token_of(const resp *r)
{
	static const char needle[] = "name=\"captcha_token\" value=\"";
	const char *p = r->body ? strstr(r->body, needle) : NULL;
	if (!p)
		return NULL;
	p += strlen(needle);
	const char *e = strchr(p, '"');
	return strndup(p, e ? (size_t)(e - p) : 0);
}

void captcha_solve(const srv *s, const resp *r, char **token, char **answer)
{
	*token = captcha_token_of(r);
	*answer = *token ? captcha_answer_for(s->secret, *token) : NULL;
	if (!*token)
		*token = strdup("");
	if (!*answer)
		*answer = strdup("");
}

char *with_captcha(const srv *s, const resp *page, char *body)
{
	char *tok, *ans;
	captcha_solve(s, page, &tok, &ans);
	if (!*tok) {
		free(tok);
		free(ans);
		return body;
	}
	char *extra = form("captcha_token", tok, "captcha_answer", ans, NULL);
	size_t n = strlen(body) + strlen(extra) + 2;
	char *out = malloc(n);
	snprintf(out, n, "%s%s%s", body, *body ? "&" : "", extra);
	free(extra);
	free(tok);
	free(ans);
	free(body);
	return out;
}

resp *post_solving(client *c, const srv *s, const resp *page, const char *path, const char *body)
{
	char *b = with_captcha(s, page, strdup(body));
	resp *r = http_post(c, path, b);
	free(b);
	char *tok = r->status == 422 ? captcha_token_of(r) : NULL;
	if (tok) {
		/* Sent from a page without a challenge (a cached one): the form came back with one. */
		free(tok);
		b = with_captcha(s, r, strdup(body));
		r = http_post(c, path, b);
		free(b);
	}
	return r;
}

resp *ask_question(client *c, const srv *s, const char *topic, const char *title)
{
	char page[100], body[400];
	snprintf(page, sizeof page, "/%s/ask", topic);
	snprintf(body, sizeof body, "Some details so the form accepts it, about: %s", title);
	resp *r = http_get(c, page);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "title", title, "body", body, "action", "post", NULL);
	r = post_solving(c, s, r, page, f);
	free(f);
	free(tok);
	return r;
}

resp *mod_act(client *m, const char *type, long id, const char *action, const char *reason, const char *target)
{
	char path[96], ids[32];
	snprintf(path, sizeof path, "/mod/post?type=%s&id=%ld", type, id);
	resp *r = http_get(m, path);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	snprintf(ids, sizeof ids, "%ld", id);
	char *f = form("csrf", tok, "type", type, "id", ids, "action", action, "reason", reason, "target",
	               target ? target : "", "back", "/mod", NULL);
	r = http_post(m, "/mod/act", f);
	free(tok);
	free(f);
	return r;
}
