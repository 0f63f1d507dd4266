/* test_router.c: path patterns with {captures} and route table matching with methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "http/router.h"

static int setup(void **state)
{
	*state = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static bool match(arena *a, const char *pattern, const char *path, const char **params, int *np)
{
	*np = -1;
	return router_match_path(pattern, path, a, params, np);
}

static void test_literals(void **state)
{
	const char *params[8];
	int np;
	assert_true(match(*state, "/", "/", params, &np));
	assert_int_equal(np, 0);
	assert_true(match(*state, "/search", "/search", params, &np));
	assert_int_equal(np, 0);
	assert_true(match(*state, "/mod/queue", "/mod/queue", params, &np));
	assert_false(match(*state, "/search", "/searc", params, &np));
	assert_false(match(*state, "/search", "/searches", params, &np));
	assert_false(match(*state, "/mod/queue", "/mod", params, &np));
	assert_false(match(*state, "/mod", "/mod/queue", params, &np));
	assert_false(match(*state, "/a/b", "/a/c", params, &np));
	assert_false(match(*state, "/", "/x", params, &np));
	assert_false(match(*state, "/x", "/", params, &np));
	assert_false(match(*state, "/search", "search", params, &np));
	assert_false(match(*state, "search", "/search", params, &np));
	assert_false(match(*state, "/Search", "/search", params, &np));
}

static void test_captures(void **state)
{
	const char *params[8];
	int np;
	const char *path = "/diabetes/questions/12-can-i-run";
	assert_true(match(*state, "/{topic}/questions/{id}", path, params, &np));
	assert_int_equal(np, 2);
	assert_string_equal(params[0], "diabetes");
	assert_string_equal(params[1], "12-can-i-run");
	/* Copies, not pointers into the path. */
	uintptr_t p0 = (uintptr_t)params[0], ps = (uintptr_t)path;
	assert_true(p0 < ps || p0 > ps + strlen(path));
	assert_true(match(*state, "/u/{name}", "/u/alice", params, &np));
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "alice");
	/* A capture takes one whole segment, never a slash. */
	assert_false(match(*state, "/u/{name}", "/u/alice/x", params, &np));
	assert_false(match(*state, "/{topic}/questions/{id}", "/diabetes/answers/12", params, &np));
	/* A lone "{" is literal text. */
	assert_true(match(*state, "/{", "/{", params, &np));
	assert_int_equal(np, 0);
	assert_false(match(*state, "/{", "/x", params, &np));
}

static void test_refusals(void **state)
{
	const char *params[8];
	int np;
	/* Trailing slashes. */
	assert_false(match(*state, "/search", "/search/", params, &np));
	assert_false(match(*state, "/u/{name}", "/u/alice/", params, &np));
	assert_false(match(*state, "/{topic}", "/diabetes/", params, &np));
	/* Empty segments never fill a capture. */
	assert_false(match(*state, "/u/{name}", "/u/", params, &np));
	assert_false(match(*state, "/{topic}", "/", params, &np));
	assert_false(match(*state, "/{a}/{b}", "//x", params, &np));
	assert_false(match(*state, "/{a}/{b}", "/x//", params, &np));
	assert_false(match(*state, "/{a}/x", "//x", params, &np));
	assert_false(match(*state, "/a/{b}/c", "/a//c", params, &np));
	assert_false(match(*state, "/a/b", "/a//b", params, &np));
	/* np is only written on success. */
	assert_int_equal(np, -1);
}

static void test_capture_limit(void **state)
{
	const char *params[8];
	int np;
	assert_true(match(*state, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", "/1/2/3/4/5/6/7/8", params, &np));
	assert_int_equal(np, 8);
	assert_string_equal(params[0], "1");
	assert_string_equal(params[7], "8");
	/* A ninth capture is refused rather than written past params[7]. */
	assert_false(match(*state, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", "/1/2/3/4/5/6/7/8/9", params, &np));
	assert_true(match(*state, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/x", "/1/2/3/4/5/6/7/8/x", params, &np));
}

/* A small table: distinct handlers so the found route can be told apart. */
static void h_home(req *r) { (void)r; }
static void h_search(req *r) { (void)r; }
static void h_ask(req *r) { (void)r; }
static void h_topic(req *r) { (void)r; }
static void h_question(req *r) { (void)r; }
static void h_answer(req *r) { (void)r; }
static void h_delete(req *r) { (void)r; }

static const route table[] = {
	{M_GET, "/", h_home, 0},
	{M_GET, "/search", h_search, 0},
	{M_GET | M_POST, "/{topic}/ask", h_ask, 1},
	{M_GET, "/{topic}", h_topic, 0},
	{M_GET, "/{topic}/questions/{id}", h_question, 0},
	{M_POST, "/{topic}/questions/{id}/answer", h_answer, 2},
	{M_DELETE, "/{topic}/questions/{id}", h_delete, 4},
};
enum { NROUTES = sizeof table / sizeof table[0] };

static req make_req(arena *a, enum http_method m, const char *path)
{
	req r;
	memset(&r, 0, sizeof r);
	r.a = a;
	r.method = m;
	r.path = path;
	return r;
}

static void test_table_found(void **state)
{
	const route *found = NULL;
	unsigned allowed = 99;
	req r = make_req(*state, M_GET, "/search");
	/* The literal route wins over "/{topic}" because it comes first. */
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_search);
	assert_int_equal(r.nparams, 0);
	assert_string_equal(r.route, "/search");
	assert_int_equal(allowed, 0);

	r = make_req(*state, M_GET, "/asthma");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_topic);
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "asthma");

	r = make_req(*state, M_POST, "/asthma/questions/7-x/answer");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found, &table[5]);
	assert_int_equal(found->flags, 2);
	assert_int_equal(r.nparams, 2);
	assert_string_equal(r.params[0], "asthma");
	assert_string_equal(r.params[1], "7-x");
	assert_string_equal(r.route, "/{topic}/questions/{id}/answer");

	/* Same path, the method picks the route. */
	r = make_req(*state, M_DELETE, "/asthma/questions/7");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_delete);
	r = make_req(*state, M_POST, "/asthma/ask");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_ask);
}

static void test_table_head(void **state)
{
	const route *found = NULL;
	unsigned allowed;
	req r = make_req(*state, M_HEAD, "/");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_home);
	r = make_req(*state, M_HEAD, "/asthma/questions/3");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_FOUND);
	assert_ptr_equal(found->fn, h_question);
	assert_string_equal(r.params[1], "3");
	/* HEAD on a POST-only path is a bad method, not a match. */
	r = make_req(*state, M_HEAD, "/asthma/questions/3/answer");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, M_POST);
}

static void test_table_bad_method(void **state)
{
	const route *found = NULL;
	unsigned allowed = 0;
	req r = make_req(*state, M_POST, "/search");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_BAD_METHOD);
	assert_null(found);
	assert_int_equal(allowed, M_GET);

	r = make_req(*state, M_PUT, "/asthma/ask");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, M_GET | M_POST);

	/* Allowed methods are gathered over every route that matches the path. */
	r = make_req(*state, M_PATCH, "/asthma/questions/3");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, M_GET | M_DELETE);

	r = make_req(*state, M_GET, "/asthma/questions/3/answer");
	assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_BAD_METHOD);
	assert_int_equal(allowed, M_POST);
}

static void test_table_not_found(void **state)
{
	const route *found = NULL;
	unsigned allowed = 77;
	static const char *paths[] = {"/asthma/questions", "/asthma/x/y", "/search/", "//", "",
	                              "/asthma/questions/3/answer/x"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		req r = make_req(*state, M_GET, paths[i]);
		assert_int_equal(router_match(table, NROUTES, &r, &found, &allowed), ROUTE_NOT_FOUND);
		assert_int_equal(allowed, 0);
		assert_null(found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_captures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_bad_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_not_found, setup, teardown),
	};
	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
