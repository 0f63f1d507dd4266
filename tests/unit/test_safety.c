/* test_safety.c: CAPTCHA tokens (expiry, reuse, tampering), rate limits, spam scoring,
 * crisis phrases and personal-detail detection. Database parts run on a temporary SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/util.h"
#include "db/db.h"
#include "safety/captcha.h"
#include "safety/image.h"
#include "safety/limits.h"
#include "safety/scan.h"

static unsigned char key[32], other_key[32];
static char dir[64], path[128];
static db *D;
static dbc *C;

static int setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	crypto_generichash(key, sizeof key, (const unsigned char *)"unit-secret", 11, NULL, 0);
	crypto_generichash(other_key, sizeof other_key, (const unsigned char *)"other-secret", 12, NULL, 0);
	snprintf(dir, sizeof dir, "/tmp/cc-test-safety-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	char err[256];
	D = db_open(path, "NORMAL", err, sizeof err);
	if (!D || db_migrate(D, err, sizeof err) < 0)
		return -1;
	C = db_conn(D);
	return C ? 0 : -1;
}

static int teardown(void **state)
{
	db_close(D);
	static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static void test_captcha_token(void **state)
{
	arena *a = arena_new(0);
	int64_t now = 1700000000;
	char *tok = captcha_token(a, key, now);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t exp;
	assert_int_equal(captcha_parse(key, tok, now, nonce, &exp), CAPTCHA_OK);
	assert_int_equal(exp, now + CAPTCHA_TTL);
	/* Expiry. */
	assert_int_equal(captcha_parse(key, tok, now + CAPTCHA_TTL, nonce, &exp), CAPTCHA_EXPIRED);
	assert_int_equal(captcha_parse(key, tok, now + CAPTCHA_TTL - 1, nonce, &exp), CAPTCHA_OK);
	/* Another secret, a flipped character, a truncated token, junk, nothing. */
	assert_int_equal(captcha_parse(other_key, tok, now, nonce, &exp), CAPTCHA_FORGED);
	char *bad = arena_strdup(a, tok);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	assert_int_equal(captcha_parse(key, bad, now, nonce, &exp), CAPTCHA_FORGED);
	bad = arena_strndup(a, tok, strlen(tok) - 2);
	assert_int_equal(captcha_parse(key, bad, now, nonce, &exp), CAPTCHA_FORGED);
	assert_int_equal(captcha_parse(key, "!!not base64!!", now, nonce, &exp), CAPTCHA_FORGED);
	assert_int_equal(captcha_parse(key, "", now, nonce, &exp), CAPTCHA_MISSING);
	/* A later expiry written into a token breaks its MAC. */
	unsigned char raw[CAPTCHA_RAW];
	assert_int_equal(util_b64url_decode(tok, strlen(tok), raw, sizeof raw), CAPTCHA_RAW);
	raw[CAPTCHA_NONCE + 7] ^= 1;
	assert_int_equal(captcha_parse(key, util_b64url(a, raw, sizeof raw), now, nonce, &exp), CAPTCHA_FORGED);
	arena_free(a);
}

static void test_captcha_answer(void **state)
{
	arena *a = arena_new(0);
	int64_t now = util_now();
	char *tok = captcha_token(a, key, now);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t exp;
	assert_int_equal(captcha_parse(key, tok, now, nonce, &exp), CAPTCHA_OK);
	char ans[CAPTCHA_LEN + 1];
	captcha_answer(key, nonce, ans);
	assert_int_equal(strlen(ans), CAPTCHA_LEN);
	for (int i = 0; i < CAPTCHA_LEN; i++) {
		assert_non_null(strchr(CAPTCHA_ALPHABET, ans[i]));
		assert_null(strchr("0O1IlS5Z2B8", ans[i]));
	}
	/* Case and spaces do not matter; a wrong answer does. */
	char lower[16];
	for (int i = 0; i <= CAPTCHA_LEN; i++)
		lower[i] = (char)(ans[i] >= 'A' && ans[i] <= 'Z' ? ans[i] + 32 : ans[i]);
	assert_true(captcha_matches(key, nonce, lower));
	char spaced[16] = {ans[0], ' ', ans[1], ans[2], ' ', ans[3], ans[4], 0};
	assert_true(captcha_matches(key, nonce, spaced));
	char wrong[CAPTCHA_LEN + 1];
	memcpy(wrong, ans, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'C' : 'A';
	assert_false(captcha_matches(key, nonce, wrong));
	assert_false(captcha_matches(key, nonce, ""));
	/* The text alternative: digits or the number word. */
	int num;
	const char *q = captcha_question(a, key, nonce, &num);
	assert_non_null(strstr(q, "What is "));
	assert_true(num >= 1 && num <= 18);
	assert_true(captcha_matches(key, nonce, arena_printf(a, "%d", num)));
	assert_false(captcha_matches(key, nonce, arena_printf(a, "%d", num + 1)));
	/* Leading zeros are fine; an answer cut short from a long one is not. */
	assert_true(captcha_matches(key, nonce, arena_printf(a, "000%d", num)));
	assert_false(captcha_matches(key, nonce, arena_printf(a, "%031d%s", num, "xyz")));
	/* The image is a PNG. */
	size_t len = 0;
	unsigned char *png = captcha_png(a, ans, &len);
	assert_non_null(png);
	assert_true(len > 1000);
	assert_memory_equal(png, "\x89PNG", 4);
	arena_free(a);
}

static void test_captcha_single_use(void **state)
{
	arena *a = arena_new(0);
	int64_t now = util_now();
	char *tok = captcha_token(a, key, now);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t exp;
	captcha_parse(key, tok, now, nonce, &exp);
	char ans[CAPTCHA_LEN + 1];
	captcha_answer(key, nonce, ans);
	assert_int_equal(captcha_verify(C, a, key, tok, ans, now), CAPTCHA_OK);
	assert_int_equal(captcha_verify(C, a, key, tok, ans, now), CAPTCHA_USED);
	/* A wrong answer uses the token up too: one try per image. */
	tok = captcha_token(a, key, now);
	assert_int_equal(captcha_verify(C, a, key, tok, "AAAAA", now), CAPTCHA_WRONG);
	captcha_parse(key, tok, now, nonce, &exp);
	captcha_answer(key, nonce, ans);
	assert_int_equal(captcha_verify(C, a, key, tok, ans, now), CAPTCHA_USED);
	/* Missing answer does not burn it; an expired one is refused before the database. */
	tok = captcha_token(a, key, now);
	assert_int_equal(captcha_verify(C, a, key, tok, "", now), CAPTCHA_MISSING);
	captcha_parse(key, tok, now, nonce, &exp);
	captcha_answer(key, nonce, ans);
	assert_int_equal(captcha_verify(C, a, key, tok, ans, now + CAPTCHA_TTL + 1), CAPTCHA_EXPIRED);
	assert_int_equal(captcha_verify(C, a, key, tok, ans, now), CAPTCHA_OK);
	arena_free(a);
}

static void test_rate_limits(void **state)
{
	int64_t now = 1700003600; /* the start of an hour window */
	for (int i = 1; i <= 5; i++)
		assert_int_equal(limit_hit(C, "post-ip", "ip:aaa", 3600, now + i), i);
	/* Another client and another bucket count apart. */
	assert_int_equal(limit_hit(C, "post-ip", "ip:bbb", 3600, now), 1);
	assert_int_equal(limit_hit(C, "register-ip", "ip:aaa", 3600, now), 1);
	assert_int_equal(limit_peek(C, "post-ip", "ip:aaa", 3600, now + 100), 5);
	/* The next window starts again. */
	assert_int_equal(limit_hit(C, "post-ip", "ip:aaa", 3600, now + 3600), 1);
	/* Reported once per window. */
	assert_true(limit_report_once(C, "post-ip", "ip:aaa", 3600, now));
	assert_false(limit_report_once(C, "post-ip", "ip:aaa", 3600, now));
	/* Purging drops old windows only. */
	assert_true(limit_purge(C, now + 1) >= 1);
	assert_int_equal(limit_peek(C, "post-ip", "ip:aaa", 3600, now), 0);
	assert_int_equal(limit_peek(C, "post-ip", "ip:aaa", 3600, now + 3600), 1);
}

static void test_spam_score(void **state)
{
	arena *a = arena_new(0);
	wordlist words, domains;
	wordlist_parse(&words, "# comment\nmiracle cure\n\n  Buy   NOW  # trailing comment\n");
	assert_int_equal(words.n, 2);
	/* Domains come from the built-in list file; parse a private one like it. */
	const wordlist *builtin = wordlist_get(NULL, "blocked_domains");
	assert_true(builtin->n >= 1);
	domains = *builtin;
	spam_result s;
	spam_score(a, "My eyelid twitches when I am tired. Does anyone else notice that?", &words, &domains, 0, &s);
	assert_int_equal(s.score, 0);
	spam_score(a, "This MIRACLE cure fixed me! Buy-now before it is gone.", &words, &domains, 0, &s);
	assert_int_equal(s.score, 10);
	/* Word boundaries: "cured" is not "cure". */
	spam_score(a, "The miracle cured nothing.", &words, &domains, 0, &s);
	assert_int_equal(s.score, 0);
	spam_score(a, "See https://a.org/1 https://b.org/2 http://c.org/3 www.d.org and https://e.org", &words,
	           &domains, 0, &s);
	assert_int_equal(s.links, 5);
	assert_int_equal(s.score, 6);
	spam_score(a, "Go to https://shop.spam.example/pills now", &words, &domains, 0, &s);
	assert_int_equal(s.score, 10);
	spam_score(a, "I read notspam.example.org today", &words, &domains, 0, &s);
	assert_int_equal(s.score, 0);
	spam_score(a, "Thank you all for the helpful advice last week.", &words, &domains, 2, &s);
	assert_int_equal(s.score, 6);
	assert_string_equal(s.why, "the same text was posted before");
	wordlist_free(&words);
	arena_free(a);
}

static void test_crisis_and_pii(void **state)
{
	arena *a = arena_new(0);
	const wordlist *crisis = wordlist_get(NULL, "crisis");
	assert_true(crisis->n > 20);
	assert_non_null(scan_find(crisis, scan_normalise(a, "Some days I want to die, honestly.")));
	assert_non_null(scan_find(crisis, scan_normalise(a, "My dad has CHEST PAIN and is sweating")));
	assert_non_null(scan_find(crisis, scan_normalise(a, "I can\xE2\x80\x99t breathe properly")));
	assert_non_null(scan_find(crisis, scan_normalise(a, "thoughts of self-harm again")));
	assert_null(scan_find(crisis, scan_normalise(a, "My eyelid twitches when I am tired.")));
	assert_null(scan_find(crisis, scan_normalise(a, "I skill myself up on nutrition")));

	assert_int_equal(pii_scan("Nothing personal here, just 3 questions from 2024."), 0);
	assert_int_equal(pii_scan("Write to me at marta.k@example.org please"), PII_EMAIL);
	assert_int_equal(pii_scan("Call +44 20 7946 0958 any time"), PII_PHONE);
	assert_int_equal(pii_scan("call 555-123-4567"), PII_PHONE);
	assert_int_equal(pii_scan("I live at 12 Acacia Avenue, Leeds"), PII_ADDRESS);
	assert_int_equal(pii_scan("221b Baker Street"), PII_ADDRESS);
	assert_int_equal(pii_scan("I took 20 mg twice a day for 3 weeks"), 0);
	assert_int_equal(pii_scan("a@b.c and 0123 456 789 at 5 Main St."), PII_EMAIL | PII_PHONE | PII_ADDRESS);
	assert_string_equal(pii_describe(a, PII_EMAIL | PII_PHONE), "an email address and a phone number");
	arena_free(a);
}


/* A JPEG of w x h, red in the top-left 20 x 20 corner, blue elsewhere, with EXIF orientation o. */
static unsigned char *make_jpeg(int w, int h, int o, size_t *len)
{
	gdImagePtr im = gdImageCreateTrueColor(w, h);
	gdImageFilledRectangle(im, 0, 0, w - 1, h - 1, gdTrueColorAlpha(0, 0, 255, 0));
	gdImageFilledRectangle(im, 0, 0, 19, 19, gdTrueColorAlpha(255, 0, 0, 0));
	int n = 0;
	unsigned char *j = gdImageJpegPtr(im, &n, 95);
	gdImageDestroy(im);
	static const unsigned char exif[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 0x2a, 0, 0, 0, 8, 0, 1,
	                                     0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	unsigned char *out = malloc((size_t)n + sizeof exif + 4);
	memcpy(out, "\xFF\xD8\xFF\xE1", 4);
	out[4] = 0;
	out[5] = (unsigned char)(sizeof exif + 2);
	memcpy(out + 6, exif, sizeof exif);
	out[6 + 25] = (unsigned char)o; /* the SHORT value of tag 0x0112 */
	memcpy(out + 6 + sizeof exif, j + 2, (size_t)n - 2);
	*len = (size_t)n + sizeof exif + 4;
	gdFree(j);
	return out;
}

static bool is_red(gdImagePtr im, int x, int y)
{
	int c = gdImageGetTrueColorPixel(im, x, y);
	return gdTrueColorGetRed(c) > 180 && gdTrueColorGetBlue(c) < 80;
}

static void test_image_clean(void **state)
{
	arena *a = arena_new(0);
	image_out out;
	size_t len;
	/* Orientation 6 (turn 90 degrees clockwise): 120 x 80 becomes 80 x 120, red corner top-right. */
	unsigned char *j = make_jpeg(120, 80, 6, &len);
	assert_int_equal(image_clean(a, j, len, &out), IMAGE_OK);
	assert_string_equal(out.mime, "image/jpeg");
	assert_int_equal(out.width, 80);
	assert_int_equal(out.height, 120);
	assert_null(memmem(out.data, out.len, "Exif", 4));
	gdImagePtr im = gdImageCreateFromJpegPtr((int)out.len, out.data);
	assert_non_null(im);
	assert_true(is_red(im, 75, 5));
	assert_false(is_red(im, 5, 5));
	gdImageDestroy(im);
	free(j);
	/* Orientation 1: as it is. */
	j = make_jpeg(120, 80, 1, &len);
	assert_int_equal(image_clean(a, j, len, &out), IMAGE_OK);
	assert_int_equal(out.width, 120);
	im = gdImageCreateFromJpegPtr((int)out.len, out.data);
	assert_true(is_red(im, 5, 5));
	gdImageDestroy(im);
	free(j);
	/* Large pictures are scaled down; proportions kept. */
	gdImagePtr big = gdImageCreateTrueColor(3000, 600);
	int n = 0;
	unsigned char *p = gdImagePngPtr(big, &n);
	gdImageDestroy(big);
	assert_int_equal(image_clean(a, p, (size_t)n, &out), IMAGE_OK);
	assert_string_equal(out.mime, "image/png");
	assert_int_equal(out.width, IMAGE_MAX_SIDE);
	assert_int_equal(out.height, 400);
	/* Truncated: broken. A header claiming 100000 x 100000: refused before decoding. */
	assert_int_equal(image_clean(a, p, 60, &out), IMAGE_BROKEN);
	unsigned char huge[64];
	memcpy(huge, p, sizeof huge);
	huge[16] = 0, huge[17] = 1, huge[18] = 0x86, huge[19] = 0xA0;
	huge[20] = 0, huge[21] = 1, huge[22] = 0x86, huge[23] = 0xA0;
	assert_int_equal(image_clean(a, huge, sizeof huge, &out), IMAGE_TOO_MANY_PIXELS);
	gdFree(p);
	/* Not an image at all, whatever its name; an empty file; too many bytes. */
	assert_int_equal(image_clean(a, "GIF89a....", 10, &out), IMAGE_UNKNOWN);
	assert_int_equal(image_clean(a, "<html><script>", 14, &out), IMAGE_UNKNOWN);
	assert_int_equal(image_clean(a, "", 0, &out), IMAGE_UNKNOWN);
	assert_int_equal(image_clean(a, "x", IMAGE_MAX_BYTES + 1, &out), IMAGE_TOO_LARGE);
	arena_free(a);
}

/* Random and mangled input never crashes the parsers (ASan and UBSan watch). */
static void test_hostile_input(void **state)
{
	arena *a = arena_new(0);
	size_t jl;
	unsigned char *jpg = make_jpeg(64, 48, 6, &jl);
	gdImagePtr im = gdImageCreateTrueColor(30, 20);
	int pl = 0;
	unsigned char *png = gdImagePngPtr(im, &pl);
	gdImageDestroy(im);
	unsigned char buf[4096];
	image_out out;
	for (int i = 0; i < 600; i++) {
		const unsigned char *base = i % 3 == 0 ? jpg : png;
		size_t bl = i % 3 == 0 ? jl : (size_t)pl;
		size_t n = bl < sizeof buf ? bl : sizeof buf;
		memcpy(buf, base, n);
		/* Flip a few bytes past the signature, or cut the file short. */
		for (int k = 0; k < 1 + i % 6; k++)
			buf[8 + randombytes_uniform((uint32_t)(n - 8))] = (unsigned char)randombytes_uniform(256);
		size_t cut = i % 4 == 0 ? 8 + randombytes_uniform((uint32_t)(n - 8)) : n;
		image_clean(a, buf, cut, &out);
		if (i % 50 == 0)
			arena_reset(a);
	}
	/* EXIF with an IFD offset pointing far outside the block. */
	memcpy(buf, jpg, jl < sizeof buf ? jl : sizeof buf);
	buf[6 + 10] = buf[6 + 11] = buf[6 + 12] = buf[6 + 13] = 0xFF;
	image_clean(a, buf, jl < sizeof buf ? jl : sizeof buf, &out);
	char text[512];
	static const char alphabet[] = "0123456789 +-().@abcxyz Street\n\xE2\x80\x99";
	for (int i = 0; i < 2000; i++) {
		size_t n = 1 + randombytes_uniform(sizeof text - 1);
		for (size_t k = 0; k < n; k++)
			text[k] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
		text[n - 1] = 0;
		pii_scan(text);
		scan_links(text);
		scan_normalise(a, text);
	}
	gdFree(png);
	free(jpg);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captcha_token),
		cmocka_unit_test(test_captcha_answer),
		cmocka_unit_test(test_captcha_single_use),
		cmocka_unit_test(test_rate_limits),
		cmocka_unit_test(test_spam_score),
		cmocka_unit_test(test_crisis_and_pii),
		cmocka_unit_test(test_image_clean),
		cmocka_unit_test(test_hostile_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
