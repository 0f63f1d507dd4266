/* test_openapi.c: data/openapi.json matches the code: every /api/v1 route and method is
 * documented, every documented path is routed, and every $ref resolves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/embedded.h"
#include "web/web.h"

static json_t *load(void)
{
	const struct embedded_file *f = embedded_find("data/openapi.json");
	assert_non_null(f);
	json_error_t err;
	json_t *j = json_loadb(f->data, f->len, 0, &err);
	if (!j)
		fprintf(stderr, "openapi.json: %s at line %d\n", err.text, err.line);
	assert_non_null(j);
	return j;
}

static void test_routes_documented(void **state)
{
	json_t *doc = load();
	json_t *paths = json_object_get(doc, "paths");
	int api_routes = 0;
	for (int i = 0; i < web_nroutes; i++) {
		const route *rt = &web_routes[i];
		if (strncmp(rt->pattern, "/api/v1/", 8) != 0)
			continue;
		api_routes++;
		const char *p = rt->pattern + 7;
		json_t *item = json_object_get(paths, p);
		if (!item)
			fprintf(stderr, "route %s is not in openapi.json\n", rt->pattern);
		assert_non_null(item);
		static const struct {
			unsigned m;
			const char *name;
		} methods[] = {{M_GET, "get"}, {M_POST, "post"}, {M_PUT, "put"}, {M_DELETE, "delete"}, {M_PATCH, "patch"}};
		for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
			bool routed = rt->methods & methods[k].m;
			json_t *op = json_object_get(item, methods[k].name);
			if (routed != (op != NULL))
				fprintf(stderr, "%s %s: routed %d, documented %d\n", methods[k].name, rt->pattern, routed, op != NULL);
			assert_int_equal(routed, op != NULL);
			if (op) {
				assert_non_null(json_object_get(op, "operationId"));
				assert_non_null(json_object_get(op, "responses"));
			}
		}
		/* Path parameters are declared. */
		for (const char *b = strchr(p, '{'); b; b = strchr(b + 1, '{')) {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(b + 1, "}"), b + 1);
			json_t *op;
			const char *mk;
			json_object_foreach(item, mk, op)
			{
				bool found = false;
				size_t ix;
				json_t *prm;
				json_array_foreach(json_object_get(op, "parameters"), ix, prm) if (
					strcmp(json_string_value(json_object_get(prm, "name")), name) == 0 &&
					strcmp(json_string_value(json_object_get(prm, "in")), "path") == 0) found = true;
				if (!found)
					fprintf(stderr, "%s %s: path parameter %s not declared\n", mk, p, name);
				assert_true(found);
			}
		}
	}
	assert_true(api_routes >= 9);
	/* And the other way: nothing documented that the router does not serve. */
	const char *p;
	json_t *item;
	json_object_foreach(paths, p, item)
	{
		char full[256];
		snprintf(full, sizeof full, "/api/v1%s", p);
		bool found = false;
		for (int i = 0; i < web_nroutes; i++)
			if (strcmp(web_routes[i].pattern, full) == 0)
				found = true;
		if (!found)
			fprintf(stderr, "openapi.json documents %s, which is not routed\n", full);
		assert_true(found);
	}
	json_decref(doc);
}

/* Every "$ref": "#/a/b/c" points at something that exists. */
static void check_refs(json_t *doc, json_t *node)
{
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v)
		{
			if (strcmp(k, "$ref") == 0) {
				const char *ref = json_string_value(v);
				assert_non_null(ref);
				assert_true(strncmp(ref, "#/", 2) == 0);
				char path[256];
				snprintf(path, sizeof path, "%s", ref + 2);
				json_t *cur = doc;
				for (char *s = path, *e; cur && s; s = e ? e + 1 : NULL) {
					e = strchr(s, '/');
					if (e)
						*e = 0;
					cur = json_object_get(cur, s);
				}
				if (!cur)
					fprintf(stderr, "unresolved $ref %s\n", ref);
				assert_non_null(cur);
			} else {
				check_refs(doc, v);
			}
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v) check_refs(doc, v);
	}
}

static void test_refs_resolve(void **state)
{
	json_t *doc = load();
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	check_refs(doc, doc);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_documented),
		cmocka_unit_test(test_refs_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
