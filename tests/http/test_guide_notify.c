/* test_guide_notify.c: guides hear of new questions in the topics they follow, through the
 * outbox and a real SMTP server (tests/http/smtp_sink.py): the guide who follows the topic gets
 * the title and link; a guide who does not follow it, and the author, get nothing; a question
 * held for moderators mails nobody until it is approved (and then once); the queue page turns
 * the emails off and on; the one-click (RFC 8058) link stops them. Guest posts are held here
 * (--hold-first-guest-posts), members' posts are published at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"
#include "sink.h"

static srv S;
static mail_sink M; /* the SMTP server the site sends to */

static const char *const PW = "demo-password-1";

/* How many messages to rcpt contain needle; *first gets a copy of the first when asked. */
static int mails(const char *rcpt, const char *needle, char **first)
{
	return sink_mails(M.dir, rcpt, needle, 0, first);
}

/* Waits up to 15 s for a message to rcpt containing needle; returns it (caller frees). */
static char *wait_mail(const char *rcpt, const char *needle)
{
	return sink_wait_mail(M.dir, rcpt, needle, 0, 15);
}

/* The path (after the origin) of the first link in text that starts with prefix. Caller frees. */
static char *link_path(const char *text, const char *prefix)
{
	const char *p = strstr(text, prefix);
	return p ? strndup(p, strcspn(p, " \r\n\t>\"<")) : NULL;
}

/* A published question by a signed-in member; returns its path. Caller frees. */
static char *member_ask(client *c, const char *topic, const char *title)
{
	resp *r = ask_question(c, &S, topic, title);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/questions/"));
	return strdup(r->location);
}

/* The id of the topic named name on the guide queue page r ("> Name" after its follow box). */
static char *topic_id(const resp *r, const char *name)
{
	char needle[100];
	snprintf(needle, sizeof needle, "\"> %s <", name);
	const char *p = strstr(r->body, needle);
	if (!p) {
		snprintf(needle, sizeof needle, "\" checked> %s <", name);
		p = strstr(r->body, needle);
	}
	assert_non_null(p);
	while (p > r->body && strncmp(p, "value=\"", 7) != 0)
		p--;
	return strndup(p + 7, strcspn(p + 7, "\""));
}

/* Saves the queue form: follow topic (its id), with its emails on or off. */
static void follow(client *g, const char *name, bool notify)
{
	resp *r = http_get(g, "/guides/queue");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r), *id = topic_id(r, name);
	char *f = notify ? form("csrf", tok, "notify_form", "1", "topic", id, "notify", id, NULL)
	                 : form("csrf", tok, "notify_form", "1", "topic", id, NULL);
	r = http_post(g, "/guides/queue", f);
	assert_int_equal(r->status, 303);
	free(f);
	free(id);
	free(tok);
}

/* The id of a question waiting in the moderation queue under title. */
static long held_id(client *m, const char *title)
{
	resp *r = http_get(m, "/mod");
	assert_int_equal(r->status, 200);
	char h2[200];
	snprintf(h2, sizeof h2, "<h2>%s", title);
	for (const char *s = r->body; (s = strstr(s, "id=\"question-")) != NULL; s++) {
		const char *h = strstr(s, "<h2>");
		if (h && strncmp(h, h2, strlen(h2)) == 0)
			return strtol(s + strlen("id=\"question-"), NULL, 10);
	}
	return 0;
}

static int setup(void **state)
{
	if (mail_sink_start(&M, NULL, NULL, NULL, NULL) != 0)
		return -1;
	char extra[300];
	snprintf(extra, sizeof extra, "--smtp-url=%s --mail-poll=1 --hold-first-guest-posts", M.url);
	if (srv_start(&S, extra) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	int rc = srv_stop(&S);
	mail_sink_stop(&M);
	return rc == 0 ? 0 : -1;
}

static void test_guides_hear_of_new_questions(void **state)
{
	/* helen follows Asthma with emails on; jose follows Migraine only. */
	client *helen = client_new(&S), *jose = client_new(&S), *zoe = client_new(&S), *guest = client_new(&S);
	assert_int_equal(login_as(helen, "helen_writes", PW), 0);
	assert_int_equal(login_as(jose, "jose_rn", PW), 0);
	assert_int_equal(login_as(zoe, "zoe_m", PW), 0);
	follow(helen, "Asthma", true);
	follow(jose, "Migraine", true);
	resp *r = http_get(helen, "/guides/queue");
	assert_true(has(r, "Email me its new questions"));

	/* A member asks in Asthma: helen is told, with the title and the link; jose is not. */
	char *q1 = member_ask(zoe, "asthma", "Does cold air make a wheeze worse at night?");
	char *m = wait_mail("helen@example.org", "Does cold air make a wheeze worse at night?");
	assert_non_null(m);
	assert_non_null(strstr(m, "Subject: Waiting for a guide in Asthma: Does cold air make a wheeze worse at night?"));
	/* The link: the question's canonical URL (under --base-url). */
	assert_non_null(strstr(m, q1));
	assert_non_null(strstr(m, "List-Unsubscribe: <"));
	assert_non_null(strstr(m, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
	assert_non_null(strstr(m, "/guides/notices/"));
	free(m);

	/* A Migraine question reaches jose; by then the Asthma one would have reached him too
	 * (the worker sends in order), and it did not. */
	char *q2 = member_ask(zoe, "migraine", "Can a migraine start from skipping breakfast?");
	m = wait_mail("jose@example.org", "Can a migraine start from skipping breakfast?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("jose@example.org", "Does cold air make a wheeze worse", NULL), 0);
	assert_int_equal(mails("helen@example.org", "Can a migraine start from skipping", NULL), 0);

	/* The author is never told about their own question: helen asks in Asthma, then zoe does. */
	char *q3 = member_ask(helen, "asthma", "Which spacer do you find easiest for small children?");
	char *q4 = member_ask(zoe, "asthma", "Is it normal to need the reliever after climbing stairs?");
	m = wait_mail("helen@example.org", "Is it normal to need the reliever after climbing stairs?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("helen@example.org", "Which spacer do you find easiest", NULL), 0);

	/* A guest's question is held for moderators: nobody hears of it... */
	r = ask_question(guest, &S, "asthma", "Can an inhaler lose strength if it gets too warm?");
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/asthma");
	char *q5 = member_ask(zoe, "asthma", "Should a peak flow diary be kept every single day?");
	m = wait_mail("helen@example.org", "Should a peak flow diary be kept every single day?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("helen@example.org", "Can an inhaler lose strength", NULL), 0);
	/* ...until a moderator approves it: then helen is told, once. */
	client *priya = client_new(&S);
	assert_int_equal(login_as(priya, "priya", PW), 0);
	long held = held_id(priya, "Can an inhaler lose strength if it gets too warm?");
	assert_true(held > 0);
	r = mod_act(priya, "question", held, "approve", MOD_REASON, NULL);
	assert_int_equal(r->status, 303);
	m = wait_mail("helen@example.org", "Can an inhaler lose strength if it gets too warm?");
	assert_non_null(m);
	free(m);
	/* Hiding and restoring it later does not announce it again. */
	assert_int_equal(mod_act(priya, "question", held, "hide", MOD_REASON, NULL)->status, 303);
	assert_int_equal(mod_act(priya, "question", held, "restore", MOD_REASON, NULL)->status, 303);
	char *q6 = member_ask(zoe, "asthma", "Do steroid inhalers change your voice for long?");
	m = wait_mail("helen@example.org", "Do steroid inhalers change your voice for long?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("helen@example.org", "Can an inhaler lose strength", NULL), 1);

	/* Turned off on the queue page: helen still follows Asthma but hears nothing. */
	follow(helen, "Asthma", false);
	r = http_get(helen, "/guides/queue");
	assert_true(has(r, "in the 1 topic you follow"));
	char *q7 = member_ask(zoe, "asthma", "Can pollen season start as early as February?");
	char *q8 = member_ask(zoe, "migraine", "Does a dark room really shorten a migraine?");
	m = wait_mail("jose@example.org", "Does a dark room really shorten a migraine?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("helen@example.org", "Can pollen season start", NULL), 0);

	/* On again; the email's one-click link (a POST with no cookie or token) stops it. */
	follow(helen, "Asthma", true);
	char *q9 = member_ask(zoe, "asthma", "Is a chest infection more likely with asthma?");
	m = wait_mail("helen@example.org", "Is a chest infection more likely with asthma?");
	assert_non_null(m);
	const char *lu = strstr(m, "List-Unsubscribe: <");
	assert_non_null(lu);
	char *unsub = link_path(lu, "/guides/notices/");
	assert_non_null(unsub);
	free(m);
	client *mua = client_new(&S);
	r = http_get(mua, unsub); /* a mail scanner opening the link changes nothing */
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Stop sending you emails about new questions in Asthma?"));
	char *bad = strdup(unsub);
	bad[strlen("/guides/notices/")] = bad[strlen("/guides/notices/")] == '9' ? '8' : '9';
	assert_int_equal(http_post(mua, bad, "List-Unsubscribe=One-Click")->status, 404);
	free(bad);
	r = http_post(mua, unsub, "List-Unsubscribe=One-Click");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "You are unsubscribed"));
	client_free(mua);
	char *q10 = member_ask(zoe, "asthma", "Can swimming help children with asthma?");
	char *q11 = member_ask(zoe, "migraine", "Are migraines worse in the week before a period?");
	m = wait_mail("jose@example.org", "Are migraines worse in the week before a period?");
	assert_non_null(m);
	free(m);
	assert_int_equal(mails("helen@example.org", "Can swimming help children", NULL), 0);
	/* The queue page shows it off, still followed. */
	r = http_get(helen, "/guides/queue");
	char *aid = topic_id(r, "Asthma");
	char box[120];
	snprintf(box, sizeof box, "name=\"notify\" value=\"%s\">", aid);
	assert_true(has(r, box));
	snprintf(box, sizeof box, "name=\"topic\" value=\"%s\" checked>", aid);
	assert_true(has(r, box));
	free(aid);

	free(unsub);
	char *qs[] = {q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11};
	for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
		free(qs[i]);
	client_free(priya);
	client_free(helen);
	client_free(jose);
	client_free(zoe);
	client_free(guest);
}

/* An older client of the queue form (no notify part) keeps each followed topic's setting. */
static void test_follow_keeps_setting(void **state)
{
	client *jose = client_new(&S);
	assert_int_equal(login_as(jose, "jose_rn", PW), 0);
	follow(jose, "Migraine", false);
	resp *r = http_get(jose, "/guides/queue");
	char *tok = csrf_of(r), *mid = topic_id(r, "Migraine"), *aid = topic_id(r, "Asthma");
	char *f = form("csrf", tok, "topic", mid, "topic", aid, NULL);
	r = http_post(jose, "/guides/queue", f);
	assert_int_equal(r->status, 303);
	r = http_get(jose, "/guides/queue");
	char box[120];
	snprintf(box, sizeof box, "name=\"notify\" value=\"%s\">", mid); /* still off */
	assert_true(has(r, box));
	snprintf(box, sizeof box, "name=\"notify\" value=\"%s\" checked>", aid); /* new: on */
	assert_true(has(r, box));
	free(f);
	free(tok);
	free(mid);
	free(aid);
	client_free(jose);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guides_hear_of_new_questions),
		cmocka_unit_test(test_follow_keeps_setting),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
