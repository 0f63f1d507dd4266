/* fuzz_cookie.c: the Cookie header parser: at most 64 pairs, names never empty, no name or
 * value holds a ';' (a pair never swallows its neighbour). */
#include "fuzz.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *h = fuzz_strndup((const char *)d, n);
	arena *a = arena_new(0);
	kvlist l = {0};
	cookie_parse(a, h, &l);
	FUZZ_CHECK(l.n <= 64);
	for (int i = 0; i < l.n; i++) {
		FUZZ_CHECK(l.v[i].k[0] != 0);
		FUZZ_CHECK(!strchr(l.v[i].k, ';') && !strchr(l.v[i].v, ';'));
		FUZZ_CHECK(!strchr(l.v[i].k, '='));
		FUZZ_CHECK(strlen(l.v[i].v) == l.v[i].vlen);
	}
	cookie_parse(a, NULL, &l);
	arena_free(a);
	free(h);
	return 0;
}
