/* router.c: segment-by-segment path matching against the route table. */
#include "http/router.h"

#include <string.h>

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
