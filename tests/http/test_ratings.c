/* test_ratings.c: "Rate This" (one rating per member or guest browser, changeable, average
 * and count shown; one guest rating per address and day) and answers marked helpful by the
 * asker or a guide, shown first after the question. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"

static srv S;

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* POSTs a form (csrf taken from page) and returns the response. */
static resp *post_on(client *c, const char *page, const char *path, const char *k1, const char *v1,
                     const char *k2, const char *v2)
{
	resp *r = http_get(c, page);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, k1, v1, k2, v2, NULL);
	r = post_solving(c, &S, r, path, body);
	free(body);
	free(tok);
	return r;
}

/* A member asks in type-2-diabetes; returns the canonical URL (caller frees) and the id. */
static char *ask(client *c, const char *title, long *qid)
{
	resp *r = http_get(c, "/type-2-diabetes/ask");
	char *tok = csrf_of(r);
	/* Each body differs: the same text posted again would look like spam. */
	char text[300];
	snprintf(text, sizeof text, "A question with enough words in it to be accepted by the form: %s", title);
	char *body = form("csrf", tok, "title", title, "body", text, "action", "post", NULL);
	r = post_solving(c, &S, r, "/type-2-diabetes/ask", body);
	assert_int_equal(r->status, 303);
	free(body);
	free(tok);
	*qid = strtol(strstr(r->location, "/questions/") + 11, NULL, 10);
	return strdup(r->location);
}

static long answer(client *c, const char *qurl, long qid, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/answers", qid);
	resp *r = post_on(c, qurl, path, "body", text, NULL, NULL);
	assert_int_equal(r->status, 303);
	const char *h = strstr(r->location, "#answer-");
	assert_non_null(h);
	return strtol(h + 8, NULL, 10);
}

static void test_member_ratings(void **state)
{
	client *zoe = client_new(&S), *tom = client_new(&S);
	assert_int_equal(login_as(zoe, "zoe_m", "demo-password-1"), 0);
	assert_int_equal(login_as(tom, "tom_h", "demo-password-1"), 0);
	long qid;
	char *qurl = ask(zoe, "Rating test: does walking after meals help?", &qid);
	char path[128];
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/rate", qid);

	resp *r = http_get(tom, qurl);
	assert_true(has(r, "Not rated yet"));
	assert_true(has(r, "Rate this"));
	/* The form works without JavaScript: radio buttons and a submit button. */
	assert_true(has(r, "name=\"stars\" value=\"5\""));
	assert_true(has(r, "/static/js/site.")); /* which also rates without a reload */

	r = post_on(tom, qurl, path, "stars", "4", NULL, NULL);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "#question"));
	r = http_follow(tom, r);
	assert_true(has(r, "4.0 out of 5"));
	assert_true(has(r, "(1 rating)"));
	assert_true(has(r, "you gave 4 of 5"));
	assert_true(has(r, "value=\"4\" checked"));

	/* A change replaces the rating: still one. */
	r = post_on(tom, qurl, path, "stars", "2", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(tom, qurl);
	assert_true(has(r, "2.0 out of 5"));
	assert_true(has(r, "(1 rating)"));

	/* A second member: the average of 2 and 5. */
	r = post_on(zoe, qurl, path, "stars", "5", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(zoe, qurl);
	assert_true(has(r, "3.5 out of 5"));
	assert_true(has(r, "(2 ratings)"));
	assert_true(has(r, "you gave 5 of 5"));

	/* Nonsense is refused with a clear message and changes nothing. */
	r = post_on(zoe, qurl, path, "stars", "9", NULL, NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Choose from 1 to 5 stars"));
	r = post_on(zoe, qurl, path, "stars", "0", NULL, NULL);
	assert_int_equal(r->status, 422);
	r = http_get(zoe, qurl);
	assert_true(has(r, "3.5 out of 5"));

	/* Without a CSRF token nothing is saved. */
	r = http_post(zoe, path, "stars=1");
	assert_int_equal(r->status, 403);
	r = http_get(zoe, qurl);
	assert_true(has(r, "3.5 out of 5"));

	/* A rating on a question of another topic's address is not found. */
	char wrong[128];
	snprintf(wrong, sizeof wrong, "/asthma/questions/%ld/rate", qid);
	r = post_on(zoe, qurl, wrong, "stars", "3", NULL, NULL);
	assert_int_equal(r->status, 404);
	free(qurl);
	client_free(zoe);
	client_free(tom);
}

static void test_guest_ratings(void **state)
{
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "aisha_k", "demo-password-1"), 0);
	long qid;
	char *qurl = ask(m, "Rating test: guests rating an answer here", &qid);
	long aid = answer(m, qurl, qid, "An answer for guests to rate.");
	char path[160];
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/answers/%ld/rate", qid, aid);

	client *g = client_new(&S);
	resp *r = post_on(g, qurl, path, "stars", "3", NULL, NULL);
	assert_int_equal(r->status, 303);
	char *ck = header_of(r, "Set-Cookie");
	assert_non_null(ck);
	assert_non_null(strstr(ck, "cc_rater="));
	free(ck);
	r = http_get(g, qurl);
	assert_true(has(r, "3.0 out of 5"));
	assert_true(has(r, "(1 rating)"));
	/* The same browser changes its rating: still one. */
	r = post_on(g, qurl, path, "stars", "5", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(g, qurl);
	assert_true(has(r, "5.0 out of 5"));
	assert_true(has(r, "(1 rating)"));

	/* Another browser from the same address on the same day: refused, nothing counted. */
	client *g2 = client_new(&S);
	r = post_on(g2, qurl, path, "stars", "1", NULL, NULL);
	assert_int_equal(r->status, 429);
	assert_true(has(r, "already rated this today"));
	r = http_get(g2, qurl);
	assert_true(has(r, "5.0 out of 5"));
	assert_true(has(r, "(1 rating)"));

	/* A member from that address still can: members are counted by account. */
	r = post_on(m, qurl, path, "stars", "4", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(m, qurl);
	assert_true(has(r, "4.5 out of 5"));
	assert_true(has(r, "(2 ratings)"));
	free(qurl);
	client_free(m);
	client_free(g);
	client_free(g2);
}

static void test_helpful_first(void **state)
{
	client *asker = client_new(&S), *other = client_new(&S), *guide = client_new(&S);
	assert_int_equal(login_as(asker, "bernard", "demo-password-1"), 0);
	assert_int_equal(login_as(other, "greg_w", "demo-password-1"), 0);
	assert_int_equal(login_as(guide, "jose_rn", "demo-password-1"), 0);
	long qid;
	char *qurl = ask(asker, "Helpful test: what snacks keep sugar steady?", &qid);
	long a1 = answer(other, qurl, qid, "FIRST-ANSWER: nuts and cheese work for me.");
	long a2 = answer(other, qurl, qid, "SECOND-ANSWER: plain yoghurt with berries.");
	long a3 = answer(other, qurl, qid, "THIRD-ANSWER: hummus with carrot sticks.");
	resp *r = http_get(asker, qurl);
	assert_true(strstr(r->body, "FIRST-ANSWER") < strstr(r->body, "SECOND-ANSWER"));
	assert_true(has(r, "Mark as helpful"));

	char p2[160], p3[160], p1[160];
	snprintf(p1, sizeof p1, "/type-2-diabetes/questions/%ld/answers/%ld/helpful", qid, a1);
	snprintf(p2, sizeof p2, "/type-2-diabetes/questions/%ld/answers/%ld/helpful", qid, a2);
	snprintf(p3, sizeof p3, "/type-2-diabetes/questions/%ld/answers/%ld/helpful", qid, a3);
	/* A member who did not ask cannot mark, and sees no button. */
	r = http_get(other, qurl);
	assert_false(has(r, "Mark as helpful"));
	r = post_on(other, qurl, p2, "helpful", "1", NULL, NULL);
	assert_int_equal(r->status, 403);
	/* Guests are sent to log in. */
	client *g = client_new(&S);
	r = post_on(g, qurl, p2, "helpful", "1", NULL, NULL);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/login"));
	client_free(g);

	/* The asker marks the second answer: it moves above the first. */
	r = post_on(asker, qurl, p2, "helpful", "1", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(asker, r);
	assert_true(has(r, "Marked helpful"));
	assert_true(has(r, "Unmark helpful"));
	assert_true(strstr(r->body, "SECOND-ANSWER") < strstr(r->body, "FIRST-ANSWER"));
	/* A guide marks the third too (several may be helpful); order among them is oldest first. */
	r = post_on(guide, qurl, p3, "helpful", "1", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(guide, qurl);
	const char *s1 = strstr(r->body, "FIRST-ANSWER"), *s2 = strstr(r->body, "SECOND-ANSWER"),
	           *s3 = strstr(r->body, "THIRD-ANSWER");
	assert_true(s2 < s3 && s3 < s1);
	/* Accepting ("the answer that helped") still works and puts that one first. */
	char acc[128], aid1[32];
	snprintf(acc, sizeof acc, "/type-2-diabetes/questions/%ld/accept", qid);
	snprintf(aid1, sizeof aid1, "%ld", a1);
	r = post_on(asker, qurl, acc, "answer", aid1, NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(asker, qurl);
	assert_true(has(r, "Helped the asker"));
	s1 = strstr(r->body, "FIRST-ANSWER");
	s2 = strstr(r->body, "SECOND-ANSWER");
	assert_true(s1 < s2);
	/* Unmarking moves the answer back to its place. */
	r = post_on(asker, qurl, p3, "helpful", "0", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_get(asker, qurl);
	s2 = strstr(r->body, "SECOND-ANSWER");
	s3 = strstr(r->body, "THIRD-ANSWER");
	assert_true(s2 < s3);
	/* An answer of another question cannot be marked through this one. */
	long q2;
	char *q2url = ask(other, "Helpful test: another question entirely here", &q2);
	char bad[160];
	snprintf(bad, sizeof bad, "/type-2-diabetes/questions/%ld/answers/%ld/helpful", q2, a1);
	r = post_on(guide, q2url, bad, "helpful", "1", NULL, NULL);
	assert_int_equal(r->status, 404);
	free(q2url);
	free(qurl);
	client_free(asker);
	client_free(other);
	client_free(guide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_ratings),
		cmocka_unit_test(test_guest_ratings),
		cmocka_unit_test(test_helpful_first),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
