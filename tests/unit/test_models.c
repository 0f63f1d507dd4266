/* test_models.c: the model layer (users, sessions, topics, questions, answers, drafts, search) on a temporary SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "model/account_data.h"
#include "model/answer.h"
#include "model/draft.h"
#include "model/question.h"
#include "model/rating.h"
#include "model/search.h"
#include "model/session.h"
#include "model/topic.h"
#include "model/user.h"

static struct fixture {
	char dir[64], path[128];
	db *d;
	dbc *c;
	arena *a;
	int64_t alice, bob;
} fx;

static const char *alice_pw = "correct horse battery";

static int group_setup(void **state)
{
	char err[512];
	snprintf(fx.dir, sizeof fx.dir, "/tmp/cc-test-models-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.path, sizeof fx.path, "%s/models.db", fx.dir);
	fx.d = db_open(fx.path, "NORMAL", err, sizeof err);
	if (!fx.d || !(fx.c = db_conn(fx.d)) || db_migrate(fx.d, err, sizeof err) < 1) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	arena *a = arena_new(0);
	fx.alice = user_create(fx.c, a, "alice", "Alice@Example.ORG", alice_pw, ROLE_MEMBER, "Alice A.", NULL, NULL);
	fx.bob = user_create(fx.c, a, "bob", "bob@example.org", "another long password", ROLE_GUIDE, "", "RN", NULL);
	arena_free(a);
	return fx.alice > 0 && fx.bob > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	db_close(fx.d);
	char p[160];
	for (const char *const *x = (const char *const[]){"", "-wal", "-shm", "-journal", NULL}; *x; x++) {
		snprintf(p, sizeof p, "%s%s", fx.path, *x);
		unlink(p);
	}
	return rmdir(fx.dir);
}

static int setup(void **state)
{
	fx.a = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(fx.a);
	fx.a = NULL;
	return 0;
}

static int64_t make_topic(const char *slug)
{
	int64_t id = topic_upsert(fx.c, fx.a, slug, slug, "summary", "");
	assert_true(id > 0);
	return id;
}

static int64_t ask(int64_t topic_id, const char *title, const char *body, int64_t created_at)
{
	question_new q = {.topic_id = topic_id, .user_id = fx.alice, .title = title, .body_md = body,
	                  .created_at = created_at};
	int64_t id = question_create(fx.c, fx.a, &q);
	assert_true(id > 0);
	return id;
}

static int64_t reply(int64_t qid, const char *body)
{
	answer_new n = {.question_id = qid, .guest_name = "Kim", .body_md = body};
	int64_t id = answer_create(fx.c, fx.a, &n);
	assert_true(id > 0);
	return id;
}

/* The question or answer id, which must exist. */
static question getq(int64_t id)
{
	question q;
	assert_int_equal(question_get(fx.c, fx.a, id, false, &q), 1);
	return q;
}

static answer geta(int64_t id)
{
	answer an;
	assert_int_equal(answer_get(fx.c, fx.a, id, &an), 1);
	return an;
}

/* The user id a session token resolves to, or 0. */
static int64_t who(const char *token)
{
	user u = {0};
	int rc = session_lookup(fx.c, fx.a, token, &u);
	assert_true(rc == 0 || rc == 1);
	return rc == 1 ? u.id : 0;
}

static void test_users(void **state)
{
	user u;
	const char *hash = NULL;
	assert_int_equal(user_by_login(fx.c, fx.a, "alice", &u, &hash), 1);
	assert_true(u.id == fx.alice);
	assert_string_equal(u.email, "alice@example.org");
	assert_string_equal(u.display_name, "Alice A.");
	assert_int_equal(u.role, ROLE_MEMBER);
	/* The password is stored hashed, not as given. */
	assert_null(strstr(hash, alice_pw));
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_true(user_check_password(hash, alice_pw));
	assert_false(user_check_password(hash, "correct horse battery!"));
	assert_false(user_check_password(hash, ""));
	/* By email in any case, and by username in any case. */
	assert_true(user_by_login(fx.c, fx.a, "ALICE@example.org", &u, NULL) == 1 && u.id == fx.alice);
	assert_true(user_by_login(fx.c, fx.a, "Alice", &u, NULL) == 1 && u.id == fx.alice);
	assert_int_equal(user_by_login(fx.c, fx.a, "carol", &u, NULL), 0);
	assert_int_equal(user_by_id(fx.c, fx.a, fx.bob, &u), 1);
	assert_string_equal(u.display_name, "bob"); /* empty display name falls back to the username */
	assert_int_equal(u.role, ROLE_GUIDE);
	assert_string_equal(u.title, "RN");
	/* Taken username or email. */
	const char *pw = "password 12345";
	assert_int_equal(user_create(fx.c, fx.a, "alice", "x@example.org", pw, 0, NULL, NULL, NULL), DB_CONSTRAINT);
	assert_int_equal(user_create(fx.c, fx.a, "alice2", "ALICE@EXAMPLE.ORG", pw, 0, NULL, NULL, NULL), DB_CONSTRAINT);
	assert_int_equal(user_count(fx.c), 2);
}

static void test_sessions(void **state)
{
	user u;
	char *t1 = session_create(fx.c, fx.a, fx.alice);
	char *t2 = session_create(fx.c, fx.a, fx.alice);
	char *tb = session_create(fx.c, fx.a, fx.bob);
	assert_non_null(t1);
	assert_int_equal(strlen(t1), 43);
	assert_string_not_equal(t1, t2);
	assert_int_equal(session_lookup(fx.c, fx.a, t1, &u), 1);
	assert_true(u.id == fx.alice);
	assert_string_equal(u.username, "alice");
	assert_true(who(t2) == fx.alice);
	assert_true(who(tb) == fx.bob);
	/* Unknown, malformed and missing tokens; the stored hash is not a token either. */
	assert_int_equal(who(util_token(fx.a, 32)), 0);
	assert_int_equal(who("short"), 0);
	assert_int_equal(who(NULL), 0);
	assert_int_equal(who(session_hash(fx.a, t1)), 0);
	assert_int_equal(session_delete(fx.c, fx.a, t1), 1);
	assert_int_equal(who(t1), 0);
	assert_true(who(t2) == fx.alice);
	/* Logout everywhere ends only that user's sessions. */
	char *t3 = session_create(fx.c, fx.a, fx.alice);
	assert_int_equal(session_delete_user(fx.c, fx.alice), 2);
	assert_int_equal(who(t2), 0);
	assert_int_equal(who(t3), 0);
	assert_true(who(tb) == fx.bob);
}

static void test_topics(void **state)
{
	int64_t id = topic_upsert(fx.c, fx.a, "asthma", "Asthma", "Breathing", "**Guide** text <script>x</script>");
	assert_true(id > 0);
	topic t;
	assert_int_equal(topic_by_slug(fx.c, fx.a, "asthma", &t), 1);
	assert_true(t.id == id);
	assert_string_equal(t.name, "Asthma");
	assert_string_equal(t.summary, "Breathing");
	assert_non_null(strstr(t.overview_html, "<strong>Guide</strong>"));
	assert_null(strstr(t.overview_html, "<script"));
	assert_int_equal(t.question_count, 0);
	/* Same slug: updated in place. */
	assert_true(topic_upsert(fx.c, fx.a, "asthma", "Asthma & COPD", "Lungs", "") == id);
	assert_int_equal(topic_by_slug(fx.c, fx.a, "asthma", &t), 1);
	assert_string_equal(t.name, "Asthma & COPD");
	assert_string_equal(t.overview_html, "");
	assert_int_equal(topic_by_slug(fx.c, fx.a, "no-such-topic", &t), 0);
	assert_int_equal(topic_by_id(fx.c, fx.a, id, &t), 1);
	assert_string_equal(t.slug, "asthma");

	/* Only exact reserved names are refused ("searching" is fine). */
	assert_true(topic_slug_valid("asthma") && topic_slug_valid("type-2-diabetes") && topic_slug_valid("ab"));
	assert_true(topic_slug_valid("searching") && topic_slug_valid("a1"));
	static const char *bad[] = {"login", "search", "static", "admin", "api", "u", "healthz", "sitemap.xml",
	                            "a", "", "-ab", "ab-", "a--b", "Asthma", "as thma", "as_thma", "caf\xC3\xA9",
	                            "a/b", "a.b"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (topic_slug_valid(bad[i]))
			fail_msg("slug \"%s\" was accepted", bad[i]);
	assert_false(topic_slug_valid(NULL));
	char longslug[62] = "";
	memset(longslug, 'a', 61);
	assert_false(topic_slug_valid(longslug));
	longslug[60] = 0;
	assert_true(topic_slug_valid(longslug));
}

static void test_question_answer_create(void **state)
{
	int64_t tid = make_topic("qa-topic");
	int64_t qid = ask(tid, "How do I use a spacer with my inhaler?",
	                  "I have **trouble** with <script>alert(1)</script> my spacer.\n\nAny *advice*?", 0);
	topic t;
	assert_int_equal(topic_by_id(fx.c, fx.a, tid, &t), 1);
	assert_int_equal(t.question_count, 1);
	question q = getq(qid);
	assert_string_equal(q.slug, "how-do-i-use-a-spacer-with-my-inhaler");
	assert_string_equal(q.topic_slug, "qa-topic");
	assert_non_null(strstr(q.body_html, "<strong>trouble</strong>"));
	assert_non_null(strstr(q.body_html, "<em>advice</em>"));
	assert_null(strstr(q.body_html, "<script"));
	assert_string_equal(q.excerpt, "I have trouble with alert(1) my spacer. Any advice?");
	assert_true(q.by.user_id == fx.alice);
	assert_string_equal(q.by.username, "alice");
	assert_int_equal(q.answer_count, 0);
	assert_true(q.created_at > 0);
	assert_int_equal(q.edited_at, 0);

	int64_t aid = reply(qid, "Try *slow* breaths.");
	reply(qid, "Second answer.");
	assert_int_equal(getq(qid).answer_count, 2);
	answer an = geta(aid);
	assert_true(an.question_id == qid);
	assert_string_equal(an.body_html, "<p>Try <em>slow</em> breaths.</p>\n");
	assert_int_equal(an.by.user_id, 0);
	assert_string_equal(an.by.guest_name, "Kim");
	answer *list;
	assert_int_equal(answer_list(fx.c, fx.a, qid, &list), 2);
	assert_true(list[0].id == aid);
	assert_int_equal(question_get(fx.c, fx.a, qid + 1000, false, &q), 0);
}

static void test_edits_and_revisions(void **state)
{
	int64_t qid = ask(make_topic("edit-topic"), "Original title of the question", "Original body with quokka.", 0);
	const char *title2 = "Second title of the question";
	assert_int_equal(question_edit(fx.c, fx.a, qid, fx.alice, title2, "Body with _wombat_.", "typo", -1), 1);
	question q = getq(qid);
	assert_string_equal(q.title, "Second title of the question");
	assert_string_equal(q.slug, "second-title-of-the-question");
	assert_string_equal(q.body_md, "Body with _wombat_.");
	assert_string_equal(q.body_html, "<p>Body with <em>wombat</em>.</p>\n");
	assert_string_equal(q.excerpt, "Body with wombat.");
	assert_true(q.edited_at > 0);
	assert_int_equal(question_edit(fx.c, fx.a, qid, fx.bob, "Third title of the question", "Third body.", NULL, -1), 1);
	revision *revs;
	assert_int_equal(revision_list(fx.c, fx.a, "question", qid, &revs), 2);
	/* Newest first; each row holds the text as it was before that edit. */
	assert_string_equal(revs[0].title, "Second title of the question");
	assert_string_equal(revs[0].body_md, "Body with _wombat_.");
	assert_true(revs[0].editor_id == fx.bob);
	assert_string_equal(revs[0].note, "");
	assert_string_equal(revs[1].title, "Original title of the question");
	assert_string_equal(revs[1].body_md, "Original body with quokka.");
	assert_string_equal(revs[1].note, "typo");
	assert_string_equal(revs[1].editor_name, "Alice A.");
	assert_true(revs[0].id > revs[1].id);
	assert_int_equal(question_edit(fx.c, fx.a, qid + 1000, fx.alice, "Missing question title", "x", NULL, -1), 0);

	int64_t aid = reply(qid, "First answer text.");
	assert_int_equal(answer_edit(fx.c, fx.a, aid, fx.alice, "Edited **answer**.", "clarify"), 1);
	answer an = geta(aid);
	assert_string_equal(an.body_md, "Edited **answer**.");
	assert_string_equal(an.body_html, "<p>Edited <strong>answer</strong>.</p>\n");
	assert_true(an.edited_at > 0);
	assert_int_equal(revision_list(fx.c, fx.a, "answer", aid, &revs), 1);
	assert_null(revs[0].title);
	assert_string_equal(revs[0].body_md, "First answer text.");
	assert_string_equal(revs[0].note, "clarify");
	/* The question's own history is unchanged. */
	assert_int_equal(revision_list(fx.c, fx.a, "question", qid, &revs), 2);
}

static void test_accept(void **state)
{
	int64_t tid = make_topic("accept-topic");
	int64_t q1 = ask(tid, "First accept question here", "Body one.", 0);
	int64_t q2 = ask(tid, "Second accept question here", "Body two.", 0);
	int64_t a1 = reply(q1, "Answer to one.");
	int64_t a2 = reply(q2, "Answer to two.");
	/* An answer of another question, or no answer at all, is refused. */
	assert_int_equal(question_accept(fx.c, q1, a2), 0);
	assert_int_equal(getq(q1).accepted_answer_id, 0);
	assert_int_equal(question_accept(fx.c, q1, a1 + 1000), 0);
	assert_int_equal(question_accept(fx.c, q1, a1), 1);
	assert_true(getq(q1).accepted_answer_id == a1);
	assert_int_equal(getq(q2).accepted_answer_id, 0);
	/* 0 clears. */
	assert_int_equal(question_accept(fx.c, q1, 0), 1);
	assert_int_equal(getq(q1).accepted_answer_id, 0);
}

static void test_lists(void **state)
{
	int64_t tid = make_topic("list-topic");
	int64_t q1 = ask(tid, "List question created first", "Body.", 1000);
	int64_t q3 = ask(tid, "List question created third", "Body.", 3000);
	int64_t q2 = ask(tid, "List question created second", "Body.", 2000);
	ask(make_topic("other-list-topic"), "A question in another topic", "Body.", 2500);
	question *qs;
	assert_int_equal(question_list_topic(fx.c, fx.a, tid, 10, 0, &qs), 3);
	assert_true(qs[0].id == q3 && qs[1].id == q2 && qs[2].id == q1);
	assert_string_equal(qs[0].body_html, ""); /* lists skip bodies */
	assert_int_equal(question_list_topic(fx.c, fx.a, tid, 2, 1, &qs), 2);
	assert_true(qs[0].id == q2 && qs[1].id == q1);

	/* Unanswered: oldest first, answered ones left out. */
	int64_t ut = make_topic("unanswered-topic");
	int64_t ua = ask(ut, "Unanswered question number A", "Body.", 100);
	int64_t ub = ask(ut, "Answered question number B", "Body.", 50);
	int64_t uc = ask(ut, "Unanswered question number C", "Body.", 200);
	reply(ub, "An answer.");
	int n = question_list_unanswered(fx.c, fx.a, 1000, &qs), k = 0;
	int64_t seen[3] = {0, 0, 0};
	for (int i = 0; i < n; i++) {
		assert_int_equal(qs[i].answer_count, 0);
		assert_true(i == 0 || qs[i - 1].created_at <= qs[i].created_at);
		if (qs[i].topic_id == ut && k < 3)
			seen[k++] = qs[i].id;
	}
	assert_true(k == 2 && seen[0] == ua && seen[1] == uc);
}

static void test_drafts(void **state)
{
	int64_t t1 = make_topic("draft-one"), t2 = make_topic("draft-two");
	draft d;
	assert_int_equal(draft_get(fx.c, fx.a, fx.alice, t1, &d), 0);
	assert_int_equal(draft_save(fx.c, fx.alice, t1, "Draft title", "Draft body", false), 1);
	assert_int_equal(draft_get(fx.c, fx.a, fx.alice, t1, &d), 1);
	assert_string_equal(d.title, "Draft title");
	assert_string_equal(d.body_md, "Draft body");
	assert_string_equal(d.topic_slug, "draft-one");
	assert_false(d.anonymous);
	assert_true(d.updated_at > 0);
	/* Saving again updates the same draft. */
	assert_int_equal(draft_save(fx.c, fx.alice, t1, "Better title", "Better body", true), 1);
	assert_int_equal(draft_get(fx.c, fx.a, fx.alice, t1, &d), 1);
	assert_string_equal(d.title, "Better title");
	assert_string_equal(d.body_md, "Better body");
	assert_true(d.anonymous);
	assert_int_equal(draft_save(fx.c, fx.alice, t2, "", "Other", false), 1);
	/* Drafts are per member. */
	assert_int_equal(draft_get(fx.c, fx.a, fx.bob, t1, &d), 0);
	draft *list;
	assert_int_equal(draft_list(fx.c, fx.a, fx.alice, &list), 2);
	assert_true(list[0].updated_at >= list[1].updated_at);
	assert_true((list[0].topic_id == t1 && list[1].topic_id == t2) || (list[0].topic_id == t2 && list[1].topic_id == t1));
	assert_int_equal(draft_list(fx.c, fx.a, fx.bob, &list), 0);
	assert_int_equal(draft_delete(fx.c, fx.alice, t1), 1);
	assert_int_equal(draft_get(fx.c, fx.a, fx.alice, t1, &d), 0);
	assert_int_equal(draft_delete(fx.c, fx.alice, t1), 0);
	assert_int_equal(draft_list(fx.c, fx.a, fx.alice, &list), 1);
	assert_true(list[0].topic_id == t2);
}

static void test_fts_query(void **state)
{
	arena *a = fx.a;
	assert_string_equal(search_query(a, NULL, "stress hair loss", false, false), "\"stress\" AND \"hair\" AND \"loss\"");
	assert_string_equal(search_query(a, NULL, "stress hair", true, false), "\"stress\" OR \"hair\"");
	/* FTS5 syntax in what people type is never passed through. */
	assert_string_equal(search_query(a, NULL, "\"quoted\" (paren) NEAR(a b) star* -minus ^caret col:val +plus", false, false),
	                    "\"quoted\" AND \"paren\" AND \"near\" AND \"a\" AND \"b\" AND \"star\" AND \"minus\" AND "
	                    "\"caret\" AND \"col\" AND \"val\" AND \"plus\"");
	assert_string_equal(search_query(a, NULL, "", false, false), "");
	assert_string_equal(search_query(a, NULL, " *()-^\"':{}+ ", true, false), "");
	/* At most SEARCH_MAX_TERMS terms. */
	const char *q = search_query(a, NULL, "a b c d e f g h i j k l m n o p q r", false, false);
	int terms = 0;
	for (const char *p = q; *p; p++)
		terms += *p == '"';
	assert_int_equal(terms / 2, SEARCH_MAX_TERMS);
}

/* PostgreSQL phrases become pair lexemes (search.c, migration 141); shapes it does not know are
 * refused rather than guessed. */
static void test_pg_pairs(void **state)
{
	arena *a = fx.a;
	bool exact;
	assert_string_equal(search_pg_pairs(a, "'bp' | 'hypertens' | 'blood' <-> 'pressur'", &exact),
	                    "'bp' | 'hypertens' | ( 'blood_pressur' )");
	assert_true(exact);
	assert_string_equal(search_pg_pairs(a, "'sugar' & 'tire'", &exact), "'sugar' & 'tire'");
	assert_true(exact);
	assert_string_equal(search_pg_pairs(a, "( 'high' <-> 'blood' <-> 'pressur' | 'htn' ) & 'cuff'", &exact),
	                    "( ( 'high_blood' & 'blood_pressur' ) | 'htn' ) & 'cuff'");
	assert_false(exact);
	/* A stop word between: both words, not a pair. */
	assert_string_equal(search_pg_pairs(a, "'pain' <3> 'back' & 'neck'", &exact), "( 'pain' & 'back' ) & 'neck'");
	assert_false(exact);
	assert_string_equal(search_pg_pairs(a, "'it''s' <-> 'ok'", &exact), "( 'it''s_ok' )");
	assert_true(exact);
	assert_string_equal(search_pg_pairs(a, "!'a' & 'b'", &exact), "! 'a' & 'b'");
	assert_null(search_pg_pairs(a, "( 'a' | 'b' ) <-> 'c'", &exact));
	assert_null(search_pg_pairs(a, "'a' <-> ( 'b' | 'c' )", &exact));
	assert_null(search_pg_pairs(a, "! 'a' <-> 'b'", &exact));
	assert_null(search_pg_pairs(a, "'pre':* & 'b'", &exact));
	assert_null(search_pg_pairs(a, "'unterminated", &exact));
	assert_null(search_pg_pairs(a, "'a' <x> 'b'", &exact));
	assert_null(search_pg_pairs(a, "", &exact));
}

static void test_search(void **state)
{
	int64_t ta = make_topic("search-a");
	make_topic("search-b");
	int64_t qid = ask(ta, "Xylophone practice and wrist pain", "Marimba mallets make my forearm ache after sessions.", 0);
	search_hit *hits;
	int64_t total = -1;
	assert_int_equal(search_questions(fx.c, fx.a, "forearm", NULL, 10, 0, &hits, &total), 1);
	assert_true(hits[0].id == qid && total == 1);
	assert_string_equal(hits[0].title, "Xylophone practice and wrist pain");
	assert_string_equal(hits[0].topic_slug, "search-a");
	assert_non_null(strstr(hits[0].snippet, "\x01" "forearm\x02"));
	assert_int_equal(search_questions(fx.c, fx.a, "XYLOPHONE", "", 10, 0, &hits, &total), 1);
	assert_true(hits[0].id == qid);
	/* Topic filter. */
	assert_int_equal(search_questions(fx.c, fx.a, "forearm", "search-a", 10, 0, &hits, &total), 1);
	assert_int_equal(search_questions(fx.c, fx.a, "forearm", "search-b", 10, 0, &hits, &total), 0);
	assert_int_equal(total, 0);
	/* Every word must match first; when none has all, any word will do. */
	assert_int_equal(search_questions(fx.c, fx.a, "forearm zebracorn", NULL, 10, 0, &hits, &total), 1);
	assert_true(hits[0].id == qid && total == 1);
	assert_int_equal(search_questions(fx.c, fx.a, "zebracorn unicornfish", NULL, 10, 0, &hits, &total), 0);
	assert_int_equal(search_questions(fx.c, fx.a, "?!", NULL, 10, 0, &hits, &total), 0);
	/* Edits reach the index. */
	assert_int_equal(question_edit(fx.c, fx.a, qid, fx.alice, "Glockenspiel practice and wrist pain", "Bells.", NULL, -1), 1);
	assert_int_equal(search_questions(fx.c, fx.a, "forearm", NULL, 10, 0, &hits, &total), 0);
	assert_int_equal(search_questions(fx.c, fx.a, "glockenspiel", NULL, 10, 0, &hits, &total), 1);
}

/* Pages of a search go on past the first, also when it fell back to "any word". */
static void test_search_pages(void **state)
{
	int64_t t = make_topic("search-pages");
	for (int i = 0; i < 13; i++) {
		char title[64];
		snprintf(title, sizeof title, "Harpsichord lessons, week %d", i + 1);
		ask(t, title, "Tuning the harpsichord before every lesson takes an age.", 1000 + i);
	}
	search_hit *hits;
	int64_t total = -1;
	assert_int_equal(search_questions(fx.c, fx.a, "harpsichord", NULL, 10, 0, &hits, &total), 10);
	assert_int_equal(total, 13);
	assert_int_equal(search_questions(fx.c, fx.a, "harpsichord", NULL, 10, 10, &hits, &total), 3);
	assert_int_equal(total, 13);
	/* No question has both words: every page uses the any-word search. */
	assert_int_equal(search_questions(fx.c, fx.a, "harpsichord zebracorn", NULL, 10, 0, &hits, &total), 10);
	assert_int_equal(total, 13);
	assert_int_equal(search_questions(fx.c, fx.a, "harpsichord zebracorn", NULL, 10, 10, &hits, &total), 3);
	assert_int_equal(total, 13);
	assert_int_equal(search_questions(fx.c, fx.a, "harpsichord zebracorn", NULL, 10, 20, &hits, &total), 0);
	assert_int_equal(total, 13);
	/* Ranking: a title match before a body-only one, whatever their age. */
	int64_t body_only = ask(t, "Early keyboard instruments", "A clavichord is quieter than most.", 5000);
	int64_t in_title = ask(t, "Clavichord or spinet?", "Which is easier for a beginner to keep in tune?", 10);
	assert_int_equal(search_questions(fx.c, fx.a, "clavichord", NULL, 10, 0, &hits, &total), 2);
	assert_true(hits[0].id == in_title && hits[1].id == body_only);
}

static void test_search_never_fails(void **state)
{
	static const char *inputs[] = {
		"\"", "\"unbalanced", "a\"b", "(", ")", "NEAR(", "NEAR/3 x", "a NEAR b", "*", "a*", "-a", "^a", "a:b", "title:x",
		"{title body}: x", "AND", "OR", "NOT", "a AND", "NOT a", "x OR", "+", "'", "''", "\\", "%", "_", "a\tb\nc",
		"\xE2\x80\x94", "\xE2\x80\x94 wrist", "\xE2\x80\xA6", "\xFF\xFE", "\xF0\x9F\x98\x80", "\xE6\x97\xA5\xE6\x9C\xAC",
		"\xC2\xA0wrist\xC2\xA0", "\"a\" \"b\" \"\""};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		search_hit *hits;
		int64_t total;
		int rc = search_questions(fx.c, fx.a, inputs[i], NULL, 10, 0, &hits, &total);
		if (rc < 0 || total < 0)
			fail_msg("search for \"%s\" (fts %s) failed: %d %s", inputs[i], search_query(fx.a, NULL, inputs[i], false, false),
			         rc, db_errmsg(fx.c));
	}
}

/* Questions and answers carry their rating count and sum (triggers on ratings): set by a
 * rating, changed by a changed rating, taken back with a deleted account's ratings. */
static void test_rating_sums(void **state)
{
	int64_t qid = ask(make_topic("rating-topic"), "Which peak flow meter do you use?", "Asking for a friend.", 0);
	int64_t a1 = reply(qid, "A cheap one works."), a2 = reply(qid, "The one from the clinic.");
	int64_t carol = user_create(fx.c, fx.a, "carol", "carol@example.org", "yet another long password", ROLE_MEMBER,
	                            "Carol", NULL, NULL);
	assert_true(carol > 0);
	const char *cv = arena_printf(fx.a, "u:%lld", (long long)carol);
	assert_int_equal(rating_set(fx.c, "question", qid, cv, NULL, 1, 4), 1);
	assert_int_equal(rating_set(fx.c, "question", qid, "g:someone", "h", 1, 2), 1);
	assert_int_equal(rating_set(fx.c, "answer", a1, cv, NULL, 1, 5), 1);
	assert_int_equal(rating_set(fx.c, "answer", a1, "g:someone", "h", 1, 3), 1);
	question q = getq(qid);
	assert_int_equal(q.rating_count, 2);
	assert_int_equal(q.rating_sum, 6);
	answer *l;
	assert_int_equal(answer_list_shown(fx.c, fx.a, qid, &l), 2);
	assert_true(l[0].id == a1 && l[1].id == a2);
	assert_int_equal(l[0].rating_count, 2);
	assert_int_equal(l[0].rating_sum, 8);
	assert_int_equal(l[1].rating_count, 0);
	assert_int_equal(l[1].rating_sum, 0);
	/* A changed rating replaces the earlier stars. */
	assert_int_equal(rating_set(fx.c, "question", qid, cv, NULL, 1, 1), 1);
	q = getq(qid);
	assert_int_equal(q.rating_count, 2);
	assert_int_equal(q.rating_sum, 3);
	/* The same as summing the ratings themselves. */
	rating_sum *s;
	int n = rating_for_question(fx.c, fx.a, qid, cv, &s);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		bool isq = strcmp(s[i].post_type, "question") == 0;
		assert_int_equal(s[i].count, isq ? q.rating_count : l[0].rating_count);
		assert_int_equal(s[i].sum, isq ? q.rating_sum : l[0].rating_sum);
	}
	/* Only the voter's own stars. */
	assert_int_equal(rating_mine_for_question(fx.c, fx.a, qid, cv, &s), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(s[i].count, 0);
		assert_int_equal(s[i].mine, strcmp(s[i].post_type, "question") == 0 ? 1 : 5);
	}
	assert_int_equal(rating_mine_for_question(fx.c, fx.a, qid, "g:nobody", &s), 0);
	/* A deleted account's ratings are taken off the sums. */
	assert_true(account_delete(fx.c, carol, false) >= 0);
	q = getq(qid);
	assert_int_equal(q.rating_count, 1);
	assert_int_equal(q.rating_sum, 2);
	assert_int_equal(answer_list_shown(fx.c, fx.a, qid, &l), 2);
	assert_int_equal(l[0].rating_count, 1);
	assert_int_equal(l[0].rating_sum, 3);
	/* rating_recount (after migrate-data) sets them from the ratings. */
	static const dbq q_spoil = {"UPDATE answers SET rating_count = 7, rating_sum = 9", NULL};
	assert_true(db_exec(fx.c, &q_spoil, DBNOP) >= 0);
	assert_int_equal(rating_recount(fx.c), 0);
	assert_int_equal(answer_list_shown(fx.c, fx.a, qid, &l), 2);
	assert_int_equal(l[0].rating_count, 1);
	assert_int_equal(l[0].rating_sum, 3);
	assert_int_equal(l[1].rating_count, 0);
	assert_int_equal(l[1].rating_sum, 0);
	assert_int_equal(getq(qid).rating_sum, 2);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_answer_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edits_and_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fts_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pg_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_never_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rating_sums, setup, teardown),
	};
	return cmocka_run_group_tests_name("models", tests, group_setup, group_teardown);
}
