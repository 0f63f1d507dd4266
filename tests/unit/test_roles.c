/* test_roles.c: docs/roles.md documents every route of the route table with the gate its flags
 * give (guest, member, guide, moderator, admin) and its methods, so a new route without a
 * written rule, or a flag changed without the document, fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/web.h"

/* docs/roles.md, found from this file's own path (tests/unit/ → ../../docs). */
static char *read_doc(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s", __FILE__);
	char *cut = strstr(path, "tests/unit/");
	if (!cut)
		return NULL;
	snprintf(cut, sizeof path - (size_t)(cut - path), "docs/roles.md");
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = calloc(1, 1 << 20);
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = 0;
	fclose(f);
	return text;
}

static const char *gate_of(unsigned flags)
{
	if (flags & R_ADMIN)
		return "admin";
	if (flags & R_MOD)
		return "moderator";
	if (flags & R_GUIDE)
		return "guide";
	if (flags & R_LOGIN)
		return "member";
	return "guest";
}

/* The cells of the table row whose route cell is `pattern`: methods, gate. False when none. */
static bool row_of(const char *doc, const char *pattern, char *methods, size_t ml, char *gate, size_t gl)
{
	char want[300];
	snprintf(want, sizeof want, "| `%s` |", pattern);
	for (const char *p = strstr(doc, want); p; p = strstr(p + 1, want)) {
		const char *line = p;
		while (line > doc && line[-1] != '\n')
			line--;
		if (line[0] != '|')
			continue;
		/* | methods | `route` | gate | who may | checked in | */
		const char *m = line + 1;
		size_t mn = (size_t)(p - m);
		snprintf(methods, ml, "%.*s", (int)mn, m);
		const char *g = p + strlen(want);
		while (*g == ' ')
			g++;
		size_t gn = strcspn(g, " |");
		snprintf(gate, gl, "%.*s", (int)gn, g);
		return true;
	}
	return false;
}

static void test_every_route_documented(void **state)
{
	char *doc = read_doc();
	assert_non_null(doc);
	int missing = 0;
	for (int i = 0; i < web_nroutes; i++) {
		const route *rt = &web_routes[i];
		char methods[100], gate[40];
		if (!row_of(doc, rt->pattern, methods, sizeof methods, gate, sizeof gate)) {
			fprintf(stderr, "docs/roles.md has no row for route %s: say who may use it\n", rt->pattern);
			missing++;
			continue;
		}
		if (strcmp(gate, gate_of(rt->flags)) != 0) {
			fprintf(stderr, "docs/roles.md: %s has gate \"%s\" but its flags say \"%s\"\n", rt->pattern, gate,
			        gate_of(rt->flags));
			missing++;
		}
		static const struct {
			unsigned m;
			const char *name;
		} ms[] = {{M_GET, "GET"}, {M_POST, "POST"}, {M_PATCH, "PATCH"}, {M_DELETE, "DELETE"}};
		/* One row per address: a path served by several table entries (one per method) lists
		 * the methods of all of them. */
		unsigned all = 0;
		for (int j = 0; j < web_nroutes; j++)
			if (strcmp(web_routes[j].pattern, rt->pattern) == 0)
				all |= web_routes[j].methods;
		bool same = true;
		for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
			same = same && !(all & ms[k].m) == !strstr(methods, ms[k].name);
		if (!same) {
			fprintf(stderr, "docs/roles.md: the methods of %s (%s) do not match the route table\n", rt->pattern,
			        methods);
			missing++;
		}
	}
	free(doc);
	assert_int_equal(missing, 0);
}

/* Every row names a route that exists (no stale rules). */
static void test_no_stale_rows(void **state)
{
	char *doc = read_doc();
	assert_non_null(doc);
	int stale = 0;
	const char *p = strstr(doc, "## Every route");
	assert_non_null(p);
	for (p = strstr(p, "\n| "); p; p = strstr(p + 1, "\n| ")) {
		const char *a = strstr(p, "| `");
		const char *eol = strchr(p + 1, '\n');
		if (!a || (eol && a > eol))
			continue;
		a += 3;
		size_t n = strcspn(a, "`");
		bool found = false;
		for (int i = 0; i < web_nroutes && !found; i++)
			found = strlen(web_routes[i].pattern) == n && strncmp(web_routes[i].pattern, a, n) == 0;
		if (!found) {
			fprintf(stderr, "docs/roles.md lists %.*s, which is not in the route table\n", (int)n, a);
			stale++;
		}
	}
	free(doc);
	assert_int_equal(stale, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_no_stale_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
