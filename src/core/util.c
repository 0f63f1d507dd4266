/* util.c: random tokens, encodings, MACs, time formatting and slugs. */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void util_random(void *out, size_t n)
{
	randombytes_buf(out, n);
}

char *util_b64url(arena *a, const void *data, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);
	sodium_bin2base64(out, len, data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

long util_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outmax)
{
	size_t len = 0;
	/* libsodium decodes some bytes outside the alphabet (0xFF reads as '_'), which would give
	 * one token several spellings: only the 64 URL-safe characters are let through
	 * (found by tests/fuzz/fuzz_captcha.c, corpus/captcha/high-byte-spelling). */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	if (sodium_base642bin(out, outmax, s, n, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (long)len;
}

char *util_token(arena *a, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof raw)
		nbytes = sizeof raw;
	util_random(raw, nbytes);
	return util_b64url(a, raw, nbytes);
}

char *util_hex(arena *a, const void *data, size_t n)
{
	char *out = arena_alloc(a, n * 2 + 1);
	sodium_bin2hex(out, n * 2 + 1, data, n);
	return out;
}

void util_mac(unsigned char *out, size_t outlen, const unsigned char key[32], const char *domain,
              const void *msg, size_t n)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, 32, outlen);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, msg, n);
	crypto_generichash_final(&st, out, outlen);
}

char *util_mac_hex(arena *a, const unsigned char key[32], const char *domain, const void *msg,
                   size_t n, size_t outlen)
{
	unsigned char mac[64];
	if (outlen > sizeof mac)
		outlen = sizeof mac;
	util_mac(mac, outlen, key, domain, msg, n);
	return util_hex(a, mac, outlen);
}

bool util_eq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

int64_t util_now(void)
{
	return (int64_t)time(NULL);
}

double util_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

/* Civil date from unix time (Howard Hinnant's days-to-civil), without locale or tz work. */
static void civil(int64_t t, int *y, int *m, int *d, int *hh, int *mm, int *ss)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - days * 86400;
	*hh = (int)(rem / 3600);
	*mm = (int)(rem % 3600 / 60);
	*ss = (int)(rem % 60);
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *put_num(char *p, long v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 20);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *util_date(arena *a, int64_t t)
{
	int y, m, d, hh, mm, ss;
	civil(t, &y, &m, &d, &hh, &mm, &ss);
	char *out = arena_alloc(a, 32), *p = out;
	p = put_num(p, d, 1);
	*p++ = ' ';
	size_t ml = strlen(months[m - 1]);
	memcpy(p, months[m - 1], ml);
	p += ml;
	*p++ = ' ';
	p = put_num(p, y, 4);
	*p = 0;
	return out;
}

char *util_iso8601(arena *a, int64_t t)
{
	int y, m, d, hh, mm, ss;
	civil(t, &y, &m, &d, &hh, &mm, &ss);
	char *out = arena_alloc(a, 24), *p = out;
	p = put_num(p, y, 4);
	*p++ = '-';
	p = put_num(p, m, 2);
	*p++ = '-';
	p = put_num(p, d, 2);
	*p++ = 'T';
	p = put_num(p, hh, 2);
	*p++ = ':';
	p = put_num(p, mm, 2);
	*p++ = ':';
	p = put_num(p, ss, 2);
	*p++ = 'Z';
	*p = 0;
	return out;
}

char *util_ago(arena *a, int64_t t, int64_t now)
{
	int64_t d = now - t;
	if (d < 60)
		return arena_strdup(a, "just now");
	if (d < 3600)
		return util_plural(a, d / 60, "minute ago", "minutes ago");
	if (d < 86400)
		return util_plural(a, d / 3600, "hour ago", "hours ago");
	if (d < 86400 * 31)
		return util_plural(a, d / 86400, "day ago", "days ago");
	if (d < 86400 * 365)
		return util_plural(a, d / (86400 * 30), "month ago", "months ago");
	return util_date(a, t);
}

char *util_plural(arena *a, int64_t n, const char *one, const char *many)
{
	const char *w = n == 1 ? one : many;
	size_t wl = strlen(w);
	char *out = arena_alloc(a, wl + 24), *p = out;
	if (n < 0) {
		*p++ = '-';
		n = -n;
	}
	p = put_num(p, (long)n, 1);
	*p++ = ' ';
	memcpy(p, w, wl + 1);
	return out;
}

char *util_slugify(arena *a, const char *s, size_t max)
{
	char *out = arena_alloc(a, max + 1);
	size_t o = 0;
	bool dash = false, cut = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* Apostrophes join a word: "can't" and "can’t" (U+2019) both give "cant". */
		if (*p == '\'')
			continue;
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99) {
			p += 2;
			continue;
		}
		if (isalnum(*p) && *p < 0x80) {
			size_t need = (dash && o > 0) ? 2 : 1;
			if (o + need > max) {
				cut = true;
				break;
			}
			if (dash && o > 0)
				out[o++] = '-';
			dash = false;
			out[o++] = (char)tolower(*p);
		} else {
			dash = true;
		}
	}
	/* Never end on half a word: go back to the last whole word when the limit cut one. */
	if (cut && !dash) {
		size_t last = o;
		while (last > 0 && out[last - 1] != '-')
			last--;
		if (last > 1)
			o = last - 1;
	}
	out[o] = 0;
	return out;
}

bool util_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s || strlen(s) > (s[0] == '-' ? 20u : 19u))
		return false;
	for (const char *p = s; *p; p++)
		if (!(isdigit((unsigned char)*p) || (p == s && *p == '-' && p[1])))
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

const char *util_trim(const char *s, size_t *n)
{
	size_t len = *n;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*n = len;
	return s;
}

char *util_lower(arena *a, const char *s)
{
	char *o = arena_strdup(a, s);
	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}
