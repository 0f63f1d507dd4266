/* test_search_steps.c: search over more answers than one look at the newest rows covers. On
 * PostgreSQL search picks its candidates in steps (search.c, pg_candidates): the newest 4,000 rows
 * one by one, then 16,000 more when matches are that common, then the GIN index for words that are
 * rare; this site has 24,000 answers, so a common, a middling and a rare word each take a different
 * step, and a phrase takes the index through its pair lexeme. The same searches must give the same
 * answers on SQLite (FTS5). Runs on SQLite, and on PostgreSQL too when CARECIRCLE_TEST_PG is a URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines.h"
#include "core/arena.h"
#include "db/db.h"
#include "model/search.h"

enum { QUESTIONS = 40, ANSWERS = 24000 };

static const dbq q_topic = {"INSERT INTO topics (slug, name, created_at) VALUES ('steps', 'Steps', 1)", NULL};
static const dbq q_questions = {
	"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) "
	"INSERT INTO questions (topic_id, title, slug, body_md, body_html, excerpt, created_at, terms_accepted_at) "
	"SELECT (SELECT id FROM topics WHERE slug = 'steps'), 'Question ' || i, 'question-' || i, 'Body.', "
	"'<p>Body.</p>', 'Body.', i, i FROM n",
	NULL};
/* Answer i (1…ANSWERS) belongs to question i % QUESTIONS; every third says "plentiful", every
 * twelfth "middling", the five oldest "scarcely"; answer 7 alone says "blood pressure", others
 * have the two words apart. */
static const dbq q_answers = {
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) "
	"INSERT INTO answers (question_id, body_md, body_html, created_at, terms_accepted_at) "
	"SELECT (SELECT min(id) FROM questions) + i % $2, b, b, i, i FROM (SELECT i, 'Entry ' || i "
	" || CASE WHEN i % 3 = 0 THEN ' plentiful' ELSE '' END"
	" || CASE WHEN i % 12 = 0 THEN ' middling' ELSE '' END"
	" || CASE WHEN i <= 5 THEN ' scarcely' ELSE '' END"
	" || CASE WHEN i = 7 THEN ' my blood pressure' WHEN i % 5 = 0 OR i = 8 THEN ' blood tests and pressure'"
	"    ELSE '' END AS b FROM n) x",
	NULL};

static void check(const char *url_or_path, const char *arg)
{
	(void)arg;
	char err[512];
	db *d = db_open(url_or_path, "NORMAL", err, sizeof err);
	if (!d)
		fail_msg("db_open: %s", err);
	dbc *c = db_conn(d);
	arena *a = arena_new(0);
	if (strncmp(url_or_path, "postgres", 8) == 0)
		assert_true(db_script(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") >= 0);
	if (db_migrate(d, err, sizeof err) < 0)
		fail_msg("migrate: %s", err);
	assert_int_equal(db_exec(c, &q_topic, NULL, 0), 1);
	assert_int_equal(db_exec(c, &q_questions, DBP(dbi(QUESTIONS))), QUESTIONS);
	assert_int_equal(db_exec(c, &q_answers, DBP(dbi(ANSWERS), dbi(QUESTIONS))), ANSWERS);
	if (strncmp(url_or_path, "postgres", 8) == 0)
		assert_true(db_script(c, "ANALYZE answer_search; ANALYZE question_search") >= 0);

	search_hit *hits;
	int64_t total;
	/* Common: every question has answers saying it among the newest. */
	assert_int_equal(search_questions(c, a, "plentiful", NULL, 10, 0, &hits, &total), 10);
	assert_int_equal(total, QUESTIONS);
	/* Middling: the questions i % 40 of multiples of 12 reach. */
	assert_int_equal(search_questions(c, a, "middling", NULL, 50, 0, &hits, &total), 10);
	assert_int_equal(total, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal((hits[i].id - 1) % 4, 0);
	/* Rare: only the five oldest answers. */
	assert_int_equal(search_questions(c, a, "scarcely", NULL, 10, 0, &hits, &total), 5);
	assert_int_equal(total, 5);
	for (int i = 0; i < 5; i++) {
		assert_true(hits[i].id >= 2 && hits[i].id <= 6);
		assert_true(hits[i].in_answer);
		assert_non_null(strstr(hits[i].snippet, "\x01" "scarcely\x02"));
	}
	/* A phrase: the words side by side in answer 7 only (question 8), not apart in the others. */
	assert_int_equal(search_questions(c, a, "blood pressure", NULL, 10, 0, &hits, &total), 1);
	assert_int_equal(total, 1);
	assert_int_equal(hits[0].id, 8);
	/* Both a rare and a common word. */
	assert_int_equal(search_questions(c, a, "scarcely plentiful", NULL, 10, 0, &hits, &total), 1);
	assert_int_equal(hits[0].id, 4); /* answer 3 */
	/* Similar questions look through the same steps (titles only here). */
	assert_int_equal(search_similar(c, a, "Question 17", 0, 5, &hits) > 0, 1);
	arena_free(a);
	db_close(d);
}

static void test_sqlite(void **state)
{
	(void)state;
	on_sqlite(check, NULL);
}

static void test_postgres(void **state)
{
	(void)state;
	on_postgres(check, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_postgres),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
