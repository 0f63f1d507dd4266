/* fuzz_captcha.c: the CAPTCHA token and answer checks. The input is a token, byte 0xFF, then an
 * answer. Checks, with a fixed key and clock:
 * - any token: captcha_parse never accepts one whose MAC is not ours, and an accepted one has an
 *   expiry within the token lifetime;
 * - a genuine token made from the input's first bytes is accepted with its nonce; changing one
 *   character of it gives either a refusal or (only the unused low bits of the last character)
 *   the same nonce and expiry;
 * - captcha_matches agrees with a reference: the five letters (case and spaces ignored) or the
 *   text question's number as digits or an English word, and nothing over 31 characters;
 * - captcha_verify accepts a token at most once (the database is a stub here that keeps nonces
 *   in memory the way the captcha_used table does). */
#include <ctype.h>
#include <strings.h>

#include "core/util.h"
#include "db/db.h"
#include "fuzz.h"
#include "safety/captcha.h"

static const unsigned char key[32] = "fuzzing-key-for-the-captcha-0123";
enum { NOW = 1700000000 };

/* ---- a stand-in for the captcha_used table (INSERT … ON CONFLICT DO NOTHING) ---- */
static char used[8][64];
static int nused;

int db_exec(dbc *c, const dbq *q, const dbv *p, int np)
{
	(void)c;
	if (!strstr(q->sql, "INSERT INTO captcha_used"))
		return 0; /* the purge */
	FUZZ_CHECK(np == 2 && p[0].t == DBT_TEXT && p[0].n < 64);
	for (int i = 0; i < nused; i++)
		if (strcmp(used[i], p[0].s) == 0)
			return 0;
	if (nused < 8)
		memcpy(used[nused++], p[0].s, p[0].n + 1);
	return 1;
}

static const char *const words[] = {"zero", "one", "two", "three", "four", "five", "six",
                                    "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
                                    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                                    "nineteen", "twenty"};

/* The reference answer check, written from the documented rule. */
static bool reference_match(arena *a, const unsigned char nonce[CAPTCHA_NONCE], const char *given)
{
	size_t gl = strlen(given);
	char *g = arena_alloc(a, gl + 1);
	size_t n = 0;
	for (size_t i = 0; i < gl; i++)
		if (!isspace((unsigned char)given[i]))
			g[n++] = (char)toupper((unsigned char)given[i]);
	g[n] = 0;
	if (n == 0)
		return false;
	char want[CAPTCHA_LEN + 1];
	captcha_answer(key, nonce, want);
	if (strcmp(g, want) == 0)
		return true;
	int num;
	captcha_question(a, key, nonce, &num);
	FUZZ_CHECK(num >= 1 && num <= 18);
	if (n > 31) /* longer than any answer */
		return false;
	/* The number in 1 to 19 digits, leading zeros allowed ("007" is seven). */
	bool digits = n <= 19;
	for (size_t i = 0; i < n && digits; i++)
		digits = g[i] >= '0' && g[i] <= '9';
	if (digits && strtoll(g, NULL, 10) == num)
		return true;
	return strcasecmp(g, words[num]) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *ts, *gs;
	size_t tn, gn;
	fuzz_split(d, n, &ts, &tn, &gs, &gn);
	char *tok = fuzz_strndup(ts, tn);
	char *given = fuzz_strndup(gs, gn);
	arena *a = arena_new(0);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t expiry = 0;

	/* Any token. */
	enum captcha_result r = captcha_parse(key, tok, NOW, nonce, &expiry);
	FUZZ_CHECK(r == CAPTCHA_OK || r == CAPTCHA_MISSING || r == CAPTCHA_FORGED || r == CAPTCHA_EXPIRED);
	if (r == CAPTCHA_OK)
		FUZZ_CHECK(expiry > NOW && expiry <= NOW + CAPTCHA_TTL + 300);
	(void)captcha_answer_ok(key, tok, given, NOW);

	/* A genuine token from the input's bytes. */
	unsigned char raw[CAPTCHA_RAW];
	memset(raw, 0, sizeof raw);
	memcpy(raw, d, n < CAPTCHA_NONCE ? n : CAPTCHA_NONCE);
	int64_t exp = NOW + 1 + (n > 12 ? d[12] * 13 % CAPTCHA_TTL : 0);
	for (int i = 0; i < 8; i++)
		raw[CAPTCHA_NONCE + i] = (unsigned char)((uint64_t)exp >> (56 - 8 * i));
	util_mac(raw + CAPTCHA_NONCE + 8, 16, key, "captcha", raw, CAPTCHA_NONCE + 8);
	char *good = util_b64url(a, raw, sizeof raw);
	FUZZ_CHECK(captcha_parse(key, good, NOW, nonce, &expiry) == CAPTCHA_OK);
	FUZZ_CHECK(memcmp(nonce, raw, CAPTCHA_NONCE) == 0 && expiry == exp);
	FUZZ_CHECK(captcha_parse(key, good, exp, nonce, &expiry) == CAPTCHA_EXPIRED);

	/* One character changed. */
	size_t gl = strlen(good);
	if (n > 14) {
		char *bad = arena_strdup(a, good);
		size_t at = d[13] % gl;
		char c = (char)d[14];
		if (c != bad[at] && c) {
			bad[at] = c;
			unsigned char n2[CAPTCHA_NONCE];
			int64_t e2 = 0;
			if (captcha_parse(key, bad, NOW, n2, &e2) == CAPTCHA_OK)
				FUZZ_CHECK(at == gl - 1 && memcmp(n2, raw, CAPTCHA_NONCE) == 0 && e2 == exp);
		}
	}

	/* The answer check against the reference. */
	memcpy(nonce, raw, CAPTCHA_NONCE);
	bool m = captcha_matches(key, nonce, given);
	FUZZ_CHECK(m == reference_match(a, nonce, given));

	/* One try per token. */
	nused = 0;
	enum captcha_result v1 = captcha_verify(NULL, a, key, good, given, NOW);
	FUZZ_CHECK(v1 == (!*given ? CAPTCHA_MISSING : m ? CAPTCHA_OK : CAPTCHA_WRONG));
	enum captcha_result v2 = captcha_verify(NULL, a, key, good, given, NOW);
	FUZZ_CHECK(v2 == (!*given ? CAPTCHA_MISSING : CAPTCHA_USED));
	char want[CAPTCHA_LEN + 1];
	captcha_answer(key, nonce, want);
	FUZZ_CHECK(captcha_verify(NULL, a, key, good, want, NOW) == (*given ? CAPTCHA_USED : CAPTCHA_OK));

	arena_free(a);
	free(tok);
	free(given);
	return 0;
}
