/* test_held_announce.c: a post held for moderators is announced when a moderator first publishes
 * it, as it would have been had it been published at once, and only then: a held answer, once
 * approved, reaches the question's email subscribers (through a real SMTP server,
 * tests/http/smtp_sink.py) and the answer.created webhook (a local receiver); a held question
 * reaches the question.created webhook. Hiding and restoring the post later tells nobody again.
 * Guest posts are held here (--hold-first-guest-posts); members' posts are published at once and
 * serve as markers: once a marker's mail or delivery has come, one queued before it would have too
 * (the workers send in order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <cmocka.h>
#include <jansson.h>

#include "captcha_answer.h"
#include "harness.h"
#include "sink.h"

static srv S;

static const char *const PW = "demo-password-1";

/* The mail sink (sink.h) and the webhook receiver, which answers every delivery 200. */
static mail_sink M;
static hook_rx R;

/* How many messages to rcpt contain needle; *first gets a copy of the first when asked. */
static int mails(const char *rcpt, const char *needle, char **first)
{
	return sink_mails(M.dir, rcpt, needle, 0, first);
}

/* Waits up to 20 s for a message to rcpt containing needle; returns it (caller frees). */
static char *wait_mail(const char *rcpt, const char *needle)
{
	return sink_wait_mail(M.dir, rcpt, needle, 0, 20);
}

/* Whether a delivery's body is event about id (its data's key). */
static bool about(const char *body, const char *event, const char *key, long id)
{
	json_t *j = json_loads(body, 0, NULL);
	const char *ev = json_string_value(json_object_get(j, "event"));
	bool yes = ev && strcmp(ev, event) == 0 && json_integer_value(json_object_get(json_object_get(j, "data"), key)) == id;
	json_decref(j);
	return yes;
}

/* How many deliveries of event about id the receiver got. */
static int hits(const char *event, const char *key, long id)
{
	int n = 0;
	pthread_mutex_lock(&R.lock);
	for (int i = 0; i < R.n; i++)
		n += about(R.hits[i].body, event, key, id);
	pthread_mutex_unlock(&R.lock);
	return n;
}

/* Waits up to 20 s for a delivery of event about id; returns whether it came. */
static bool wait_hit(const char *event, const char *key, long id)
{
	for (int i = 0; i < 400; i++) {
		if (hits(event, key, id) > 0)
			return true;
		usleep(50000);
	}
	fprintf(stderr, "no %s delivery for %s %ld\n", event, key, id);
	return false;
}

/* The body of the newest delivery of event about id (caller frees), or NULL. */
static char *hit_body(const char *event, const char *key, long id)
{
	char *out = NULL;
	pthread_mutex_lock(&R.lock);
	for (int i = R.n - 1; i >= 0 && !out; i--)
		if (about(R.hits[i].body, event, key, id))
			out = strdup(R.hits[i].body);
	pthread_mutex_unlock(&R.lock);
	return out;
}

/* ---- the site ---- */

/* The page of a form, its token, and the post (CAPTCHA solved for guests). */
static resp *post_on(client *c, const char *page, const char *path, const char *k1, const char *v1, const char *k2,
                     const char *v2)
{
	resp *r = http_get(c, page);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok ? tok : "", k1, v1, k2, v2, NULL);
	r = post_solving(c, &S, r, path, body);
	free(body);
	free(tok);
	return r;
}

/* The id in a location ".../questions/ID-slug" or "...#answer-ID" after marker. */
static long id_after(const char *s, const char *marker)
{
	const char *p = s ? strstr(s, marker) : NULL;
	assert_non_null(p);
	return strtol(p + strlen(marker), NULL, 10);
}

/* The id of the post of type waiting in the moderation queue whose text holds needle. */
static long queued_id(client *m, const char *type, const char *needle)
{
	resp *r = http_get(m, "/mod");
	assert_int_equal(r->status, 200);
	char start[40];
	snprintf(start, sizeof start, "id=\"%s-", type);
	for (const char *s = r->body; (s = strstr(s, start)) != NULL; s++) {
		const char *next = strstr(s + 1, "<article");
		const char *hit = strstr(s, needle);
		if (hit && (!next || hit < next))
			return strtol(s + strlen(start), NULL, 10);
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (hook_rx_start(&R) != 0 || mail_sink_start(&M, NULL, NULL, NULL, NULL) != 0)
		return -1;
	char extra[300];
	snprintf(extra, sizeof extra, "--smtp-url=%s --mail-poll=1 --hold-first-guest-posts", M.url);
	if (srv_start(&S, extra) != 0 || srv_demo(&S) != 0)
		return -1;

	/* One webhook for new questions and answers. */
	client *a = client_new(&S);
	if (login_as(a, "admin", PW) != 0)
		return -1;
	resp *r = http_get(a, "/admin/webhooks");
	char *tok = csrf_of(r), url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", R.port);
	char *f = form("csrf", tok, "action", "create", "url", url, "event", "question.created", "event",
	               "answer.created", NULL);
	r = http_post(a, "/admin/webhooks", f);
	long st = r->status;
	free(f);
	free(tok);
	client_free(a);
	return st == 303 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	int rc = srv_stop(&S);
	mail_sink_stop(&M);
	hook_rx_stop(&R);
	return rc == 0 ? 0 : -1;
}

/* A member answers the question at qpath; returns the new answer's id (published at once). */
static long member_answer(client *c, const char *qpath, const char *apath, const char *text)
{
	resp *r = post_on(c, qpath, apath, "body", text, NULL, NULL);
	assert_int_equal(r->status, 303);
	return id_after(r->location, "#answer-");
}

/* A held answer approved by a moderator: the question's subscriber is emailed and the webhook
 * told, then; not when it was posted, and not again after a hide and a restore. */
static void test_held_answer_announced_on_approval(void **state)
{
	(void)state;
	client *anon = client_new(&S);
	resp *r = http_get(anon, "/hemifacial-spasm/questions/1");
	assert_int_equal(r->status, 301);
	char *qpath = strdup(r->location);
	client_free(anon);
	const char *qp = "/hemifacial-spasm/questions/1";
	char sub[100], apath[100], needle[64];
	snprintf(sub, sizeof sub, "%s/subscribe", qp);
	snprintf(apath, sizeof apath, "%s/answers", qp);

	/* zoe follows the question by email (a member with a verified address: no confirmation). */
	client *zoe = client_new(&S), *jose = client_new(&S), *priya = client_new(&S), *guest = client_new(&S);
	assert_int_equal(login_as(zoe, "zoe_m", PW), 0);
	assert_int_equal(login_as(jose, "jose_rn", PW), 0);
	assert_int_equal(login_as(priya, "priya", PW), 0);
	r = post_on(zoe, qpath, sub, "mode", "immediate", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(zoe, r);
	assert_true(has(r, "You get these emails"));

	/* A guest's answer is held: no email, no webhook... */
	const char *held_text = "Magnesium before bed eased my twitching within a fortnight, for what it is worth.";
	r = post_on(guest, qpath, apath, "body", held_text, "guest_name", "Helper");
	assert_int_equal(r->status, 303);
	long held = queued_id(priya, "answer", "Magnesium before bed eased my twitching");
	assert_true(held > 0);
	long m1 = member_answer(jose, qpath, apath, "A neurologist can tell you whether botulinum injections suit you.");
	snprintf(needle, sizeof needle, "#answer-%ld", m1);
	char *m = wait_mail("zoe@example.org", needle);
	assert_non_null(m);
	free(m);
	assert_true(wait_hit("answer.created", "answer_id", m1));
	snprintf(needle, sizeof needle, "#answer-%ld", held);
	assert_int_equal(mails("zoe@example.org", needle, NULL), 0);
	assert_int_equal(hits("answer.created", "answer_id", held), 0);

	/* ...until a moderator approves it: then both, once. */
	r = mod_act(priya, "answer", held, "approve", MOD_REASON, NULL);
	assert_int_equal(r->status, 303);
	m = wait_mail("zoe@example.org", needle);
	assert_non_null(m);
	assert_non_null(strstr(m, "Subject: New answer: "));
	free(m);
	assert_true(wait_hit("answer.created", "answer_id", held));
	char *body = hit_body("answer.created", "answer_id", held);
	json_t *j = json_loads(body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "data"), "question_id")), 1);
	json_decref(j);
	free(body);
	/* The answer shows on the question page. */
	r = http_get(zoe, qpath);
	assert_true(has(r, "Magnesium before bed eased my twitching"));

	/* Hidden and restored (and approved again): nobody is told again, neither of it nor of an
	 * answer published at once (by then a later answer's mail and delivery have come). */
	assert_int_equal(mod_act(priya, "answer", held, "hide", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "answer", held, "restore", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "answer", held, "approve", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "answer", m1, "hide", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "answer", m1, "restore", MOD_REASON, NULL)->status, 303);
	long m2 = member_answer(jose, qpath, apath, "Keeping a diary of when it happens helps the appointment.");
	char n2[64];
	snprintf(n2, sizeof n2, "#answer-%ld", m2);
	m = wait_mail("zoe@example.org", n2);
	assert_non_null(m);
	free(m);
	assert_true(wait_hit("answer.created", "answer_id", m2));
	assert_int_equal(mails("zoe@example.org", needle, NULL), 1);
	assert_int_equal(hits("answer.created", "answer_id", held), 1);
	snprintf(needle, sizeof needle, "#answer-%ld", m1);
	assert_int_equal(mails("zoe@example.org", needle, NULL), 1);
	assert_int_equal(hits("answer.created", "answer_id", m1), 1);

	free(qpath);
	client_free(zoe);
	client_free(jose);
	client_free(priya);
	client_free(guest);
}

/* A held question approved by a moderator reaches the question.created webhook, once. */
static void test_held_question_webhook_on_approval(void **state)
{
	(void)state;
	client *zoe = client_new(&S), *priya = client_new(&S), *guest = client_new(&S);
	assert_int_equal(login_as(zoe, "zoe_m", PW), 0);
	assert_int_equal(login_as(priya, "priya", PW), 0);

	const char *title = "Can an inhaler lose strength if it is left in a hot car?";
	resp *r = ask_question(guest, &S, "asthma", title);
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/asthma"); /* held: back to the topic */
	long held = queued_id(priya, "question", title);
	assert_true(held > 0);
	r = ask_question(zoe, &S, "asthma", "Does a spacer need washing every week?");
	assert_int_equal(r->status, 303);
	long q1 = id_after(r->location, "/questions/");
	assert_true(wait_hit("question.created", "question_id", q1));
	assert_int_equal(hits("question.created", "question_id", held), 0);

	r = mod_act(priya, "question", held, "approve", MOD_REASON, NULL);
	assert_int_equal(r->status, 303);
	assert_true(wait_hit("question.created", "question_id", held));
	char *body = hit_body("question.created", "question_id", held);
	json_t *j = json_loads(body, 0, NULL);
	json_t *d = json_object_get(j, "data");
	assert_string_equal(json_string_value(json_object_get(d, "title")), title);
	assert_true(json_integer_value(json_object_get(d, "topic_id")) > 0);
	assert_non_null(strstr(json_string_value(json_object_get(d, "excerpt")), "Some details so the form accepts it"));
	json_decref(j);
	free(body);

	assert_int_equal(mod_act(priya, "question", held, "hide", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "question", held, "restore", MOD_REASON, NULL)->status, 303);
	r = ask_question(zoe, &S, "asthma", "Is a peak flow meter worth buying for home?");
	assert_int_equal(r->status, 303);
	long q2 = id_after(r->location, "/questions/");
	assert_true(wait_hit("question.created", "question_id", q2));
	assert_int_equal(hits("question.created", "question_id", held), 1);

	client_free(zoe);
	client_free(priya);
	client_free(guest);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_answer_announced_on_approval),
		cmocka_unit_test(test_held_question_webhook_on_approval),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
