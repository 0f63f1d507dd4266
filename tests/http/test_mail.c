/* test_mail.c: email end to end against a real SMTP server (tests/http/smtp_sink.py, on
 * python3-aiosmtpd): double opt-in links work, one-click unsubscribe stops further mail,
 * topic updates carry encoded non-ASCII headers, the newsletter reaches confirmed
 * subscribers with counts for admins, password reset and verification links are single-use,
 * a digest groups questions, and a killed worker does not send twice. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"
#include "sink.h"

static srv S;
static char smtp_flag[200];

static mail_sink main_sink; /* the SMTP server of the site (sink.h) */
static const char *cur_dir; /* the folder mails() reads: main_sink's, or a test's own sink's */

/* Messages that arrived for rcpt whose decoded text contains needle (NULL: any), in order.
 * Returns how many; *nth gets a copy of the idx-th (0-based) when asked. */
static int mails(const char *rcpt, const char *needle, int idx, char **nth)
{
	return sink_mails(cur_dir, rcpt, needle, idx, nth);
}

/* Waits up to 15 s for the idx-th matching message and returns it (caller frees). */
static char *wait_mail(const char *rcpt, const char *needle, int idx)
{
	return sink_wait_mail(cur_dir, rcpt, needle, idx, 15);
}

/* The path of the first link in text that starts with prefix (after the origin). */
static char *link_path(const char *text, const char *prefix)
{
	const char *p = strstr(text, prefix);
	if (!p)
		return NULL;
	size_t n = strcspn(p, " \r\n\t>\"<");
	return strndup(p, n);
}

static resp *post_on(client *c, const char *page, const char *path, const char *k1, const char *v1,
                     const char *k2, const char *v2)
{
	resp *r = http_get(c, page);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok ? tok : "", k1, v1, k2, v2, NULL);
	r = post_solving(c, &S, r, path, body); /* every server of this process shares S's secret */
	free(body);
	free(tok);
	return r;
}

/* The canonical path of demo question n. Caller frees. */
static char *question_path(srv *s, int n)
{
	client *c = client_new(s);
	char p[64];
	snprintf(p, sizeof p, "/hemifacial-spasm/questions/%d", n);
	resp *r = http_get(c, p);
	assert_int_equal(r->status, 301);
	char *out = strdup(r->location);
	client_free(c);
	return out;
}

static void guest_answer(srv *s, const char *qpath, const char *text)
{
	client *g = client_new(s);
	char path[200];
	snprintf(path, sizeof path, "%.*s/answers", (int)(strchr(strstr(qpath, "/questions/") + 11, '-') - qpath), qpath);
	resp *r = post_on(g, qpath, path, "body", text, "guest_name", "Helper");
	assert_int_equal(r->status, 303);
	client_free(g);
}

static long guest_ask(srv *s, const char *topic, const char *title)
{
	client *g = client_new(s);
	char page[100];
	snprintf(page, sizeof page, "/%s/ask", topic);
	resp *r = http_get(g, page);
	char *tok = csrf_of(r);
	char text[300]; /* each body differs: the same text twice would look like spam */
	snprintf(text, sizeof text, "Asked by a guest, with enough detail for the form: %s", title);
	char *body = form("csrf", tok, "title", title, "body", text, "action", "post", NULL);
	r = post_solving(g, s, r, page, body);
	assert_int_equal(r->status, 303);
	long id = strtol(strstr(r->location, "/questions/") + 11, NULL, 10);
	free(body);
	free(tok);
	client_free(g);
	return id;
}

static int setup(void **state)
{
	if (mail_sink_start(&main_sink, NULL, NULL, NULL, NULL) != 0)
		return -1;
	cur_dir = main_sink.dir;
	snprintf(smtp_flag, sizeof smtp_flag, "--smtp-url=%s", main_sink.url);
	char extra[300];
	snprintf(extra, sizeof extra, "%s --mail-poll=1", smtp_flag);
	if (srv_start(&S, extra) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	int rc = srv_stop(&S);
	mail_sink_stop(&main_sink);
	return rc == 0 ? 0 : -1;
}

static void test_guest_question_updates(void **state)
{
	char *q = question_path(&S, 1);
	char sub[200];
	snprintf(sub, sizeof sub, "%.*s/subscribe", (int)(strchr(strstr(q, "/questions/") + 11, '-') - q), q);
	client *g = client_new(&S);
	resp *r = http_get(g, q);
	assert_true(has(r, "Get Email Updates"));
	/* A bad address comes back with a message and the text kept. */
	r = post_on(g, q, sub, "email", "not-an-address", NULL, NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Enter an email address"));
	assert_true(has(r, "value=\"not-an-address\""));
	r = post_on(g, q, sub, "email", "Guest1@Example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your inbox"));
	char *m = wait_mail("guest1@example.org", "Please confirm", 0);
	assert_non_null(m);
	assert_true(strstr(m, "--- text/plain") && strstr(m, "--- text/html"));
	/* Nothing else is sent before confirmation. */
	guest_answer(&S, q, "An answer before the guest confirmed.");
	char *confirm = link_path(m, "/subscriptions/");
	assert_non_null(confirm);
	assert_non_null(strstr(confirm, "/confirm"));
	free(m);
	r = http_get(g, confirm);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Yes, confirm"));
	r = http_post(g, confirm, "");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "You are subscribed"));
	/* A forged token is refused. */
	r = http_get(g, "/subscriptions/1-00000000000000000000000000000000/confirm");
	assert_int_equal(r->status, 404);
	sleep(2);
	assert_int_equal(mails("guest1@example.org", "New answer", 0, NULL), 0);

	guest_answer(&S, q, "An answer after the guest confirmed.");
	m = wait_mail("guest1@example.org", "New answer", 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
	assert_non_null(strstr(m, "MIME-Version: 1.0"));
	assert_non_null(strstr(m, "Message-ID: <"));
	assert_non_null(strstr(m, "Email preferences: "));
	const char *lu = strstr(m, "List-Unsubscribe: <");
	assert_non_null(lu);
	char *unsub = link_path(lu, "/subscriptions/");
	assert_non_null(strstr(unsub, "/unsubscribe"));
	char *prefs = strndup(unsub, strlen(unsub) - strlen("/unsubscribe"));
	free(m);
	r = http_get(g, prefs);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "guest1@example.org"));
	assert_true(has(r, "new answers to"));
	/* RFC 8058 one-click: a POST with this body and no cookie or token stops it at once. */
	client *mua = client_new(&S);
	r = http_post(mua, unsub, "List-Unsubscribe=One-Click");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "You are unsubscribed"));
	client_free(mua);
	guest_answer(&S, q, "An answer after the guest left.");
	sleep(3);
	assert_int_equal(mails("guest1@example.org", "New answer", 0, NULL), 1);
	r = http_get(g, prefs);
	assert_int_equal(r->status, 410);
	free(prefs);
	free(unsub);
	free(confirm);
	free(q);
	client_free(g);
}

/* A form cannot be used to flood an address: one confirmation per 10 minutes; the rest wait
 * on the preferences page, where they can be confirmed. */
static void test_confirmation_throttle(void **state)
{
	client *g = client_new(&S);
	resp *r = post_on(g, "/asthma", "/asthma/subscribe", "email", "thr@example.org", "mode", "daily");
	assert_int_equal(r->status, 200);
	r = post_on(g, "/hypertension", "/hypertension/subscribe", "email", "thr@example.org", "mode", "immediate");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your inbox"));
	char *m = wait_mail("thr@example.org", "Please confirm", 0);
	assert_non_null(m);
	sleep(2);
	assert_int_equal(mails("thr@example.org", NULL, 0, NULL), 1);
	char *confirm = link_path(m, "/subscriptions/");
	free(m);
	char *prefs = strndup(confirm, strlen(confirm) - strlen("/confirm"));
	r = http_get(g, prefs);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "a daily digest of new questions about Asthma"));
	assert_true(has(r, "an email for each new question about High Blood Pressure (Hypertension)"));
	/* Both wait; confirm the one that had no mail of its own from here. */
	const char *hyp = strstr(r->body, "(Hypertension)");
	assert_non_null(hyp);
	char *second = link_path(hyp, "/subscriptions/");
	assert_non_null(strstr(second, "/confirm"));
	assert_string_not_equal(second, confirm);
	r = http_post(g, second, "");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "You are subscribed"));
	r = http_get(g, prefs);
	hyp = strstr(r->body, "(Hypertension)");
	const char *end = strstr(hyp, "</li>");
	assert_true(!strstr(hyp, "Waiting for confirmation") || strstr(hyp, "Waiting for confirmation") > end);
	free(second);
	free(prefs);
	free(confirm);
	client_free(g);
}

static void test_member_topic_updates(void **state)
{
	client *z = client_new(&S);
	assert_int_equal(login_as(z, "zoe_m", "demo-password-1"), 0);
	resp *r = http_get(z, "/migraine");
	assert_true(has(r, "Get Email Updates"));
	assert_true(has(r, "A daily digest"));
	/* Without a CSRF token nothing happens. */
	r = http_post(z, "/migraine/subscribe", "mode=immediate");
	assert_int_equal(r->status, 403);
	r = http_get(z, "/migraine");
	assert_false(has(r, "You get these emails"));
	client *g = client_new(&S);
	r = http_post(g, "/migraine/subscribe", "mode=daily&email=kept%40example.org");
	assert_int_equal(r->status, 403);
	assert_true(has(r, "value=\"kept@example.org\""));
	client_free(g);
	r = post_on(z, "/migraine", "/migraine/subscribe", "mode", "immediate", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(z, r);
	assert_true(has(r, "You get these emails"));
	r = http_get(z, "/account");
	assert_true(has(r, "Each new question about Migraine"));
	assert_false(has(r, "/admin/mail"));
	/* One click, no confirmation mail for members. */
	guest_ask(&S, "migraine", "Ça me lance derrière l’œil — migraine or not?");
	char *m = wait_mail("zoe@example.org", "New question in Migraine", 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "Subject: New question in Migraine: Ça me lance derrière l’œil"));
	assert_non_null(strstr(m, "To: Zoë Martin <zoe@example.org>"));
	assert_non_null(strstr(m, "List-Unsubscribe: <"));
	free(m);
	assert_int_equal(mails("zoe@example.org", "Please confirm", 0, NULL), 0);
	/* On the wire the non-ASCII headers are RFC 2047 encoded words. */
	DIR *d = opendir(cur_dir);
	struct dirent *e;
	bool encoded = false;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".eml"))
			continue;
		char p[700];
		snprintf(p, sizeof p, "%s/%s", cur_dir, e->d_name);
		char *raw = slurp_file(p, NULL);
		if (raw && strstr(raw, "zoe@example.org") && strstr(raw, "Subject: =?UTF-8?B?"))
			encoded = true;
		free(raw);
	}
	closedir(d);
	assert_true(encoded);
	/* Stopping from the page. */
	r = post_on(z, "/migraine", "/migraine/subscribe", "stop", "1", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(z, r);
	assert_false(has(r, "You get these emails"));
	guest_ask(&S, "migraine", "Second migraine question after Zoë stopped");
	sleep(3);
	assert_int_equal(mails("zoe@example.org", "New question in Migraine", 0, NULL), 1);
	client_free(z);
}

static void test_newsletter(void **state)
{
	/* A member subscribes with one click (their own address). */
	client *greg = client_new(&S);
	assert_int_equal(login_as(greg, "greg_w", "demo-password-1"), 0);
	resp *r = http_get(greg, "/");
	assert_true(has(r, "Health Newsletter"));
	assert_true(has(r, "value=\"greg@example.org\""));
	r = post_on(greg, "/", "/newsletter", "email", "greg@example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "You are subscribed"));
	/* A guest confirms by the link. */
	client *g = client_new(&S);
	r = post_on(g, "/", "/newsletter", "email", "news1@example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your inbox"));
	char *m = wait_mail("news1@example.org", "Please confirm", 0);
	assert_non_null(m);
	char *confirm = link_path(m, "/subscriptions/");
	free(m);
	r = http_post(g, confirm, "");
	assert_true(has(r, "You are subscribed"));
	free(confirm);
	/* An address the server refuses: kept as a permanent failure for admins. */
	r = post_on(g, "/", "/newsletter", "email", "bounce1@example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	/* An unconfirmed guest gets no newsletter. */
	r = post_on(g, "/", "/newsletter", "email", "lurker@example.org", NULL, NULL);
	m = wait_mail("lurker@example.org", "Please confirm", 0);
	assert_non_null(m);
	free(m);

	client *admin = client_new(&S);
	assert_int_equal(login_as(admin, "admin", "demo-password-1"), 0);
	r = http_get(greg, "/admin/newsletter");
	assert_int_equal(r->status, 403);
	r = http_get(admin, "/account");
	assert_true(has(r, "href=\"/admin/mail\""));
	r = http_get(admin, "/admin/newsletter");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "2 confirmed subscribers"));
	r = post_on(admin, "/admin/newsletter", "/admin/newsletter", "subject", "Spring news", "body",
	            "Hello everyone,\n\nThis month **three new guides** went up.");
	/* Without an action it is a preview. */
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Preview: Spring news"));
	assert_true(has(r, "<strong>three new guides</strong>"));
	r = http_get(admin, "/admin/newsletter");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "subject", "Spring news", "body",
	                  "Hello everyone,\n\nThis month **three new guides** went up.", "action", "send", NULL);
	r = http_post(admin, "/admin/newsletter", body);
	assert_int_equal(r->status, 303);
	free(body);
	free(tok);
	m = wait_mail("greg@example.org", "Subject: Spring news", 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "**three new guides**"));     /* the text part */
	assert_non_null(strstr(m, "<strong>three new guides</strong>")); /* the HTML part */
	assert_non_null(strstr(m, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
	free(m);
	m = wait_mail("news1@example.org", "Subject: Spring news", 0);
	assert_non_null(m);
	const char *lu = strstr(m, "List-Unsubscribe: <");
	char *unsub = link_path(lu, "/subscriptions/");
	free(m);
	/* Sent and failed counts for the issue. */
	bool counted = false;
	for (int i = 0; i < 100 && !counted; i++) {
		r = http_get(admin, "/admin/newsletter");
		counted = has(r, "<td class=\"nl-sent\">2</td>") && has(r, "<td class=\"nl-failed\">0</td>");
		if (!counted)
			usleep(100000);
	}
	assert_true(counted);
	assert_int_equal(mails("lurker@example.org", "Spring news", 0, NULL), 0);
	/* The refused confirmation is shown to admins. */
	bool shown = false;
	for (int i = 0; i < 100 && !shown; i++) {
		r = http_get(admin, "/admin/mail");
		shown = has(r, "bounce1@example.org") && has(r, "550");
		if (!shown)
			usleep(100000);
	}
	assert_true(shown);
	r = http_get(greg, "/admin/mail");
	assert_int_equal(r->status, 403);

	/* One-click unsubscribe: the next issue reaches Greg only. */
	client *mua = client_new(&S);
	r = http_post(mua, unsub, "List-Unsubscribe=One-Click");
	assert_int_equal(r->status, 200);
	client_free(mua);
	free(unsub);
	r = http_get(admin, "/admin/newsletter");
	tok = csrf_of(r);
	body = form("csrf", tok, "subject", "Summer news", "body", "Short one this time.", "action", "send", NULL);
	r = http_post(admin, "/admin/newsletter", body);
	assert_int_equal(r->status, 303);
	free(body);
	free(tok);
	m = wait_mail("greg@example.org", "Subject: Summer news", 0);
	assert_non_null(m);
	free(m);
	sleep(2);
	assert_int_equal(mails("news1@example.org", "Summer news", 0, NULL), 0);
	client_free(greg);
	client_free(g);
	client_free(admin);
}

static void test_password_reset(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/login");
	assert_true(has(r, "href=\"/reset\""));
	/* An unknown address gets the same answer and no mail. */
	r = post_on(c, "/reset", "/reset", "email", "nobody@example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your inbox"));
	r = post_on(c, "/reset", "/reset", "email", "bernard@example.org", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your inbox"));
	char *m = wait_mail("bernard@example.org", "Reset your password", 0);
	assert_non_null(m);
	char *link = link_path(m, "/reset/");
	assert_non_null(link);
	free(m);
	r = http_get(c, link);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Choose a new password"));
	r = post_on(c, link, link, "password", "short", NULL, NULL);
	assert_int_equal(r->status, 422);
	r = post_on(c, link, link, "password", "a-brand-new-password", NULL, NULL);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/login"));
	client *n = client_new(&S);
	assert_int_equal(login_as(n, "bernard", "a-brand-new-password"), 0);
	client_free(n);
	n = client_new(&S);
	assert_int_not_equal(login_as(n, "bernard", "demo-password-1"), 0);
	client_free(n);
	/* Single use. */
	r = http_get(c, link);
	assert_int_equal(r->status, 410);
	r = http_get(c, "/reset/not-a-real-token");
	assert_int_equal(r->status, 410);
	assert_int_equal(mails("nobody@example.org", NULL, 0, NULL), 0);
	free(link);
	client_free(c);
}

/* Joins as a person does: the form, then the link mailed to the address (the SMTP sink). */
static void join(client *c, const char *username, const char *email)
{
	resp *r = http_get(c, "/register");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "username", username, "email", email, "password", "a-good-long-password",
	                  "display_name", username, NULL);
	r = post_solving(c, &S, r, "/register", body);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Check your email"));
	free(body);
	free(tok);
	char *m = wait_mail(email, "Subject: Finish joining", 0);
	assert_non_null(m);
	char *link = link_path(m, "/join/");
	free(m);
	assert_non_null(link);
	r = http_post(c, link, "");
	assert_int_equal(r->status, 303);
	free(link);
}

/* A member's new address gets a link: verified once, the link then expired. */
static void change_email(client *c, const char *name, const char *email)
{
	resp *r = http_get(c, "/account");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "action", "profile", "display_name", name, "email", email, "bio", "", NULL);
	r = http_post(c, "/account", body);
	assert_int_equal(r->status, 303);
	free(body);
	free(tok);
}

static void test_verification(void **state)
{
	client *c = client_new(&S);
	join(c, "mia_v", "mia.first@example.org");
	change_email(c, "Mia", "mia@example.org");
	char *m = wait_mail("mia@example.org", "verify your email", 0);
	assert_non_null(m);
	char *link = link_path(m, "/verify/");
	free(m);
	resp *r = http_get(c, link);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "verified"));
	r = http_get(c, link);
	assert_int_equal(r->status, 410);
	free(link);
	client_free(c);
}

/* A member whose address is not verified gets a confirmation link, not one-click updates:
 * changing to a stranger's address cannot sign the stranger up. */
static void test_unverified_member_confirms(void **state)
{
	client *c = client_new(&S);
	/* Joining proves the first address; a changed one is unverified until its link is used. */
	join(c, "noah_u", "noah.first@example.org");
	change_email(c, "Noah", "noah@example.org");
	resp *r = post_on(c, "/asthma", "/asthma/subscribe", "mode", "immediate", NULL, NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(c, r);
	assert_true(has(r, "not verified yet"));
	assert_true(has(r, "open it to start these emails"));
	char *m = wait_mail("noah@example.org", "Subject: Please confirm", 0);
	assert_non_null(m);
	char *confirm = link_path(m, "/subscriptions/");
	free(m);
	guest_ask(&S, "asthma", "Asked before Noah confirmed his address");
	sleep(2);
	assert_int_equal(mails("noah@example.org", "New question in Asthma", 0, NULL), 0);
	r = http_post(c, confirm, "");
	assert_true(has(r, "You are subscribed"));
	r = http_get(c, "/asthma");
	assert_true(has(r, "You get these emails"));
	guest_ask(&S, "asthma", "Asked after Noah confirmed his address");
	m = wait_mail("noah@example.org", "New question in Asthma", 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "Asked after Noah confirmed"));
	free(m);
	free(confirm);
	client_free(c);
}

/* ---- a second server whose mail is delivered by separate `carecircle worker` runs ---- */

static srv W;

static int worker_with(const char *smtp, const char *fault)
{
	char args[1024];
	snprintf(args, sizeof args, "worker --once %s --mail-lease=1 --digest-interval=0", smtp);
	if (fault)
		setenv("CARECIRCLE_MAIL_FAULT", fault, 1);
	int rc = srv_cmd(&W, args, NULL);
	unsetenv("CARECIRCLE_MAIL_FAULT");
	return rc;
}

static int worker_once(const char *fault)
{
	return worker_with(smtp_flag, fault);
}

static void test_digest_groups_questions(void **state)
{
	assert_int_equal(srv_start(&W, "--mail-worker=false"), 0);
	assert_int_equal(srv_demo(&W), 0);
	client *a = client_new(&W);
	assert_int_equal(login_as(a, "aisha_k", "demo-password-1"), 0);
	resp *r = post_on(a, "/asthma", "/asthma/subscribe", "mode", "daily", NULL, NULL);
	assert_int_equal(r->status, 303);
	guest_ask(&W, "asthma", "Digest one: wheezing after a cold every winter");
	guest_ask(&W, "asthma", "Digest two: is a peak flow meter worth buying");
	assert_int_equal(worker_once(NULL), 0);
	char *m = wait_mail("aisha@example.org", "Subject: Asthma: 2 new questions", 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "Digest one: wheezing after a cold every winter"));
	assert_non_null(strstr(m, "Digest two: is a peak flow meter worth buying"));
	free(m);
	/* Nothing new: no second digest. */
	assert_int_equal(worker_once(NULL), 0);
	assert_int_equal(mails("aisha@example.org", NULL, 0, NULL), 1);
	/* Each question only once: a third one makes a digest of one. */
	guest_ask(&W, "asthma", "Digest three: cold air and running outdoors");
	sleep(1);
	assert_int_equal(worker_once(NULL), 0);
	m = wait_mail("aisha@example.org", "Subject: Asthma: 1 new question", 0);
	assert_non_null(m);
	assert_null(strstr(m, "Digest one"));
	free(m);
	client_free(a);
}

static void newsletter_signup(const char *email)
{
	client *g = client_new(&W);
	resp *r = post_on(g, "/", "/newsletter", "email", email, NULL, NULL);
	assert_int_equal(r->status, 200);
	client_free(g);
}

static char *message_id(const char *m)
{
	const char *p = strstr(m, "Message-ID: ");
	return p ? strndup(p, strcspn(p, "\n")) : NULL;
}

static void test_killed_worker_does_not_send_twice(void **state)
{
	/* Killed after claiming, before sending: the restarted worker sends it exactly once. */
	newsletter_signup("kill1@example.org");
	assert_int_equal(worker_once("kill-after-claim"), 128 + SIGKILL);
	assert_int_equal(mails("kill1@example.org", NULL, 0, NULL), 0);
	sleep(2); /* the lease (1 s here) runs out */
	assert_int_equal(worker_once(NULL), 0);
	char *m = wait_mail("kill1@example.org", "Please confirm", 0);
	assert_non_null(m);
	free(m);
	assert_int_equal(worker_once(NULL), 0);
	sleep(1);
	assert_int_equal(mails("kill1@example.org", NULL, 0, NULL), 1);

	/* Killed after the server accepted it, before confirming: no duplicate on restart beyond
	 * the one documented resend of the message in flight, with the same Message-ID. */
	newsletter_signup("kill2@example.org");
	assert_int_equal(worker_once("kill-after-send"), 128 + SIGKILL);
	assert_int_equal(mails("kill2@example.org", NULL, 0, NULL), 1);
	sleep(2);
	assert_int_equal(worker_once(NULL), 0);
	assert_int_equal(worker_once(NULL), 0);
	sleep(1);
	int n = mails("kill2@example.org", NULL, 0, NULL);
	assert_true(n == 2);
	char *m1 = NULL, *m2 = NULL;
	mails("kill2@example.org", NULL, 0, &m1);
	mails("kill2@example.org", NULL, 1, &m2);
	char *id1 = message_id(m1), *id2 = message_id(m2);
	assert_string_equal(id1, id2);
	free(id1);
	free(id2);
	free(m1);
	free(m2);

	/* Interrupted twice in flight: never a third try; kept as failed for admins. */
	newsletter_signup("kill3@example.org");
	assert_int_equal(worker_once("kill-after-send"), 128 + SIGKILL);
	sleep(2);
	assert_int_equal(worker_once("kill-after-send"), 128 + SIGKILL);
	sleep(2);
	assert_int_equal(worker_once(NULL), 0);
	sleep(1);
	assert_int_equal(mails("kill3@example.org", NULL, 0, NULL), 2);
	client *admin = client_new(&W);
	assert_int_equal(login_as(admin, "admin", "demo-password-1"), 0);
	resp *r = http_get(admin, "/admin/mail");
	assert_true(has(r, "kill3@example.org"));
	assert_true(has(r, "interrupted twice"));
	client_free(admin);
}

/* Several workers on one database: every message goes out once. */
static void test_workers_in_parallel(void **state)
{
	enum { N = 40 };
	char addr[64];
	for (int i = 0; i < N; i++) {
		snprintf(addr, sizeof addr, "par%02d@example.org", i);
		newsletter_signup(addr);
	}
	pid_t kids[3];
	for (int k = 0; k < 3; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char args[300];
			snprintf(args, sizeof args, "worker --once %s --mail-lease=60", smtp_flag);
			_exit(srv_cmd(&W, args, NULL));
		}
	}
	for (int k = 0; k < 3; k++) {
		int st;
		waitpid(kids[k], &st, 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(addr, sizeof addr, "par%02d@example.org", i);
		char *m = wait_mail(addr, "Please confirm", 0);
		assert_non_null(m);
		free(m);
	}
	sleep(1);
	for (int i = 0; i < N; i++) {
		snprintf(addr, sizeof addr, "par%02d@example.org", i);
		assert_int_equal(mails(addr, NULL, 0, NULL), 1);
	}
}

/* SMTP AUTH from the URL's credentials; a refused login or missing TLS is a configuration
 * problem: the message waits (shown to admins) instead of being dropped. */
static void test_smtp_auth_and_tls(void **state)
{
	mail_sink k;
	assert_int_equal(mail_sink_start(&k, "mailer:s3cret-pass", NULL, NULL, NULL), 0);
	char good[300], bad[300], tls[300];
	snprintf(good, sizeof good, "--smtp-url=smtp://mailer:s3cret-pass@127.0.0.1:%d", k.port);
	snprintf(bad, sizeof bad, "--smtp-url=smtp://mailer:wrong@127.0.0.1:%d", k.port);
	snprintf(tls, sizeof tls, "%s --smtp-require-tls", smtp_flag);
	newsletter_signup("auth1@example.org");
	assert_int_equal(worker_with(good, NULL), 0);
	cur_dir = k.dir;
	char *m = wait_mail("auth1@example.org", "Please confirm", 0);
	assert_non_null(m);
	free(m);
	newsletter_signup("auth2@example.org");
	assert_int_equal(worker_with(bad, NULL), 0);
	sleep(1);
	assert_int_equal(mails("auth2@example.org", NULL, 0, NULL), 0);
	cur_dir = main_sink.dir;
	newsletter_signup("tls1@example.org");
	assert_int_equal(worker_with(tls, NULL), 0);
	sleep(1);
	assert_int_equal(mails("tls1@example.org", NULL, 0, NULL), 0);
	client *admin = client_new(&W);
	assert_int_equal(login_as(admin, "admin", "demo-password-1"), 0);
	resp *r = http_get(admin, "/admin/mail");
	const char *retry = strstr(r->body, "Waiting to retry");
	assert_non_null(retry);
	assert_non_null(strstr(retry, "auth2@example.org"));
	assert_non_null(strstr(retry, "tls1@example.org"));
	client_free(admin);
	mail_sink_stop(&k);

	/* STARTTLS: a server that demands it, with a certificate we trust through
	 * --smtp-ca-file; without that file the certificate is refused and the mail waits. */
	char certdir[] = "/tmp/carecircle-cert.XXXXXX";
	assert_non_null(mkdtemp(certdir));
	char cmd[1200], cert[300], keyf[300];
	snprintf(cert, sizeof cert, "%s/cert.pem", certdir);
	snprintf(keyf, sizeof keyf, "%s/key.pem", certdir);
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
	         "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1",
	         keyf, cert);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mail_sink_start(&k, NULL, cert, keyf, NULL), 0);
	char trusted[600], untrusted[300];
	snprintf(trusted, sizeof trusted, "--smtp-url=smtp://127.0.0.1:%d --smtp-require-tls --smtp-ca-file=%s", k.port, cert);
	snprintf(untrusted, sizeof untrusted, "--smtp-url=smtp://127.0.0.1:%d", k.port);
	newsletter_signup("tls2@example.org");
	assert_int_equal(worker_with(untrusted, NULL), 0);
	cur_dir = k.dir;
	sleep(1);
	assert_int_equal(mails("tls2@example.org", NULL, 0, NULL), 0);
	newsletter_signup("tls3@example.org");
	assert_int_equal(worker_with(trusted, NULL), 0);
	m = wait_mail("tls3@example.org", "Please confirm", 0);
	assert_non_null(m);
	free(m);
	cur_dir = main_sink.dir;
	mail_sink_stop(&k);

	/* smtps://: TLS from the first byte. */
	assert_int_equal(mail_sink_start(&k, NULL, cert, keyf, "implicit"), 0);
	snprintf(trusted, sizeof trusted, "--smtp-url=smtps://127.0.0.1:%d --smtp-ca-file=%s", k.port, cert);
	newsletter_signup("tls4@example.org");
	assert_int_equal(worker_with(trusted, NULL), 0);
	cur_dir = k.dir;
	m = wait_mail("tls4@example.org", "Please confirm", 0);
	assert_non_null(m);
	free(m);
	cur_dir = main_sink.dir;
	mail_sink_stop(&k);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", certdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(srv_stop(&W), 0);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_question_updates),
		cmocka_unit_test(test_confirmation_throttle),
		cmocka_unit_test(test_member_topic_updates),
		cmocka_unit_test(test_newsletter),
		cmocka_unit_test(test_password_reset),
		cmocka_unit_test(test_verification),
		cmocka_unit_test(test_unverified_member_confirms),
		cmocka_unit_test(test_digest_groups_questions),
		cmocka_unit_test(test_killed_worker_does_not_send_twice),
		cmocka_unit_test(test_workers_in_parallel),
		cmocka_unit_test(test_smtp_auth_and_tls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
