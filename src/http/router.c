/* router.c: segment-by-segment path matching against the route table. */
#include "http/router.h"

#include <string.h>

/* Negative when pattern a is more specific than b. */
static int specificity(const char *a, const char *b)
{
	while (*a && *b) {
		bool ca = a[1] == '{', cb = b[1] == '{';
		if (ca != cb)
			return ca ? 1 : -1;
		const char *ea = strchr(a + 1, '/'), *eb = strchr(b + 1, '/');
		if (!ea || !eb)
			break;
		a = ea;
		b = eb;
	}
	return 0;
}

void router_sort(route *table, int n)
{
	/* Insertion sort: stable, so equally specific routes keep their table order. */
	for (int i = 1; i < n; i++) {
		route r = table[i];
		int j = i - 1;
		while (j >= 0 && specificity(r.pattern, table[j].pattern) < 0) {
			table[j + 1] = table[j];
			j--;
		}
		table[j + 1] = r;
	}
}

bool router_match_path(const char *pattern, const char *path, arena *a, const char **params,
                       int *nparams)
{
	int np = 0;
	const char *p = pattern, *s = path;
	if (*p != '/' || *s != '/')
		return false;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/');
		if (!pe)
			pe = p + strlen(p);
		const char *se = strchr(s, '/');
		if (!se)
			se = s + strlen(s);
		size_t pl = (size_t)(pe - p), sl = (size_t)(se - s);
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (sl == 0 || np == 8)
				return false;
			params[np++] = arena_strndup(a, s, sl);
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return false;
		}
		p = pe;
		s = se;
	}
	if (*p || *s)
		return false;
	*nparams = np;
	return true;
}

enum route_match router_match(const route *table, int n, req *r, const route **found,
                              unsigned *allowed)
{
	*allowed = 0;
	unsigned m = r->method == M_HEAD ? M_GET : r->method;
	for (int i = 0; i < n; i++) {
		const char *params[8];
		int np = 0;
		if (!router_match_path(table[i].pattern, r->path, r->a, params, &np))
			continue;
		if (!(table[i].methods & m)) {
			*allowed |= table[i].methods;
			continue;
		}
		memcpy(r->params, params, sizeof(params[0]) * (size_t)np);
		r->nparams = np;
		r->route = table[i].pattern;
		*found = &table[i];
		return ROUTE_FOUND;
	}
	return *allowed ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
