/* fuzz_router.c: route matching. Input: pattern ‖ 0xFF ‖ path. The fuzzed pattern joins a
 * table shaped like the real one; the table is sorted and the path matched against it.
 * A match captures exactly one non-empty, slash-free parameter per {capture} segment. */
#include "fuzz.h"
#include "http/router.h"

static void h(req *r)
{
	(void)r;
}

static const char *const patterns[] = {
	"/", "/search", "/login", "/register", "/logout", "/account", "/u/{username}", "/terms",
	"/privacy", "/healthz", "/robots.txt", "/{topic}", "/{topic}/ask",
	"/{topic}/questions/{id}", "/{topic}/questions/{id}/answers",
	"/{topic}/questions/{id}/accept", "/{topic}/questions/{id}/edit",
	"/{topic}/questions/{id}/answers/{aid}/edit", "/{topic}/questions/{id}/history",
	"/{topic}/questions/{id}/answers/{aid}/history",
};
enum { NP = sizeof patterns / sizeof patterns[0] };

static int captures(const char *p)
{
	int n = 0;
	while (*p) {
		if (*p != '/')
			return -1;
		const char *e = strchr(p + 1, '/');
		size_t l = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (l >= 2 && p[1] == '{' && p[l] == '}')
			n++;
		p += l + 1;
	}
	return n;
}

static void check_match(const char *pattern, const char *path, int np, const char **params)
{
	FUZZ_CHECK(np >= 0 && np <= 8);
	int want = captures(pattern);
	FUZZ_CHECK(want == np || want > 8);
	for (int i = 0; i < np; i++) {
		FUZZ_CHECK(params[i][0] != 0);
		FUZZ_CHECK(!strchr(params[i], '/'));
		FUZZ_CHECK(strstr(path, params[i]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *ps, *ss;
	size_t pn, sn;
	fuzz_split(d, n, &ps, &pn, &ss, &sn);
	char *pattern = fuzz_strndup(ps, pn);
	char *path = fuzz_strndup(ss, sn);
	arena *a = arena_new(0);

	const char *params[8];
	int np = -1;
	if (router_match_path(pattern, path, a, params, &np))
		check_match(pattern, path, np, params);

	route table[NP + 1];
	for (int i = 0; i < NP; i++)
		table[i] = (route){M_GET | M_POST, patterns[i], h, 0};
	table[NP] = (route){M_PUT, pattern, h, 0};
	router_sort(table, NP + 1);
	req r;
	memset(&r, 0, sizeof r);
	r.a = a;
	r.method = M_GET;
	r.path = path;
	const route *found = NULL;
	unsigned allowed;
	enum route_match m = router_match(table, NP + 1, &r, &found, &allowed);
	if (m == ROUTE_FOUND) {
		FUZZ_CHECK(found && r.route == found->pattern);
		check_match(found->pattern, path, r.nparams, r.params);
	} else if (m == ROUTE_BAD_METHOD) {
		FUZZ_CHECK(allowed == M_PUT);
	}
	arena_free(a);
	free(pattern);
	free(path);
	return 0;
}
