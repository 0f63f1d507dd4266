/* test_media.c: questions.has_media (migration 140), which lets the question page skip looking up
 * images and answer sources. The migration sets it for questions that already have some; triggers
 * set it on every later write that gives a question an image or an answer sources, and nothing
 * else does. Runs on SQLite, and on PostgreSQL too when CARECIRCLE_TEST_PG is a URL. */
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
#include "core/embedded.h"
#include "db/db.h"
#include "model/answer.h"
#include "model/image.h"
#include "model/moderation.h"
#include "model/question.h"
#include "model/source.h"
#include "model/topic.h"
#include "model/user.h"

static const char *sqlite_dir = "src/db/migrations/sqlite/", *pg_dir = "src/db/migrations/postgres/";

static struct {
	dbc *c;
	arena *a;
	int64_t topic, owner, moderator;
	int n;
} fx;

/* Applies the embedded migrations numbered below 140 by hand and records them, so the database
 * looks like one made before has_media. 144 (answers.notified_at) comes too: the model's
 * answer_create, which writes the answers made "before 140", sets that column. */
static void migrate_to_139(const char *dir)
{
	assert_true(db_script(fx.c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	                            "applied_at BIGINT NOT NULL)") >= 0);
	static const dbq q_add = {"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 1)", NULL};
	size_t dl = strlen(dir);
	for (int64_t v = 1; v <= 144; v = v == 139 ? 144 : v + 1)
		for (const struct embedded_file *f = embedded_files; f->name; f++) {
			if (strncmp(f->name, dir, dl) != 0 || strtoll(f->name + dl, NULL, 10) != v)
				continue;
			if (db_script(fx.c, f->data) < 0)
				fail_msg("%s: %s", f->name, db_errmsg(fx.c));
			assert_true(db_exec(fx.c, &q_add, DBP(dbi(v), dbs(f->name + dl))) >= 0);
		}
}

static int64_t ask(void)
{
	question_new q = {.topic_id = fx.topic,
	                  .guest_name = "Kim",
	                  .title = arena_printf(fx.a, "A question about media, number %d", ++fx.n),
	                  .body_md = "A body long enough for a question."};
	int64_t id = question_create(fx.c, fx.a, &q);
	assert_true(id > 0);
	return id;
}

static int64_t reply(int64_t qid, const post_source *src, int nsrc)
{
	answer_new n = {.question_id = qid, .guest_name = "Lee", .body_md = "An answer.", .sources = src,
	                .nsources = nsrc};
	int64_t id = answer_create(fx.c, fx.a, &n);
	assert_true(id > 0);
	return id;
}

/* Stores a pending image of fx.owner and attaches it to the post (post_id 0: leaves it pending). */
static int64_t add_image(const char *post_type, int64_t post_id)
{
	static const unsigned char bytes[] = {0x89, 'P', 'N', 'G'};
	int64_t id = image_store(fx.c, fx.owner, "image/png", 1, 1, "a dot", bytes, sizeof bytes);
	assert_true(id > 0);
	if (post_id)
		assert_int_equal(image_attach(fx.c, fx.owner, &id, 1, post_type, post_id), 1);
	return id;
}

static const post_source two_sources[] = {{0, "NHS", "https://www.nhs.uk/"}, {0, "", "https://example.org/a"}};

/* has_media as the page reads it (question_get). */
static bool has_media(int64_t qid)
{
	question q;
	assert_int_equal(question_get(fx.c, fx.a, qid, true, &q), 1);
	return q.has_media;
}

/* The promise the page relies on: a question whose flag is 0 has no images and no answer sources. */
static void check_never_missed(void)
{
	static const dbq q_ids = {"SELECT id, has_media FROM questions ORDER BY id", NULL};
	dbrows r;
	int n = db_query(fx.c, &q_ids, DBNOP, fx.a, &r);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (db_int(&r, i, 1))
			continue;
		image *imgs;
		post_source *src;
		int64_t id = db_int(&r, i, 0);
		if (image_list_question(fx.c, fx.a, id, &imgs) != 0 || source_list_question(fx.c, fx.a, id, &src) != 0)
			fail_msg("question %lld has media but has_media = 0", (long long)id);
	}
}

static void check(const char *url_or_path, const char *dir)
{
	char err[512];
	db *d = db_open(url_or_path, "NORMAL", err, sizeof err);
	if (!d)
		fail_msg("db_open: %s", err);
	fx.c = db_conn(d);
	fx.a = arena_new(0);
	fx.n = 0;
	if (strncmp(url_or_path, "postgres", 8) == 0)
		assert_true(db_script(fx.c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") >= 0);
	migrate_to_139(dir);
	fx.topic = topic_upsert(fx.c, fx.a, "media", "Media", "summary", "");
	assert_true(fx.topic > 0);
	/* No password checks here: a stored hash is all these accounts need. */
	fx.owner = user_create_hashed(fx.c, fx.a, "owner", "owner@example.org", "x", ROLE_GUIDE, "", NULL, NULL);
	fx.moderator = user_create_hashed(fx.c, fx.a, "modder", "mod@example.org", "x", ROLE_MODERATOR, "", NULL, NULL);
	assert_true(fx.owner > 0 && fx.moderator > 0);

	/* Before 140: media of every kind, and questions without. */
	int64_t old_qimg = ask(), old_aimg = ask(), old_src = ask(), old_none = ask(), old_article = ask();
	add_image("question", old_qimg);
	add_image("answer", reply(old_aimg, NULL, 0));
	reply(old_src, two_sources, 2);
	reply(old_none, NULL, 0);
	add_image("question", 0); /* pending: no post yet */
	/* Article sources whose article id happens to equal an answer id belong to no question. */
	assert_int_equal(source_insert(fx.c, "article", reply(old_article, NULL, 0), two_sources, 2), 2);

	int applied = db_migrate(d, err, sizeof err);
	if (applied < 0)
		fail_msg("db_migrate: %s", err);
	assert_true(applied >= 1);
	assert_true(has_media(old_qimg));
	assert_true(has_media(old_aimg));
	assert_true(has_media(old_src));
	assert_false(has_media(old_none));
	assert_false(has_media(old_article));

	/* After 140, through the model's write paths. */
	int64_t fresh = ask(), other = ask();
	int64_t other_answer = reply(other, NULL, 0);
	assert_false(has_media(fresh));
	assert_false(has_media(other));

	int64_t q_img = ask();
	int64_t pending = add_image("question", 0);
	assert_false(has_media(q_img));
	assert_int_equal(image_attach(fx.c, fx.owner, &pending, 1, "question", q_img), 1);
	assert_true(has_media(q_img));

	int64_t a_img = ask();
	int64_t a_img_answer = reply(a_img, NULL, 0);
	assert_false(has_media(a_img));
	add_image("answer", a_img_answer);
	assert_true(has_media(a_img));

	/* An image stored with its post at once (no write path does this yet). */
	int64_t direct = ask();
	static const dbq q_direct = {
		"INSERT INTO images (owner_id, post_type, post_id, mime, width, height, alt, bytes, data, created_at) "
		"VALUES ($1, 'question', $2, 'image/png', 1, 1, 'a dot', 1, $3, 1)",
		NULL};
	assert_int_equal(db_exec(fx.c, &q_direct, DBP(dbi(fx.owner), dbi(direct), dbblob("x", 1))), 1);
	assert_true(has_media(direct));

	int64_t a_src = ask();
	reply(a_src, two_sources, 2);
	assert_true(has_media(a_src));

	/* Sources added by an edit. */
	int64_t edited = ask();
	int64_t edited_answer = reply(edited, NULL, 0);
	assert_false(has_media(edited));
	assert_int_equal(answer_edit_sources(fx.c, fx.a, edited_answer, fx.owner, "An answer, with sources now.", "",
	                                     two_sources, 1),
	                 1);
	assert_true(has_media(edited));

	int64_t article_only = ask();
	assert_int_equal(source_insert(fx.c, "article", reply(article_only, NULL, 0), two_sources, 2), 2);
	assert_false(has_media(article_only));

	/* A merge moves the answers, their images and sources with them, to the target. */
	int64_t dup = ask(), target = ask();
	add_image("answer", reply(dup, NULL, 0));
	assert_false(has_media(target));
	assert_int_equal(mod_apply(fx.c, fx.a, fx.moderator, MOD_MERGE, "question", dup, target, "duplicate"), 1);
	assert_true(has_media(target));
	int64_t dup_src = ask(), target_src = ask();
	reply(dup_src, two_sources, 1);
	assert_int_equal(mod_apply(fx.c, fx.a, fx.moderator, MOD_MERGE, "question", dup_src, target_src, ""), 1);
	assert_true(has_media(target_src));
	/* Merging plain answers leaves the target's flag alone. */
	int64_t dup_plain = ask(), target_plain = ask();
	reply(dup_plain, NULL, 0);
	assert_int_equal(mod_apply(fx.c, fx.a, fx.moderator, MOD_MERGE, "question", dup_plain, target_plain, ""), 1);
	assert_false(has_media(target_plain));

	/* The others saw none of it. */
	assert_false(has_media(fresh));
	assert_false(has_media(other));
	assert_false(has_media(old_none));
	assert_int_equal(answer_edit(fx.c, fx.a, other_answer, fx.owner, "An answer, edited.", ""), 1);
	assert_false(has_media(other));
	/* The list queries read the flag too. */
	question *list;
	int n = question_list_topic(fx.c, fx.a, fx.topic, 100, 0, &list);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(list[i].has_media, has_media(list[i].id));
	check_never_missed();

	arena_free(fx.a);
	fx.a = NULL;
	db_close(d);
}

static void test_sqlite(void **state)
{
	(void)state;
	on_sqlite(check, sqlite_dir);
}

static void test_postgres(void **state)
{
	(void)state;
	on_postgres(check, pg_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_postgres),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
