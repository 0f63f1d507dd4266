/* test_arena.c: the bump arena: alignment, chunk growth, realloc, strings, cap and deferred cleanups. */
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"

static void test_alloc_aligned(void **state)
{
	arena *a = arena_new(0);
	static const size_t sizes[] = {1, 3, 15, 16, 17, 31, 100, 1, 7, 4096, 5};
	unsigned char *prev = NULL;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *p = arena_alloc(a, sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xAB, sizes[i]);
		if (prev)
			assert_ptr_not_equal(p, prev);
		prev = p;
	}
	/* Zero-byte requests still get a distinct, aligned pointer. */
	void *z1 = arena_alloc(a, 0), *z2 = arena_alloc(a, 0);
	assert_ptr_not_equal(z1, z2);
	assert_int_equal((uintptr_t)z2 % 16, 0);
	unsigned char *zz = arena_zalloc(a, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(zz[i], 0);
	arena_free(a);
}

static void test_growth_across_chunks(void **state)
{
	arena *a = arena_new(0);
	size_t first = arena_used(a);
	unsigned char *blocks[200];
	for (int i = 0; i < 200; i++) {
		blocks[i] = arena_alloc(a, 1000);
		assert_int_equal((uintptr_t)blocks[i] % 16, 0);
		memset(blocks[i], i, 1000);
	}
	/* 200 KB cannot fit in the first chunk: the arena grew. */
	assert_true(arena_used(a) > first);
	assert_true(arena_used(a) >= 200 * 1000);
	/* Earlier blocks are untouched by later chunks. */
	for (int i = 0; i < 200; i++)
		for (int k = 0; k < 1000; k += 97)
			assert_int_equal(blocks[i][k], (unsigned char)i);
	/* One request larger than any chunk so far. */
	unsigned char *big = arena_alloc(a, (size_t)1 << 20);
	big[0] = 1;
	big[((size_t)1 << 20) - 1] = 2;
	assert_int_equal(big[0] + big[((size_t)1 << 20) - 1], 3);
	assert_false(arena_over(a));
	arena_free(a);
}

static void test_arena_realloc(void **state)
{
	arena *a = arena_new(0);
	char *p = arena_alloc(a, 10);
	memcpy(p, "abcdefghi", 10);
	/* The last allocation grows in place. */
	char *q = arena_realloc(a, p, 10, 200);
	assert_ptr_equal(q, p);
	assert_string_equal(q, "abcdefghi");
	memset(q + 10, 'x', 190);
	/* Shrinking never moves. */
	assert_ptr_equal(arena_realloc(a, q, 200, 50), q);
	/* Not the last allocation any more: copied to a new place. */
	char *other = arena_alloc(a, 16);
	memset(other, 'o', 16);
	char *r = arena_realloc(a, q, 200, 400);
	assert_ptr_not_equal(r, q);
	assert_int_equal((uintptr_t)r % 16, 0);
	assert_memory_equal(r, "abcdefghi", 10);
	for (int i = 10; i < 200; i++)
		assert_int_equal(r[i], 'x');
	assert_int_equal(other[0], 'o');
	/* Growth past the chunk copies as well. */
	char *s = arena_realloc(a, r, 400, 64 * 1024);
	assert_ptr_not_equal(s, r);
	assert_memory_equal(s, "abcdefghi", 10);
	assert_int_equal(s[199], 'x');
	/* NULL behaves like alloc. */
	char *n = arena_realloc(a, NULL, 0, 32);
	assert_non_null(n);
	assert_int_equal((uintptr_t)n % 16, 0);
	arena_free(a);
}

static void test_strings(void **state)
{
	arena *a = arena_new(0);
	const char *src = "hello, world";
	char *d = arena_strdup(a, src);
	assert_ptr_not_equal(d, src);
	assert_string_equal(d, src);
	assert_null(arena_strdup(a, NULL));
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(a, "abc", 0), "");
	assert_string_equal(arena_printf(a, "%d-%s-%05.1f", 42, "x", 2.5), "42-x-002.5");
	char big[3000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = 0;
	char *p = arena_printf(a, "<%s>", big);
	assert_int_equal(strlen(p), sizeof big + 1);
	assert_int_equal(p[0], '<');
	assert_int_equal(p[sizeof big], '>');
	arena_free(a);
}

/* arena_printf formats common conversions itself: it must agree with snprintf on each, and
 * hand anything else (widths, precision, hex) to vsnprintf unchanged. */
static void test_printf_matches_libc(void **state)
{
	(void)state;
	arena *a = arena_new(0);
	char want[256];
	const long long lls[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, LLONG_MAX, LLONG_MIN};
	for (size_t i = 0; i < sizeof lls / sizeof lls[0]; i++) {
		snprintf(want, sizeof want, "/t/questions/%lld#a-%lld%%", lls[i], lls[i]);
		assert_string_equal(arena_printf(a, "/t/questions/%lld#a-%lld%%", lls[i], lls[i]), want);
		snprintf(want, sizeof want, "%llu|%ld|%lu", (unsigned long long)lls[i], (long)lls[i], (unsigned long)lls[i]);
		assert_string_equal(arena_printf(a, "%llu|%ld|%lu", (unsigned long long)lls[i], (long)lls[i],
		                                 (unsigned long)lls[i]),
		                    want);
	}
	const int is[] = {0, -7, INT_MAX, INT_MIN};
	for (size_t i = 0; i < sizeof is / sizeof is[0]; i++) {
		snprintf(want, sizeof want, "%d %u %zu", is[i], (unsigned)is[i], (size_t)(unsigned)is[i]);
		assert_string_equal(arena_printf(a, "%d %u %zu", is[i], (unsigned)is[i], (size_t)(unsigned)is[i]), want);
	}
	assert_string_equal(arena_printf(a, "%s and %s", "café", ""), "café and ");
	assert_string_equal(arena_printf(a, "no conversions"), "no conversions");
	const char *empty = "";
	assert_string_equal(arena_printf(a, "%s", empty), "");
	/* Not handled here: must still be right. */
	assert_string_equal(arena_printf(a, "%05d|%x|%.3s|%-4s|", 42, 255, "abcdef", "ab"), "00042|ff|abc|ab  |");
	assert_string_equal(arena_printf(a, "%s=%.2f", "ratio", 0.5), "ratio=0.50");
	/* Results about the size of the first pass's buffer (256), by literal text, a string or a
	 * number crossing it: the same as snprintf. */
	char s[300], w[700];
	for (int n = 240; n < 270; n++) {
		memset(s, 'x', (size_t)n);
		s[n] = 0;
		snprintf(w, sizeof w, "/%s/%lld", s, 1234567LL);
		assert_string_equal(arena_printf(a, "/%s/%lld", s, 1234567LL), w);
#define Y50 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		snprintf(w, sizeof w, Y50 Y50 Y50 Y50 Y50 "%d%s", n, s + 240);
		assert_string_equal(arena_printf(a, Y50 Y50 Y50 Y50 Y50 "%d%s", n, s + 240), w);
		/* A conversion it does not handle after a long start. */
		snprintf(w, sizeof w, "%s|%5d", s, n);
		assert_string_equal(arena_printf(a, "%s|%5d", s, n), w);
	}
	arena_free(a);
}

static void test_reset(void **state)
{
	arena *a = arena_new(0);
	size_t first = arena_used(a);
	for (int i = 0; i < 100; i++)
		arena_alloc(a, 4000);
	assert_true(arena_used(a) > first);
	arena_reset(a);
	assert_int_equal(arena_used(a), first);
	/* Still usable after a reset, and across chunks again. */
	for (int round = 0; round < 3; round++) {
		char *s = arena_printf(a, "round %d", round);
		assert_string_equal(s, round == 0 ? "round 0" : round == 1 ? "round 1" : "round 2");
		for (int i = 0; i < 20; i++) {
			unsigned char *p = arena_alloc(a, 2000);
			memset(p, 7, 2000);
			assert_int_equal(p[1999], 7);
		}
		arena_reset(a);
	}
	arena_free(a);
}

static void test_cap(void **state)
{
	arena *a = arena_new(40 * 1024);
	arena_alloc(a, 1000);
	assert_false(arena_over(a));
	/* Past the cap the flag is set but memory is still returned. */
	char *p = arena_alloc(a, 60 * 1024);
	assert_non_null(p);
	memset(p, 1, 60 * 1024);
	assert_true(arena_over(a));
	/* Sticky. */
	arena_alloc(a, 16);
	assert_true(arena_over(a));
	/* Reset clears it. */
	arena_reset(a);
	assert_false(arena_over(a));
	arena_alloc(a, 100);
	assert_false(arena_over(a));
	arena_free(a);
}

struct order {
	int seen[8];
	int n;
};

struct step {
	struct order *o;
	int id;
};

static void record(void *ctx)
{
	struct step *s = ctx;
	s->o->seen[s->o->n++] = s->id;
}

static void test_defer_lifo(void **state)
{
	struct order o = {{0}, 0};
	struct step s[3] = {{&o, 1}, {&o, 2}, {&o, 3}};
	arena *a = arena_new(0);
	for (int i = 0; i < 3; i++)
		arena_defer(a, record, &s[i]);
	assert_int_equal(o.n, 0);
	arena_free(a);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.seen[0], 3);
	assert_int_equal(o.seen[1], 2);
	assert_int_equal(o.seen[2], 1);
}

static void test_defer_on_reset(void **state)
{
	struct order o = {{0}, 0};
	struct step s[4] = {{&o, 1}, {&o, 2}, {&o, 3}, {&o, 4}};
	arena *a = arena_new(0);
	arena_defer(a, record, &s[0]);
	/* Cleanups registered after the first chunk filled up still run. */
	for (int i = 0; i < 40; i++)
		arena_alloc(a, 1000);
	arena_defer(a, record, &s[1]);
	arena_reset(a);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.seen[0], 2);
	assert_int_equal(o.seen[1], 1);
	/* A reset forgets them: only the new ones run on free. */
	arena_defer(a, record, &s[2]);
	arena_defer(a, record, &s[3]);
	arena_free(a);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.seen[2], 4);
	assert_int_equal(o.seen[3], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_aligned),
		cmocka_unit_test(test_growth_across_chunks),
		cmocka_unit_test(test_arena_realloc),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_printf_matches_libc),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_defer_lifo),
		cmocka_unit_test(test_defer_on_reset),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
