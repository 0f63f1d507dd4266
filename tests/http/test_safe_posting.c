/* test_safe_posting.c: safe posting over real HTTP: the CAPTCHA (right, wrong, reused, text
 * alternative, image), honeypot, fill time, floods, spam held for moderators, hiding and the
 * audit log, crisis help, personal details, reports, locks, suspensions, merges, scraping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gd.h>

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

/* Opens the ask form of topic and posts a question with a solved CAPTCHA; returns the response. */
static resp *ask(client *c, const srv *s, const char *topic, const char *title, const char *body,
                 const char *extra_k, const char *extra_v)
{
	char path[128];
	snprintf(path, sizeof path, "/%s/ask", topic);
	resp *r = http_get(c, path);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(s, r, &ct, &ca);
	char *f = form("csrf", tok, "title", title, "body", body, "captcha_token", ct, "captcha_answer", ca,
	               "action", "post", extra_k ? extra_k : "x", extra_v ? extra_v : "", NULL);
	r = http_post(c, path, f);
	free(tok);
	free(ct);
	free(ca);
	free(f);
	return r;
}

static long id_after(const char *s, const char *marker)
{
	const char *p = s ? strstr(s, marker) : NULL;
	return p ? strtol(p + strlen(marker), NULL, 10) : 0;
}

static void test_captcha_right_wrong_reused(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/migraine/ask");
	char *tok = csrf_of(r);
	char *ct = captcha_token_of(r);
	assert_non_null(ct);
	assert_true(has(r, "Enter the characters shown in the image"));
	assert_true(has(r, "Cannot read the image?"));
	assert_true(has(r, "New image"));

	/* The image is a PNG under the token, not cached; a tampered token gets none. */
	char ipath[160];
	snprintf(ipath, sizeof ipath, "/captcha/%s.png", ct);
	assert_true(has(r, ipath));
	resp *img = http_get(c, ipath);
	assert_int_equal(img->status, 200);
	assert_true(img->len > 1000);
	assert_memory_equal(img->body, "\x89PNG", 4);
	char *cc = header_of(img, "Cache-Control");
	assert_string_equal(cc, "no-store");
	free(cc);
	char *bad = strdup(ipath);
	bad[12] = bad[12] == 'A' ? 'B' : 'A';
	assert_int_equal(http_get(c, bad)->status, 404);
	free(bad);

	/* A wrong answer: refused, text kept, a fresh image. */
	r = http_get(c, "/migraine/ask");
	free(tok);
	free(ct);
	tok = csrf_of(r);
	ct = captcha_token_of(r);
	char *f = form("csrf", tok, "title", "Do auras always come before the headache?", "body",
	               "Sometimes I see zigzag lines first and sometimes nothing at all.", "captcha_token", ct,
	               "captcha_answer", "WRONG", "action", "post", NULL);
	r = http_post(c, "/migraine/ask", f);
	free(f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "did not match the image"));
	assert_true(has(r, "value=\"Do auras always come before the headache?\""));
	assert_true(has(r, "Sometimes I see zigzag lines first and sometimes nothing at all.</textarea>"));
	char *fresh = captcha_token_of(r);
	assert_non_null(fresh);
	assert_string_not_equal(fresh, ct);
	/* The used token cannot be tried again, even with the right answer. */
	char *right = captcha_answer_for(S.secret, ct);
	free(tok);
	tok = csrf_of(r);
	f = form("csrf", tok, "title", "Do auras always come before the headache?", "body",
	         "Sometimes I see zigzag lines first and sometimes nothing at all.", "captcha_token", ct,
	         "captcha_answer", right, "action", "post", NULL);
	r = http_post(c, "/migraine/ask", f);
	free(f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "already used"));
	free(right);
	free(ct);

	/* The fresh image, solved: posted. Reusing that token afterwards is refused. */
	right = captcha_answer_for(S.secret, fresh);
	free(tok);
	tok = csrf_of(r);
	f = form("csrf", tok, "title", "Do auras always come before the headache?", "body",
	         "Sometimes I see zigzag lines first and sometimes nothing at all.", "captcha_token", fresh,
	         "captcha_answer", right, "action", "post", NULL);
	r = http_post(c, "/migraine/ask", f);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/migraine/questions/"));
	r = http_post(c, "/migraine/ask", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "already used"));
	free(f);
	free(right);
	free(fresh);

	/* The text alternative, answered in digits, works too. */
	r = http_get(c, "/migraine/ask");
	free(tok);
	tok = csrf_of(r);
	ct = captcha_token_of(r);
	char *num = captcha_text_answer_for(S.secret, ct);
	f = form("csrf", tok, "title", "Which foods do you keep a diary of?", "body",
	         "I am starting a headache diary and wonder what to track.", "captcha_token", ct, "captcha_answer",
	         num, "action", "post", NULL);
	r = http_post(c, "/migraine/ask", f);
	assert_int_equal(r->status, 303);
	free(f);
	free(num);
	free(ct);

	/* No answer at all. */
	r = http_get(c, "/migraine/ask");
	free(tok);
	tok = csrf_of(r);
	f = form("csrf", tok, "title", "A question with no challenge solved", "body",
	         "This should not be accepted without the challenge.", "action", "post", NULL);
	r = http_post(c, "/migraine/ask", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Enter the characters shown in the image"));
	free(f);
	free(tok);
	client_free(c);
}

static void test_register_and_answer_need_captcha(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/register");
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "username", "no_captcha", "email", "nc@example.org", "password",
	               "a long enough password", NULL);
	r = http_post(c, "/register", f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Enter the characters shown in the image"));
	assert_true(has(r, "value=\"nc@example.org\""));
	free(f);
	free(tok);

	/* A guest answer without the challenge is refused, with the text kept. */
	r = http_get(c, "/hemifacial-spasm");
	const char *q = strstr(r->body, "/hemifacial-spasm/questions/");
	assert_non_null(q);
	char *qurl = strndup(q, strcspn(q, "\"#"));
	r = http_get(c, qurl);
	assert_int_equal(r->status, 200);
	tok = csrf_of(r);
	char apath[160];
	snprintf(apath, sizeof apath, "/hemifacial-spasm/questions/%ld/answers", id_after(qurl, "/questions/"));
	f = form("csrf", tok, "body", "An answer from a robot, perhaps.", NULL);
	r = http_post(c, apath, f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "An answer from a robot, perhaps.</textarea>"));
	char *again = captcha_token_of(r);
	assert_non_null(again);
	free(again);
	free(f);
	free(tok);
	free(qurl);

	/* A guide is trusted: no challenge on the forms. */
	client *g = client_new(&S);
	assert_int_equal(login_as(g, "helen_writes", "demo-password-1"), 0);
	r = http_get(g, "/migraine/ask");
	assert_null(captcha_token_of(r));
	assert_false(has(r, "Enter the characters shown in the image"));
	client_free(g);
	client_free(c);
}

static void test_honeypot(void **state)
{
	client *c = client_new(&S);
	resp *r = ask(c, &S, "migraine", "Is this from a bot filling every field?",
	              "A body long enough to pass the length checks here.", "website", "http://spam.example");
	assert_int_equal(r->status, 422);
	assert_true(has(r, "could not be accepted"));
	assert_true(has(r, "A body long enough to pass the length checks here.</textarea>"));
	client_free(c);
}

static void test_spam_held_hidden_logged(void **state)
{
	/* A member posts spam: held, not public, in the queue. */
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "greg_w", "demo-password-1"), 0);
	resp *r = ask(c, &S, "hypertension", "Miracle cure for blood pressure found",
	              "This miracle cure lowers pressure in days. Buy now while stocks last!", NULL, NULL);
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/hypertension");
	r = http_follow(c, r);
	assert_true(has(r, "waiting for a moderator"));
	assert_false(has(r, "Miracle cure for blood pressure found"));
	client *g = client_new(&S);
	r = http_get(g, "/search?q=miracle");
	assert_false(has(r, "Miracle cure for blood pressure found"));

	/* Members cannot open the queue; a moderator can, and sees why. */
	assert_int_equal(http_get(c, "/mod")->status, 403);
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", "demo-password-1"), 0);
	r = http_get(m, "/mod");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Miracle cure for blood pressure found"));
	assert_true(has(r, "blocked phrase"));
	assert_true(has(r, "Approve and publish"));
	const char *p = strstr(r->body, "id=\"question-");
	assert_non_null(p);
	long qid = 0;
	/* Find the held question's id in the queue. */
	for (const char *s = r->body; (s = strstr(s, "id=\"question-")) != NULL; s++) {
		const char *h2 = strstr(s, "<h2>");
		if (h2 && strncmp(h2, "<h2>Miracle cure", 16) == 0) {
			qid = strtol(s + strlen("id=\"question-"), NULL, 10);
			break;
		}
	}
	assert_true(qid > 0);

	/* Hiding needs a reason. */
	r = mod_act(m, "question", qid, "hide", "", NULL);
	assert_int_equal(r->status, 422);
	r = mod_act(m, "question", qid, "hide", "Advertising a product; not allowed here", NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(m, r);
	assert_true(has(r, "The action is in the moderation log"));
	assert_false(has(r, "Miracle cure for blood pressure found"));
	r = http_get(m, "/mod/log");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "priya"));
	assert_true(has(r, ">hide<"));
	assert_true(has(r, "Advertising a product; not allowed here"));
	assert_true(has(r, "greg_w"));
	assert_int_equal(http_get(c, "/mod/log")->status, 403);

	/* The author sees the reason. */
	r = http_get(c, "/account/posts");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Hidden by a moderator"));
	assert_true(has(r, "Advertising a product; not allowed here"));

	/* Restore publishes it (the topic lists it), and that is logged too. */
	r = mod_act(m, "question", qid, "restore", "Reviewed again", NULL);
	assert_int_equal(r->status, 303);
	r = http_get(g, "/hypertension");
	assert_true(has(r, "Miracle cure for blood pressure found"));
	r = mod_act(m, "question", qid, "delete", "Spam after all", NULL);
	assert_int_equal(r->status, 303);
	r = http_get(g, "/hypertension");
	assert_false(has(r, "Miracle cure for blood pressure found"));
	r = http_get(m, "/mod/log");
	assert_true(has(r, ">restore<"));
	assert_true(has(r, ">delete<"));
	client_free(g);
	client_free(m);
	client_free(c);
}

static void test_crisis_shows_resources(void **state)
{
	client *c = client_new(&S);
	resp *r = ask(c, &S, "migraine", "The pain is too much and I want to end my life",
	              "I have had a migraine for nine days and I feel I want to die.", NULL, NULL);
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/help/urgent?next="));
	r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Help is available now"));
	assert_true(has(r, "Emergency services"));
	assert_true(has(r, "Call 112"));
	assert_true(has(r, "continue to it"));
	/* Still published. */
	const char *next = strstr(r->body, "href=\"/migraine/questions/");
	assert_non_null(next);
	char *qurl = strndup(next + 6, strcspn(next + 6, "\""));
	r = http_get(c, qurl);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "I want to end my life"));
	free(qurl);
	/* First in the moderators' queue, marked. */
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", "demo-password-1"), 0);
	r = http_get(m, "/mod");
	const char *crisis = strstr(r->body, "Crisis language");
	assert_non_null(crisis);
	const char *first = strstr(r->body, "class=\"post card mod-item");
	assert_non_null(first);
	assert_non_null(strstr(first, "is-crisis"));
	assert_true(strstr(first, "is-crisis") < strstr(first, "</article>"));
	client_free(m);
	client_free(c);
}

static void test_personal_details_confirm(void **state)
{
	client *c = client_new(&S);
	resp *r = ask(c, &S, "type-2-diabetes", "Anyone near Leeds for a walking group?",
	              "Email me at walker@example.org or call 0113 496 0000 to join.", NULL, NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "an email address and a phone number"));
	assert_true(has(r, "name=\"pii_ok\""));
	assert_true(has(r, "Email me at walker@example.org or call 0113 496 0000 to join.</textarea>"));
	/* Confirmed: posted as it is. */
	r = ask(c, &S, "type-2-diabetes", "Anyone near Leeds for a walking group?",
	        "Email me at walker@example.org or call 0113 496 0000 to join.", "pii_ok", "1");
	assert_int_equal(r->status, 303);
	assert_non_null(strstr(r->location, "/type-2-diabetes/questions/"));
	client_free(c);
}

static void test_flag_lock_merge_suspend(void **state)
{
	/* Two questions from a member: one will be merged into the other. */
	client *u = client_new(&S);
	assert_int_equal(login_as(u, "lina_p", "demo-password-1"), 0);
	resp *r = ask(u, &S, "migraine", "Does caffeine help a migraine or make it worse?",
	              "Coffee seems to help me early on but I am not sure it is wise.", NULL, NULL);
	assert_int_equal(r->status, 303);
	long target = id_after(r->location, "/questions/");
	r = ask(u, &S, "migraine", "Is coffee good or bad for migraines?",
	        "I drink two cups a day and wonder if it causes my attacks.", NULL, NULL);
	assert_int_equal(r->status, 303);
	long dup = id_after(r->location, "/questions/");
	assert_true(target > 0 && dup > 0);

	/* A guest reports it as misinformation. */
	client *g = client_new(&S);
	char path[160];
	snprintf(path, sizeof path, "/migraine/questions/%ld/flag", dup);
	r = http_get(g, path);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Medical misinformation"));
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "note", "Says coffee cures it", NULL);
	r = http_post(g, path, f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Choose what the problem is"));
	assert_true(has(r, "Says coffee cures it</textarea>"));
	free(f);
	f = form("csrf", tok, "reason", "misinformation", "note", "Says coffee cures it", NULL);
	r = http_post(g, path, f);
	assert_int_equal(r->status, 303);
	r = http_follow(g, r);
	assert_true(has(r, "Thank you for the report"));
	free(f);
	free(tok);

	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", "demo-password-1"), 0);
	r = http_get(m, "/mod");
	assert_true(has(r, "Is coffee good or bad for migraines?"));
	assert_true(has(r, "Medical misinformation (Says coffee cures it)"));

	/* Merge the duplicate: its address now leads to the target. */
	char ts[32];
	snprintf(ts, sizeof ts, "%ld", target);
	r = mod_act(m, "question", dup, "merge", "Same question", ts);
	assert_int_equal(r->status, 303);
	snprintf(path, sizeof path, "/migraine/questions/%ld", dup);
	r = http_get(g, path);
	assert_int_equal(r->status, 301);
	snprintf(path, sizeof path, "/migraine/questions/%ld", target);
	assert_string_equal(r->location, path);

	/* Lock the target: no answer form, and answers are refused. */
	r = mod_act(m, "question", target, "lock", "Heated thread", NULL);
	assert_int_equal(r->status, 303);
	r = http_follow(g, http_get(g, path));
	assert_int_equal(r->status, 200);
	assert_true(has(r, "locked this question"));
	assert_false(has(r, "Post your answer"));
	tok = csrf_of(r);
	char apath[160];
	snprintf(apath, sizeof apath, "/migraine/questions/%ld/answers", target);
	f = form("csrf", tok, "body", "One more answer after the lock.", NULL);
	r = http_post(g, apath, f);
	assert_int_equal(r->status, 403);
	free(f);
	free(tok);

	/* Suspend the author: their session ends and they cannot log in. */
	r = mod_act(m, "question", target, "suspend", "Repeated advertising", NULL);
	assert_int_equal(r->status, 303);
	assert_int_equal(http_get(u, "/account")->status, 303);
	assert_int_not_equal(login_as(u, "lina_p", "demo-password-1"), 0);
	r = http_get(m, "/mod/log");
	assert_true(has(r, ">merge<"));
	assert_true(has(r, ">lock<"));
	assert_true(has(r, ">suspend<"));
	assert_true(has(r, "Repeated advertising"));
	client_free(m);
	client_free(g);
	client_free(u);
}


static void test_edit_into_spam_is_held(void **state)
{
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "tom_h", "demo-password-1"), 0);
	resp *r = ask(c, &S, "hypertension", "How often should I check my blood pressure?",
	              "My nurse suggested a home monitor. Morning or evening readings?", NULL, NULL);
	assert_int_equal(r->status, 303);
	char *qurl = strdup(r->location);
	long qid = id_after(qurl, "/questions/");
	char epath[128];
	snprintf(epath, sizeof epath, "/hypertension/questions/%ld/edit", qid);
	r = http_get(c, epath);
	char *tok = csrf_of(r);
	/* Personal details in an edit are asked about too. */
	char *f = form("csrf", tok, "title", "How often should I check my blood pressure?", "body",
	               "Text me on 07700 900123 about it.", "note", "", NULL);
	r = http_post(c, epath, f);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "a phone number"));
	assert_true(has(r, "Text me on 07700 900123 about it.</textarea>"));
	free(f);
	/* Turned into an advert: out of view until a moderator looks. */
	f = form("csrf", tok, "title", "How often should I check my blood pressure?", "body",
	         "Forget the monitor: this miracle cure fixes it. Order now!", "note", "update", NULL);
	r = http_post(c, epath, f);
	assert_int_equal(r->status, 303);
	r = http_follow(c, r);
	assert_true(has(r, "waiting for a moderator"));
	client *g = client_new(&S);
	assert_int_equal(http_get(g, qurl)->status, 404);
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", "demo-password-1"), 0);
	r = http_get(m, "/mod");
	assert_true(has(r, "after an edit: spam score"));
	/* Approved: public again. */
	r = mod_act(m, "question", qid, "approve", "", NULL);
	assert_int_equal(r->status, 303);
	assert_int_equal(http_get(g, qurl)->status, 200);
	/* A moderator edits it with a note: the log shows it. */
	char *mtok = csrf_of(http_get(m, epath));
	char *mf = form("csrf", mtok, "title", "How often should I check my blood pressure?", "body",
	                "Advert removed by the moderators.", "note", "removed an advert", NULL);
	r = http_post(m, epath, mf);
	assert_int_equal(r->status, 303);
	r = http_get(m, "/mod/log");
	assert_true(has(r, ">edit<"));
	assert_true(has(r, "removed an advert"));
	free(mtok);
	free(mf);

	/* The same text posted twice: the second waits for a moderator. */
	char apath[128];
	snprintf(apath, sizeof apath, "/hypertension/questions/%ld/answers", qid);
	for (int i = 0; i < 2; i++) {
		r = http_get(c, qurl);
		char *at = csrf_of(r), *ct, *ca;
		captcha_solve(&S, r, &ct, &ca);
		char *af = form("csrf", at, "body", "Morning and evening, same time each day, seated and rested first.",
		                "captcha_token", ct, "captcha_answer", ca, NULL);
		r = http_post(c, apath, af);
		assert_int_equal(r->status, 303);
		if (i == 0)
			assert_non_null(strstr(r->location, "#answer-"));
		else
			assert_null(strstr(r->location, "#answer-"));
		free(at);
		free(ct);
		free(ca);
		free(af);
	}
	r = http_follow(c, r);
	assert_true(has(r, "waiting for a moderator"));
	free(f);
	free(tok);
	free(qurl);
	client_free(m);
	client_free(g);
	client_free(c);
}

/* ---- multipart bodies with files ---- */

typedef struct mp {
	char *p;
	size_t n, cap;
} mp;

static const char MPB[] = "----ccSafetyBoundary42";

static void mp_raw(mp *m, const void *d, size_t n)
{
	if (m->n + n + 1 > m->cap) {
		m->cap = (m->n + n + 1) * 2;
		m->p = realloc(m->p, m->cap);
	}
	memcpy(m->p + m->n, d, n);
	m->n += n;
}

static void mp_field(mp *m, const char *k, const char *v)
{
	char h[256];
	int hl = snprintf(h, sizeof h, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", MPB, k);
	mp_raw(m, h, (size_t)hl);
	mp_raw(m, v, strlen(v));
	mp_raw(m, "\r\n", 2);
}

static void mp_file(mp *m, const char *k, const char *filename, const char *ctype, const void *d, size_t n)
{
	char h[400];
	int hl = snprintf(h, sizeof h,
	                  "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
	                  MPB, k, filename, ctype);
	mp_raw(m, h, (size_t)hl);
	mp_raw(m, d, n);
	mp_raw(m, "\r\n", 2);
}

static resp *mp_post(client *c, const char *path, mp *m)
{
	char end[64];
	int el = snprintf(end, sizeof end, "--%s--\r\n", MPB);
	mp_raw(m, end, (size_t)el);
	char ct[128];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", MPB);
	resp *r = http_request(c, "POST", path, ct, m->p, m->n, NULL);
	free(m->p);
	*m = (mp){0};
	return r;
}

/* A small JPEG photo with an EXIF block carrying a made-up GPS note, as phones write. */
static unsigned char *jpeg_with_exif(size_t *len)
{
	gdImagePtr im = gdImageCreateTrueColor(120, 80);
	gdImageFilledRectangle(im, 0, 0, 119, 79, gdTrueColorAlpha(200, 80, 60, 0));
	gdImageFilledEllipse(im, 60, 40, 50, 30, gdTrueColorAlpha(40, 90, 200, 0));
	int n = 0;
	unsigned char *j = gdImageJpegPtr(im, &n, 90);
	gdImageDestroy(im);
	static const char exif[] = "Exif\0\0GPS 51.5007N 0.1246W SECRET-LOCATION-MARKER";
	size_t el = sizeof exif - 1;
	unsigned char *out = malloc((size_t)n + el + 4);
	out[0] = 0xFF;
	out[1] = 0xD8;
	out[2] = 0xFF;
	out[3] = 0xE1; /* APP1 */
	out[4] = (unsigned char)((el + 2) >> 8);
	out[5] = (unsigned char)((el + 2) & 0xFF);
	memcpy(out + 6, exif, el);
	memcpy(out + 6 + el, j + 2, (size_t)n - 2);
	*len = (size_t)n + el + 4;
	gdFree(j);
	return out;
}

/* A PNG with an HTML page glued to its end: two formats in one file. */
static unsigned char *png_polyglot(size_t *len)
{
	gdImagePtr im = gdImageCreateTrueColor(40, 40);
	gdImageFilledRectangle(im, 0, 0, 39, 39, gdTrueColorAlpha(20, 160, 90, 0));
	int n = 0;
	unsigned char *p = gdImagePngPtr(im, &n);
	gdImageDestroy(im);
	static const char html[] = "<html><script>alert('polyglot')</script></html>";
	unsigned char *out = malloc((size_t)n + sizeof html);
	memcpy(out, p, (size_t)n);
	memcpy(out + n, html, sizeof html - 1);
	*len = (size_t)n + sizeof html - 1;
	gdFree(p);
	return out;
}

static bool mem_has(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static void test_images(void **state)
{
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "bernard", "demo-password-1"), 0);
	resp *r = http_get(c, "/hemifacial-spasm/ask");
	assert_true(has(r, "enctype=\"multipart/form-data\""));
	assert_true(has(r, "name=\"image1\""));
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);

	/* A text file posing as an image is refused with a clear message; the text is kept, and the
	 * good image beside it is kept for the next try. */
	size_t jl, pl;
	unsigned char *jpg = jpeg_with_exif(&jl);
	unsigned char *png = png_polyglot(&pl);
	mp m = {0};
	mp_field(&m, "csrf", tok);
	mp_field(&m, "title", "Does this swelling look like the one you had?");
	mp_field(&m, "body", "Photo attached of my cheek this morning, it came on overnight.");
	mp_field(&m, "captcha_token", ct);
	mp_field(&m, "captcha_answer", ca);
	mp_field(&m, "action", "post");
	mp_file(&m, "image1", "cheek.jpg", "image/jpeg", jpg, jl);
	mp_field(&m, "alt1", "Left cheek, slightly swollen below the eye");
	mp_file(&m, "image2", "notes.png", "image/png", "just some text, not a picture", 29);
	mp_field(&m, "alt2", "My notes");
	r = mp_post(c, "/hemifacial-spasm/ask", &m);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "“notes.png” is not a JPEG, PNG or WebP image"));
	assert_true(has(r, "Photo attached of my cheek this morning, it came on overnight.</textarea>"));
	assert_true(has(r, "name=\"keep_image\""));
	assert_true(has(r, "Left cheek, slightly swollen below the eye"));
	const char *kv = strstr(r->body, "name=\"keep_image\" value=\"");
	char keep[32];
	snprintf(keep, sizeof keep, "%ld", strtol(kv + strlen("name=\"keep_image\" value=\""), NULL, 10));
	free(tok);
	free(ct);
	free(ca);

	/* Second try: the kept photo plus a PNG with HTML glued on; no description for it is refused. */
	tok = csrf_of(r);
	captcha_solve(&S, r, &ct, &ca);
	mp_field(&m, "csrf", tok);
	mp_field(&m, "title", "Does this swelling look like the one you had?");
	mp_field(&m, "body", "Photo attached of my cheek this morning, it came on overnight.");
	mp_field(&m, "captcha_token", ct);
	mp_field(&m, "captcha_answer", ca);
	mp_field(&m, "action", "post");
	mp_field(&m, "keep_image", keep);
	mp_file(&m, "image1", "green.png", "image/png", png, pl);
	mp_field(&m, "alt1", "");
	r = mp_post(c, "/hemifacial-spasm/ask", &m);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Describe image 1"));
	free(tok);
	free(ct);
	free(ca);
	tok = csrf_of(r);
	captcha_solve(&S, r, &ct, &ca);
	mp_field(&m, "csrf", tok);
	mp_field(&m, "title", "Does this swelling look like the one you had?");
	mp_field(&m, "body", "Photo attached of my cheek this morning, it came on overnight.");
	mp_field(&m, "captcha_token", ct);
	mp_field(&m, "captcha_answer", ca);
	mp_field(&m, "action", "post");
	mp_field(&m, "keep_image", keep);
	mp_file(&m, "image1", "green.png", "image/png", png, pl);
	mp_field(&m, "alt1", "A plain green square");
	r = mp_post(c, "/hemifacial-spasm/ask", &m);
	assert_int_equal(r->status, 303);
	free(tok);
	free(ct);
	free(ca);

	/* Anyone sees both, with their descriptions. */
	client *g = client_new(&S);
	r = http_get(g, r->location);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "alt=\"Left cheek, slightly swollen below the eye\""));
	assert_true(has(r, "alt=\"A plain green square\""));
	const char *j = strstr(r->body, "<img src=\"/images/");
	assert_non_null(j);
	char *jurl = strndup(j + 10, strcspn(j + 10, "\""));
	const char *p2 = strstr(j + 10, "<img src=\"/images/");
	assert_non_null(p2);
	char *purl = strndup(p2 + 10, strcspn(p2 + 10, "\""));
	assert_non_null(strstr(jurl, ".jpg"));
	assert_non_null(strstr(purl, ".png"));

	/* Served re-encoded: no EXIF, nothing glued on, long cache, nosniff. */
	r = http_get(g, jurl);
	assert_int_equal(r->status, 200);
	assert_memory_equal(r->body, "\xFF\xD8\xFF", 3);
	assert_false(mem_has(r->body, r->len, "SECRET-LOCATION-MARKER"));
	assert_false(mem_has(r->body, r->len, "Exif"));
	char *h = header_of(r, "Content-Type");
	assert_string_equal(h, "image/jpeg");
	free(h);
	h = header_of(r, "Cache-Control");
	assert_non_null(strstr(h, "max-age=31536000"));
	free(h);
	h = header_of(r, "X-Content-Type-Options");
	assert_string_equal(h, "nosniff");
	free(h);
	r = http_get(g, purl);
	assert_int_equal(r->status, 200);
	assert_memory_equal(r->body, "\x89PNG", 4);
	assert_false(mem_has(r->body, r->len, "<script"));
	/* A wrong extension or a pending image of someone else is not served. */
	char *wrong = strdup(jurl);
	memcpy(strstr(wrong, ".jpg"), ".png", 4);
	assert_int_equal(http_get(g, wrong)->status, 404);
	free(wrong);
	free(jurl);
	free(purl);

	/* Guests cannot attach images. */
	r = http_get(g, "/hemifacial-spasm/ask");
	assert_false(has(r, "name=\"image1\""));

	/* Upload routes take more than --max-body-kb, but not without end. */
	size_t big = 22 * 1024 * 1024;
	char *blob = malloc(big);
	memset(blob, 'a', big);
	r = http_request(g, "POST", "/hemifacial-spasm/ask", "application/x-www-form-urlencoded", blob, big, NULL);
	assert_int_equal(r->status, 413);
	free(blob);
	free(jpg);
	free(png);
	client_free(g);
	client_free(c);
}

/* A second server with strict limits: flood, fill time, reading speed. */
static void test_flood_fill_time_scraping(void **state)
{
	srv T;
	/* A site's own word list replaces the built-in one. */
	char sdir[] = "/tmp/cc-safety-words-XXXXXX";
	assert_non_null(mkdtemp(sdir));
	char wpath[128], opts[300];
	snprintf(wpath, sizeof wpath, "%s/blocked_words.txt", sdir);
	FILE *wf = fopen(wpath, "w");
	assert_non_null(wf);
	fputs("# this site's list\nzebra stripes\n", wf);
	fclose(wf);
	snprintf(opts, sizeof opts,
	         "--min-fill-seconds=2 --rate-guest-posts=2 --rate-reads=15 --safety-locale=en-GB --safety-dir=%s "
	         "--hold-first-guest-posts --trusted-proxies=127.0.0.1",
	         sdir);
	assert_int_equal(srv_start(&T, opts), 0);
	assert_int_equal(srv_demo(&T), 0);
	client *c = client_new(&T);
	/* Sent at once: refused as too fast, text kept. */
	resp *r = ask(c, &T, "migraine", "A question sent far too quickly", "Typed in no time at all by a script.",
	              NULL, NULL);
	assert_int_equal(r->status, 422);
	assert_true(has(r, "very quickly"));
	assert_true(has(r, "Typed in no time at all by a script.</textarea>"));
	/* A person's pace: two posts pass, the third from the same address is limited. */
	char title[64];
	for (int i = 0; i < 3; i++) {
		resp *fr = http_get(c, "/migraine/ask");
		char *tok = csrf_of(fr), *ct, *ca;
		captcha_solve(&T, fr, &ct, &ca);
		sleep(2);
		snprintf(title, sizeof title, "Flood question number %d here", i + 1);
		char body[96];
		snprintf(body, sizeof body, "Question %d from the same address, each one different.", i + 1);
		char *f = form("csrf", tok, "title", title, "body", body,
		               "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
		r = http_post(c, "/migraine/ask", f);
		free(f);
		free(tok);
		free(ct);
		free(ca);
		if (i < 2)
			assert_int_equal(r->status, 303);
	}
	assert_int_equal(r->status, 429);
	assert_true(has(r, "as many as this site allows"));
	assert_true(has(r, "value=\"Flood question number 3 here\""));

	/* Another address (through the trusted proxy) has its own limit; with
	 * --hold-first-guest-posts its post waits for a moderator. */
	{
		const char *const xff[] = {"X-Forwarded-For: 203.0.113.7", NULL};
		resp *fr = http_request(c, "GET", "/migraine/ask", NULL, NULL, 0, xff);
		char *tok = csrf_of(fr), *ct, *ca;
		captcha_solve(&T, fr, &ct, &ca);
		sleep(2);
		char *f = form("csrf", tok, "title", "A guest from another address asks", "body",
		               "Does anyone else get migraines after long flights?", "captcha_token", ct,
		               "captcha_answer", ca, "action", "post", NULL);
		r = http_request(c, "POST", "/migraine/ask", "application/x-www-form-urlencoded", f, strlen(f), xff);
		assert_int_equal(r->status, 303);
		assert_string_equal(r->location, "/migraine");
		free(f);
		free(tok);
		free(ct);
		free(ca);
	}

	/* Reading posts too fast is slowed and reported to the moderation log. */
	r = http_get(c, "/migraine");
	const char *q = strstr(r->body, "/migraine/questions/");
	char *qurl = strndup(q, strcspn(q, "\"#"));
	int reads = 0;
	for (r = NULL; reads < 40 && (!r || r->status != 429); reads++)
		r = http_get(c, qurl);
	assert_int_equal(r->status, 429);
	assert_true(reads > 15);
	assert_true(has(r, "faster than a person reads"));
	char *ra = header_of(r, "Retry-After");
	assert_non_null(ra);
	free(ra);
	free(qurl);
	client *m = client_new(&T);
	assert_int_equal(login_as(m, "admin", "demo-password-1"), 0);
	r = http_get(m, "/mod/log");
	assert_true(has(r, ">scrape<"));
	assert_true(has(r, "slowed down"));
	client_free(m);

	/* The configured locale's resources; the site's word list holds a post. */
	client *z = client_new(&T);
	r = http_get(z, "/help/urgent");
	assert_true(has(r, "Samaritans"));
	assert_true(has(r, "116 123"));
	assert_false(has(r, "Poison Control"));
	assert_int_equal(login_as(z, "zoe_m", "demo-password-1"), 0);
	resp *fr = http_get(z, "/migraine/ask");
	char *tok = csrf_of(fr), *ct, *ca;
	captcha_solve(&T, fr, &ct, &ca);
	sleep(2);
	char *f = form("csrf", tok, "title", "Selling zebra stripes pattern glasses", "body",
	               "These zebra stripes glasses stop every migraine, trust me.", "captcha_token", ct,
	               "captcha_answer", ca, "action", "post", NULL);
	r = http_post(z, "/migraine/ask", f);
	assert_int_equal(r->status, 303);
	assert_string_equal(r->location, "/migraine");
	free(f);
	free(tok);
	free(ct);
	free(ca);
	client_free(z);
	client_free(c);
	assert_int_equal(srv_stop(&T), 0);
	unlink(wpath);
	rmdir(sdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captcha_right_wrong_reused),
		cmocka_unit_test(test_register_and_answer_need_captcha),
		cmocka_unit_test(test_honeypot),
		cmocka_unit_test(test_spam_held_hidden_logged),
		cmocka_unit_test(test_crisis_shows_resources),
		cmocka_unit_test(test_personal_details_confirm),
		cmocka_unit_test(test_flag_lock_merge_suspend),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_edit_into_spam_is_held),
		cmocka_unit_test(test_flood_fill_time_scraping),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
