/* captcha.c: CAPTCHA tokens, answers, the text alternative, single use, and the PNG. */
#include "safety/captcha.h"

#include <ctype.h>
#include <gd.h>
#include <gdfontg.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

char *captcha_token(arena *a, const unsigned char key[32], int64_t now)
{
	unsigned char raw[CAPTCHA_RAW];
	util_random(raw, CAPTCHA_NONCE);
	put_be64(raw + CAPTCHA_NONCE, (uint64_t)(now + CAPTCHA_TTL));
	util_mac(raw + CAPTCHA_NONCE + 8, 16, key, "captcha", raw, CAPTCHA_NONCE + 8);
	return util_b64url(a, raw, sizeof raw);
}

enum captcha_result captcha_parse(const unsigned char key[32], const char *token, int64_t now,
                                  unsigned char nonce[CAPTCHA_NONCE], int64_t *expiry)
{
	if (!token || !*token)
		return CAPTCHA_MISSING;
	unsigned char raw[CAPTCHA_RAW + 8];
	size_t tl = strlen(token);
	if (tl > 64 || util_b64url_decode(token, tl, raw, sizeof raw) != CAPTCHA_RAW)
		return CAPTCHA_FORGED;
	unsigned char mac[16];
	util_mac(mac, sizeof mac, key, "captcha", raw, CAPTCHA_NONCE + 8);
	if (!util_eq(mac, raw + CAPTCHA_NONCE + 8, 16))
		return CAPTCHA_FORGED;
	uint64_t exp = get_be64(raw + CAPTCHA_NONCE);
	if (exp > (uint64_t)INT64_MAX)
		return CAPTCHA_FORGED;
	memcpy(nonce, raw, CAPTCHA_NONCE);
	*expiry = (int64_t)exp;
	if (*expiry <= now)
		return CAPTCHA_EXPIRED;
	if (*expiry > now + CAPTCHA_TTL + 300)
		return CAPTCHA_FORGED; /* made with a future clock: refuse */
	return CAPTCHA_OK;
}

void captcha_answer(const unsigned char key[32], const unsigned char nonce[CAPTCHA_NONCE],
                    char out[CAPTCHA_LEN + 1])
{
	static const char alphabet[] = CAPTCHA_ALPHABET;
	unsigned char mac[16];
	util_mac(mac, sizeof mac, key, "captcha-answer", nonce, CAPTCHA_NONCE);
	for (int i = 0; i < CAPTCHA_LEN; i++)
		out[i] = alphabet[mac[i] % (sizeof alphabet - 1)];
	out[CAPTCHA_LEN] = 0;
}

static const char *const number_words[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
	"nineteen", "twenty"};

static void text_question(const unsigned char key[32], const unsigned char nonce[CAPTCHA_NONCE],
                          int *answer, int *xo, int *yo, bool *minuso)
{
	unsigned char mac[4];
	util_mac(mac, sizeof mac, key, "captcha-text", nonce, CAPTCHA_NONCE);
	int x = 3 + mac[0] % 7; /* 3..9 */
	int y = 1 + mac[1] % 9; /* 1..9 */
	bool minus = (mac[2] & 1) && y < x;
	*answer = minus ? x - y : x + y;
	if (xo) {
		*xo = x;
		*yo = y;
		*minuso = minus;
	}
}

const char *captcha_question(arena *a, const unsigned char key[32],
                             const unsigned char nonce[CAPTCHA_NONCE], int *answer)
{
	int x, y;
	bool minus;
	text_question(key, nonce, answer, &x, &y, &minus);
	return arena_printf(a, "What is %s %s %s?", number_words[x], minus ? "minus" : "plus",
	                    number_words[y]);
}

bool captcha_matches(const unsigned char key[32], const unsigned char nonce[CAPTCHA_NONCE],
                     const char *given)
{
	/* Normalise: drop spaces, upper-case letters. */
	char g[32];
	size_t n = 0;
	for (const char *p = given; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		/* No answer is this long; cutting it short instead would accept "000…0007xyz" as
		 * seven (seen while writing the reference check of tests/fuzz/fuzz_captcha.c). */
		if (n == sizeof g - 1)
			return false;
		g[n++] = (char)toupper((unsigned char)*p);
	}
	g[n] = 0;
	if (n == 0)
		return false;
	char want[CAPTCHA_LEN + 1];
	captcha_answer(key, nonce, want);
	bool ok = n == CAPTCHA_LEN && util_eq(g, want, CAPTCHA_LEN);
	/* The text alternative: the number as digits or as an English word. */
	int num;
	text_question(key, nonce, &num, NULL, NULL, NULL);
	int64_t v;
	if (util_parse_i64(g, 0, 100, &v) && v == num)
		ok = true;
	if (strcasecmp(g, number_words[num]) == 0)
		ok = true;
	return ok;
}

static const dbq q_use = {
	"INSERT INTO captcha_used (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING", NULL};
static const dbq q_purge = {"DELETE FROM captcha_used WHERE expires_at < $1", NULL};

bool captcha_answer_ok(const unsigned char key[32], const char *token, const char *given, int64_t now)
{
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t expiry;
	return given && *given && captcha_parse(key, token, now, nonce, &expiry) == CAPTCHA_OK &&
	       captcha_matches(key, nonce, given);
}

enum captcha_result captcha_verify(dbc *c, arena *a, const unsigned char key[32], const char *token,
                                   const char *given, int64_t now)
{
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t expiry;
	enum captcha_result rc = captcha_parse(key, token, now, nonce, &expiry);
	if (rc != CAPTCHA_OK)
		return rc;
	if (!given || !*given)
		return CAPTCHA_MISSING;
	int n = db_exec(c, &q_use, DBP(dbs(util_hex(a, nonce, sizeof nonce)), dbi(expiry)));
	if (n < 0)
		return CAPTCHA_DBFAIL;
	if (n == 0)
		return CAPTCHA_USED;
	/* Expired nonces are useless to keep: a cheap indexed delete, now and then. */
	if (randombytes_uniform(50) == 0)
		db_exec(c, &q_purge, DBP(dbi(now)));
	return captcha_matches(key, nonce, given) ? CAPTCHA_OK : CAPTCHA_WRONG;
}

/* ---- the image ---- */

enum { IMG_W = 230, IMG_H = 80 };
static const char font_path[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
static pthread_once_t ft_once = PTHREAD_ONCE_INIT;
static void ft_setup(void)
{
	gdFontCacheSetup();
}

static int rnd(int lo, int hi)
{
	return lo + (int)randombytes_uniform((uint32_t)(hi - lo + 1));
}

/* One glyph with the built-in font, scaled up and rotated, when FreeType is unavailable. */
static void draw_builtin(gdImagePtr im, char ch, int x, int y, int color, int angle)
{
	gdFontPtr f = gdFontGetGiant();
	gdImagePtr tile = gdImageCreateTrueColor(f->w + 2, f->h + 2);
	if (!tile)
		return;
	int white = gdImageColorAllocate(tile, 255, 255, 255);
	gdImageFilledRectangle(tile, 0, 0, f->w + 2, f->h + 2, white);
	gdImageColorTransparent(tile, white);
	gdImageChar(tile, f, 1, 1, ch, gdImageColorAllocate(tile, gdTrueColorGetRed(color),
	                                                     gdTrueColorGetGreen(color),
	                                                     gdTrueColorGetBlue(color)));
	gdImagePtr big = gdImageCreateTrueColor((f->w + 2) * 3, (f->h + 2) * 3);
	if (big) {
		gdImageFilledRectangle(big, 0, 0, big->sx, big->sy, gdImageColorAllocate(big, 255, 255, 255));
		gdImageCopyResized(big, tile, 0, 0, 0, 0, big->sx, big->sy, tile->sx, tile->sy);
		gdImageColorTransparent(big, gdImageColorAllocate(big, 255, 255, 255));
		gdImageCopyRotated(im, big, x + big->sx / 2.0, y - big->sy / 2.0, 0, 0, big->sx, big->sy, angle);
		gdImageDestroy(big);
	}
	gdImageDestroy(tile);
}

unsigned char *captcha_png(arena *a, const char answer[CAPTCHA_LEN + 1], size_t *len)
{
	pthread_once(&ft_once, ft_setup);
	unsigned char *out = NULL;
	gdImagePtr im = gdImageCreateTrueColor(IMG_W, IMG_H);
	gdImagePtr warped = gdImageCreateTrueColor(IMG_W, IMG_H);
	if (!im || !warped)
		goto out;
	int bg = gdTrueColorAlpha(246, 243, 236, 0);
	gdImageFilledRectangle(im, 0, 0, IMG_W, IMG_H, bg);
	/* Characters: dark, each its own tilt, size and height. */
	int x = 20;
	for (int i = 0; i < CAPTCHA_LEN; i++) {
		int color = gdTrueColorAlpha(rnd(10, 70), rnd(20, 70), rnd(40, 110), 0);
		double angle = (rnd(-25, 25)) * M_PI / 180.0;
		int size = rnd(26, 32);
		int y = rnd(50, 62);
		char s[2] = {answer[i], 0};
		int brect[8];
		char *err = gdImageStringFT(im, brect, color, (char *)font_path, size, angle, x, y, s);
		if (err)
			draw_builtin(im, answer[i], x, y - 10, color, (int)(angle * 180 / M_PI));
		x += rnd(36, 40);
	}
	/* A wave through the whole image, so letters cannot be cut apart on a straight line. */
	double phase = rnd(0, 628) / 100.0, amp = rnd(30, 50) / 10.0, period = rnd(90, 140) / 10.0;
	gdImageFilledRectangle(warped, 0, 0, IMG_W, IMG_H, bg);
	for (int px = 0; px < IMG_W; px++) {
		int dy = (int)lround(amp * sin(px / period + phase));
		for (int py = 0; py < IMG_H; py++) {
			int sy = py + dy;
			if (sy >= 0 && sy < IMG_H)
				gdImageSetPixel(warped, px, py, gdImageGetTrueColorPixel(im, px, sy));
		}
	}
	/* Noise: thin curved lines crossing the text, and speckles. */
	gdImageSetThickness(warped, 2);
	for (int i = 0; i < 4; i++) {
		int col = gdTrueColorAlpha(rnd(60, 150), rnd(60, 150), rnd(60, 150), 0);
		int y0 = rnd(10, IMG_H - 10), y1 = rnd(10, IMG_H - 10);
		int prevx = 0, prevy = y0;
		for (int sx = 10; sx <= IMG_W; sx += 10) {
			int sy = y0 + (y1 - y0) * sx / IMG_W + (int)lround(6 * sin(sx / 17.0 + i));
			gdImageLine(warped, prevx, prevy, sx, sy, col);
			prevx = sx;
			prevy = sy;
		}
	}
	gdImageSetThickness(warped, 1);
	for (int i = 0; i < 350; i++)
		gdImageSetPixel(warped, rnd(0, IMG_W - 1), rnd(0, IMG_H - 1),
		                gdTrueColorAlpha(rnd(80, 200), rnd(80, 200), rnd(80, 200), 0));
	int size = 0;
	void *png = gdImagePngPtr(warped, &size);
	if (!png || size <= 0)
		goto out;
	out = arena_alloc(a, (size_t)size);
	memcpy(out, png, (size_t)size);
	*len = (size_t)size;
	gdFree(png);
out:
	if (im)
		gdImageDestroy(im);
	if (warped)
		gdImageDestroy(warped);
	return out;
}
