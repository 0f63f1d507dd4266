/* router.h: one table of routes {methods, pattern, handler, flags}, matched by path segments.
 *
 * Patterns are literal segments and {name} captures: "/{topic}/questions/{id}".
 * The most specific pattern wins whatever the table order: at the first segment where two
 * patterns differ, a literal beats a capture ("/search" before "/{topic}"). */
#ifndef CC_ROUTER_H
#define CC_ROUTER_H
#include "http/request.h"

typedef void (*route_fn)(req *r);

typedef struct route {
	unsigned methods;   /* M_GET | M_POST …; GET routes also answer HEAD */
	const char *pattern;
	route_fn fn;
	unsigned flags;     /* application-defined (login, role, CSRF) */
} route;

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Sorts a table most specific first (done once at start-up). */
void router_sort(route *table, int n);
/* Finds the route for r->method and r->path in a sorted table; fills r->params. On ROUTE_BAD_METHOD,
 * *allowed holds the methods the path does accept. */
enum route_match router_match(const route *table, int n, req *r, const route **found,
                              unsigned *allowed);
/* Pure matcher for tests and fuzzing: captures up to 8 parameters into params (arena copies). */
bool router_match_path(const char *pattern, const char *path, arena *a, const char **params,
                       int *nparams);

#endif
