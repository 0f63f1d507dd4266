/* fuzz_form.c: urlencoded bodies, multipart bodies (Content-Type ‖ 0xFF ‖ body), url_decode
 * and url_is_local. Every parsed value is NUL-terminated at its length; limits hold. */
#include "fuzz.h"
#include "http/form.h"

static void check_list(const kvlist *l, int max)
{
	FUZZ_CHECK(l->n <= max);
	for (int i = 0; i < l->n; i++) {
		FUZZ_CHECK(l->v[i].k && l->v[i].v);
		FUZZ_CHECK(l->v[i].v[l->v[i].vlen] == 0);
		FUZZ_CHECK(strlen(l->v[i].v) <= l->v[i].vlen);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	arena *a = arena_new(0);
	const char *s = (const char *)d;

	kvlist l = {0};
	int rc = form_parse_urlencoded(a, s, n, &l, 20);
	FUZZ_CHECK(rc == FORM_OK || rc == FORM_TOO_MANY);
	check_list(&l, 20);

	size_t ol;
	char *dec = url_decode(a, s, n, true, &ol);
	FUZZ_CHECK(ol <= n && dec[ol] == 0);

	const char *ct, *body;
	size_t ctn, bn;
	fuzz_split(d, n, &ct, &ctn, &body, &bn);
	char *ctz = fuzz_strndup(ct, ctn);
	char *bodyc = malloc(bn ? bn : 1); /* exact size: reads past the body are caught */
	memcpy(bodyc, body, bn);
	kvlist f = {0};
	upload *ups = NULL;
	int nup = -1;
	rc = form_parse_multipart(a, ctz, bodyc, bn, &f, &ups, &nup, 10, 3);
	FUZZ_CHECK(rc == FORM_OK || rc == FORM_TOO_MANY || rc == FORM_MALFORMED);
	check_list(&f, 10);
	FUZZ_CHECK(nup >= 0 && nup <= 3);
	if (rc == FORM_OK)
		for (int i = 0; i < nup; i++) {
			FUZZ_CHECK(ups[i].field && ups[i].filename && ups[i].ctype && ups[i].data);
			FUZZ_CHECK(ups[i].len <= bn && ups[i].data[ups[i].len] == 0);
		}
	free(bodyc);

	/* A local redirect target never leaves the site. */
	if (url_is_local(ctz)) {
		FUZZ_CHECK(ctz[0] == '/' && ctz[1] != '/' && ctz[1] != '\\');
		for (const char *p = ctz; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != '\\');
	}
	free(ctz);
	arena_free(a);
	return 0;
}
