/* engage.c: "Rate This", helpful answers and "Get Email Updates" on question and topic pages. */
#include "web/engage.h"
#include "web/safety.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "http/static.h"
#include "safety/ipkey.h"
#include "model/rating.h"
#include "model/subscription.h"
#include "model/topic.h"
#include "model/verify.h"
#include "mail/mail.h"
#include "web/pages.h"
#include "web/web.h"

struct engage_info {
	rating_sum *mine; /* the visitor's own ratings on the page (counts and sums come with the posts) */
	int nmine;
	int64_t *helpful;
	int nhelpful;
	bool asker, guide;
	tval *stars; /* the five stars with none chosen, shared by every post on the page */
};

/* ---- shared with email.c: who is rating, guest checks ---- */

/* The browser id of a guest rater: "<random>.<mac>" in the cc_rater cookie. NULL if absent
 * or forged; with create, a new one is made and set. */
static const char *guest_rater(req *r, bool create)
{
	const char *ck = req_cookie(r, "cc_rater");
	const char *dot = ck ? strchr(ck, '.') : NULL;
	if (dot && dot - ck == 22 && strlen(dot + 1) == 32) {
		char *id = arena_strndup(r->a, ck, 22);
		char *mac = util_mac_hex(r->a, APP(r)->key, "rater", id, 22, 16);
		if (util_eq(mac, dot + 1, 32))
			return id;
	}
	if (!create)
		return NULL;
	char *id = util_token(r->a, 16);
	char *mac = util_mac_hex(r->a, APP(r)->key, "rater", id, strlen(id), 16);
	res_cookie(r, "cc_rater", arena_printf(r->a, "%s.%s", id, mac), 365L * 86400,
	           APP(r)->cfg->secure_cookies || r->tls);
	return id;
}

static const char *voter_of(req *r, bool create)
{
	user *u = web_user(r);
	if (u)
		return arena_printf(r->a, "u:%lld", (long long)u->id);
	const char *g = guest_rater(r, create);
	return g ? arena_printf(r->a, "g:%s", g) : NULL;
}

/* ---- the question page ---- */

/* The visitor's stars on a post, 0 if none. */
static int64_t find_mine(const engage_info *ei, const char *type, int64_t id)
{
	for (int i = 0; i < ei->nmine; i++)
		if (ei->mine[i].post_id == id && strcmp(ei->mine[i].post_type, type) == 0)
			return ei->mine[i].mine;
	return 0;
}

static bool is_helpful(const engage_info *ei, int64_t id)
{
	for (int i = 0; i < ei->nhelpful; i++)
		if (ei->helpful[i] == id)
			return true;
	return false;
}

/* "★★★★☆" for an average of 4.2 */
static const char *stars_text(req *r, double avg)
{
	int full = (int)(avg + 0.5);
	buf b;
	buf_init(&b, r->a, 32, 64);
	for (int i = 1; i <= 5; i++)
		buf_puts(&b, i <= full ? "\xE2\x98\x85" : "\xE2\x98\x86");
	return b.p;
}

/* The five stars of a rating form, star `mine` chosen (0: none). */
static tval *stars_list(req *r, int64_t mine)
{
	static const char *const labels[] = {"", "1 star", "2 stars", "3 stars", "4 stars", "5 stars"};
	tval *l = tv_list(r->a);
	for (int i = 1; i <= 5; i++) {
		tval *it = tv_push(l);
		tv_int(it, "n", i);
		tv_bool(it, "checked", mine == i);
		tv_str(it, "label", labels[i]);
	}
	return l;
}

static void rating_ctx(req *r, engage_info *ei, tval *o, int64_t count, int64_t sum, int64_t mine,
                       const char *action, const char *idp, const char *what)
{
	tval *rt = tv_child(o, "rating");
	tv_str(rt, "action", action);
	tv_str(rt, "what", what);
	tv_str(rt, "idp", idp);
	if (count > 0) {
		double avg = (double)sum / (double)count;
		tv_int(rt, "count", count);
		tv_str(rt, "avg", arena_printf(r->a, "%.1f", avg));
		tv_str(rt, "count_label", util_plural(r->a, count, "rating", "ratings"));
		tv_str(rt, "stars_text", stars_text(r, avg));
	}
	if (mine)
		tv_int(rt, "mine", mine);
	/* Most posts are not rated by this visitor: they share one list of stars. */
	if (!mine && !ei->stars)
		ei->stars = stars_list(r, 0);
	tv_put(rt, "stars", mine ? stars_list(r, mine) : ei->stars);
}

static int rank(const engage_info *ei, const question *q, const answer *a)
{
	if (q->accepted_answer_id == a->id)
		return 0;
	return is_helpful(ei, a->id) ? 1 : 2;
}

engage_info *engage_question(req *r, dbc *c, const question *q, answer *ans, int n, tval *ctx, tval *qo)
{
	engage_info *ei = ARENA_NEW(r->a, engage_info);
	user *u = web_user(r);
	ei->asker = u && q->by.user_id == u->id;
	ei->guide = web_role(r, ROLE_GUIDE);
	/* Counts and sums come with the posts; only a visitor who may have rated is looked up. */
	const char *voter = voter_of(r, false);
	int rc = voter ? rating_mine_for_question(c, r->a, q->id, voter, &ei->mine) : 0;
	ei->nmine = rc > 0 ? rc : 0;
	rc = helpful_list(c, r->a, q->id, &ei->helpful);
	ei->nhelpful = rc > 0 ? rc : 0;
	/* Helpful and accepted answers first, then the rest; each group oldest first. */
	for (int i = 1; i < n; i++) {
		answer x = ans[i];
		int k = rank(ei, q, &x), j = i;
		while (j > 0 && rank(ei, q, &ans[j - 1]) > k) {
			ans[j] = ans[j - 1];
			j--;
		}
		ans[j] = x;
	}
	char *base = arena_printf(r->a, "/%s/questions/%lld", q->topic_slug, (long long)q->id);
	rating_ctx(r, ei, qo, q->rating_count, q->rating_sum, find_mine(ei, "question", q->id),
	           arena_printf(r->a, "%s/rate", base), "q", "question");

	tval *sb = tv_child(ctx, "updates");
	tv_str(sb, "action", arena_printf(r->a, "%s/subscribe", base));
	if (u) {
		bool ok = false;
		int64_t sid = sub_of_user(c, u->id, "question", q->id, &ok);
		tv_bool(sb, "subscribed", sid > 0);
		tv_bool(sb, "pending", sid > 0 && !ok);
	}
	return ei;
}

void engage_answer(req *r, engage_info *ei, const question *q, const answer *a, tval *o)
{
	char *base = arena_printf(r->a, "/%s/questions/%lld/answers/%lld", q->topic_slug, (long long)q->id,
	                          (long long)a->id);
	rating_ctx(r, ei, o, a->rating_count, a->rating_sum, find_mine(ei, "answer", a->id),
	           arena_printf(r->a, "%s/rate", base), arena_printf(r->a, "a%lld", (long long)a->id), "answer");
	bool h = is_helpful(ei, a->id);
	tv_bool(o, "helpful", h);
	if (ei->asker || ei->guide) {
		tv_bool(o, "can_helpful", true);
		tv_str(o, "helpful_url", arena_printf(r->a, "%s/helpful", base));
		tv_int(o, "helpful_value", h ? 0 : 1);
		tv_str(o, "helpful_label", h ? "Unmark helpful" : "Mark as helpful");
	}
}

/* ---- Rate This ---- */

/* site.js rates without a reload: it asks for JSON (Accept: application/json) and gets the new
 * summary, or the error in the same words the page would show. */
static bool wants_json(req *r)
{
	const char *acc = req_header(r, "Accept");
	return acc && strncmp(acc, "application/json", 16) == 0;
}

static void rate_json(req *r, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	r->out.len = 0;
	res_header(r, "Cache-Control", "no-store");
	if (s) {
		buf_puts(&r->out, s);
		free(s);
	}
}

static void rate_error(req *r, bool json, int status, const char *code, const char *msg)
{
	if (json)
		rate_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", msg));
	else
		web_error(r, status, code, msg);
}

/* The post's rating after a change: count, average, stars and the voter's own. */
static void rate_summary(req *r, dbc *c, int64_t qid, const char *type, int64_t id, const char *voter)
{
	rating_sum *sums;
	int n = rating_for_question(c, r->a, qid, voter, &sums);
	const rating_sum *s = NULL;
	for (int i = 0; i < n; i++)
		if (sums[i].post_id == id && strcmp(sums[i].post_type, type) == 0)
			s = &sums[i];
	int64_t count = s ? s->count : 0;
	double avg = count ? (double)s->sum / (double)count : 0;
	rate_json(r, 200,
	          json_pack("{s:I, s:s, s:s, s:s, s:I}", "count", (json_int_t)count, "avg", arena_printf(r->a, "%.1f", avg),
	                    "count_label", util_plural(r->a, count, "rating", "ratings"), "stars_text",
	                    stars_text(r, avg), "mine", (json_int_t)(s ? s->mine : 0)));
}

void page_rate(req *r)
{
	dbc *c = web_db(r);
	question q;
	answer a;
	if (!c || !web_load_question(r, c, &q))
		return;
	bool on_answer = r->nparams >= 3;
	if (on_answer && !web_load_answer(r, c, &q, &a))
		return;
	bool json = wants_json(r);
	int64_t stars;
	const char *s = kv_get(&r->form, "stars");
	if (!s || !util_parse_i64(s, 1, 5, &stars)) {
		rate_error(r, json, 422, "bad_rating", "Choose from 1 to 5 stars, then press “Rate”.");
		return;
	}
	const char *voter = voter_of(r, true);
	const char *addr = NULL;
	int64_t day = util_now() / 86400;
	if (!r->user) {
		/* The day's key changes every day, so the hash is only comparable within the day. */
		addr = ipkey_hash(r->a, c, "rate-addr", r->client_ip ? r->client_ip : "", util_now(), 16);
	}
	int rc = rating_set(c, on_answer ? "answer" : "question", on_answer ? a.id : q.id, voter, addr, day, (int)stars);
	if (rc < 0) {
		if (json)
			rate_error(r, json, 503, "unavailable", "Your rating could not be saved just now. Please try again.");
		else
			web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		rate_error(r, json, 429, "rated_today",
		           "Someone on your network has already rated this today without an account. Log in to "
		           "rate it yourself, or try again tomorrow.");
		return;
	}
	if (json) {
		rate_summary(r, c, q.id, on_answer ? "answer" : "question", on_answer ? a.id : q.id, voter);
		return;
	}
	web_flash(r, "rated");
	char *url = web_question_url(r, q.topic_slug, q.id, q.slug);
	web_redirect(r, on_answer ? arena_printf(r->a, "%s#answer-%lld", url, (long long)a.id)
	                          : arena_printf(r->a, "%s#question", url));
}

/* ---- helpful answers ---- */

void page_helpful(req *r)
{
	dbc *c = web_db(r);
	question q;
	answer a;
	if (!c || !web_load_question(r, c, &q) || !web_load_answer(r, c, &q, &a))
		return;
	user *u = web_user(r);
	if (q.by.user_id != u->id && !web_role(r, ROLE_GUIDE)) {
		web_error(r, 403, "not_asker", "Only the person who asked, or a guide, can mark answers helpful.");
		return;
	}
	const char *v = kv_get(&r->form, "helpful");
	bool on = !v || strcmp(v, "0") != 0;
	int rc = helpful_set(c, q.id, a.id, u->id, on);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	web_flash(r, on ? "helpful" : "unhelpful");
	web_redirect(r, arena_printf(r->a, "%s#answer-%lld", web_question_url(r, q.topic_slug, q.id, q.slug),
	                             (long long)a.id));
}

/* ---- Get Email Updates ---- */

/* Guests prove they are people (honeypot, fill time, CAPTCHA) before an address is kept.
 * A sign-up sent from a cached page carries no challenge yet: it comes back on the notice
 * page with one (engage_notice), the address kept. */
bool engage_guest_check(req *r, ferrs *e)
{
	int before = e->n;
	safety_check_form(r, db_conn(APP(r)->db), e);
	return e->n == before;
}

/* Reads and checks the email field; lowercased. */
const char *engage_email(req *r, ferrs *e)
{
	const char *em = web_text(r, e, "email", "Your email address", 1, 254);
	char *low = util_lower(r->a, em);
	if (*low && !ferr_for(e, "email") && !user_valid_email(low))
		ferr(e, "email", "Enter an email address like name@example.org.");
	return low;
}

/* A small page that answers a subscription form (so the form works without JavaScript). */
void engage_notice(req *r, int status, const char *heading, const char *text, const char *back_url,
                   const char *back_label, tval *v, const ferrs *e, const char *form_action)
{
	tval *ctx = web_ctx(r);
	tv_str(ctx, "heading", heading);
	tv_str(ctx, "text", text);
	tv_str(ctx, "back_url", back_url);
	tv_str(ctx, "back_label", back_label);
	tv_bool(ctx, "noindex", true);
	if (form_action) {
		tv_str(ctx, "form_action", form_action);
		safety_form(r, db_conn(APP(r)->db), ctx, arena_printf(r->a, "%s#captcha", form_action));
		if (v)
			tv_put(ctx, "v", v);
		if (e)
			web_errors(ctx, e);
	}
	web_page(r, status, "email_notice", ctx, heading);
}

int64_t engage_subscribe_member(dbc *c, arena *a, const user *u, const char *kind, int64_t target,
                                const char *mode, const char *what, bool *verified)
{
	/* One click for a verified address; otherwise the same double opt-in as a guest, so
	 * nobody can sign a stranger's address up by registering with it. */
	int v = verify_is_verified(c, u->id);
	*verified = v > 0;
	return v > 0    ? sub_member(c, a, kind, target, u->id, u->email, mode)
	       : v == 0 ? sub_unverified_member(c, a, kind, target, u->id, u->email, mode, what)
	                : v;
}

static void subscribe(req *r, dbc *c, const char *kind, int64_t target, const char *mode, const char *what,
                      const char *back)
{
	user *u = web_user(r);
	const char *stop = kv_get(&r->form, "stop");
	if (u && r->csrf_failed) { /* a member's form has nothing to keep: say so and go back */
		const char *why;
		web_csrf_check(r, &why);
		web_error(r, 403, "csrf", why);
		return;
	}
	if (u) {
		if (stop && *stop) {
			int64_t sid = sub_of_user(c, u->id, kind, target, NULL);
			if (sid > 0 && sub_delete(c, r->a, sid) < 0) {
				web_db_error(r, DB_BUSY);
				return;
			}
			web_flash(r, "unsubscribed");
			web_redirect(r, back);
			return;
		}
		bool verified;
		int64_t id = engage_subscribe_member(c, r->a, u, kind, target, mode, what, &verified);
		if (id < 0) {
			web_db_error(r, (int)id);
			return;
		}
		web_flash(r, verified ? "subscribed" : "confirm_sent");
		web_redirect(r, back);
		return;
	}
	ferrs e = {0};
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *email = engage_email(r, &e);
	if (!e.n)
		engage_guest_check(r, &e);
	tval *v = tv_obj(r->a);
	tv_str(v, "email", email);
	tv_str(v, "mode", mode);
	if (e.n) {
		engage_notice(r, r->csrf_failed ? 403 : 422, "Get email updates", what, back, "Go back", v, &e, r->path);
		return;
	}
	int64_t id = sub_guest(c, r->a, kind, target, email, mode, what);
	if (id < 0) {
		ferr(&e, NULL, "Your request could not be saved just now. Please try again.");
		engage_notice(r, 503, "Get email updates", what, back, "Go back", v, &e, r->path);
		return;
	}
	engage_notice(r, 200, "Check your inbox",
	              arena_printf(r->a, "If %s is your address, a message is on its way to it. Open the link in it "
	                                 "to confirm: nothing else will be sent until you do.",
	                           email),
	              back, "Go back", NULL, NULL, NULL);
}

void page_question_subscribe(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !web_load_question(r, c, &q))
		return;
	subscribe(r, c, "question", q.id, "immediate",
	          arena_printf(r->a, "emails about new answers to “%s”", q.title),
	          arena_printf(r->a, "%s#updates", web_question_url(r, q.topic_slug, q.id, q.slug)));
}

void page_topic_subscribe(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	topic t;
	int rc = topic_by_slug(c, r->a, r->params[0], &t);
	if (rc <= 0) {
		if (rc < 0)
			web_db_error(r, rc);
		else
			web_error_page(r, 404);
		return;
	}
	const char *m = kv_get(&r->form, "mode");
	const char *mode = m && strcmp(m, "daily") == 0 ? "daily" : "immediate";
	subscribe(r, c, "topic", t.id, mode,
	          arena_printf(r->a, strcmp(mode, "daily") == 0 ? "a daily digest of new questions about %s"
	                                                        : "an email for each new question about %s",
	                       t.name),
	          arena_printf(r->a, "/%s#updates", t.slug));
}

void engage_topic(req *r, dbc *c, const topic *t, tval *ctx)
{
	tval *sb = tv_child(ctx, "updates");
	tv_str(sb, "action", arena_printf(r->a, "/%s/subscribe", t->slug));
	tv_bool(sb, "with_mode", true);
	tv_str(ctx, "updates_text", arena_printf(r->a, "New questions about %s by email, one by one or once a day.", t->name));
	user *u = web_user(r);
	if (u) {
		bool ok = false;
		int64_t sid = sub_of_user(c, u->id, "topic", t->id, &ok);
		tv_bool(sb, "subscribed", sid > 0);
		tv_bool(sb, "pending", sid > 0 && !ok);
	}
}

void engage_account(req *r, dbc *c, tval *ctx)
{
	user *u = web_user(r);
	subscription *subs;
	int n = sub_list_user(c, r->a, u->id, &subs);
	tval *box = tv_child(ctx, "email_updates");
	tv_bool(box, "admin", u->role >= ROLE_ADMIN);
	tval *l = tv_childlist(box, "subs");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(l);
		const subscription *s = &subs[i];
		tv_str(o, "what", strcmp(s->kind, "newsletter") == 0 ? "The health newsletter"
		                  : strcmp(s->kind, "question") == 0
		                      ? arena_printf(r->a, "New answers to “%s”", s->target_name)
		                      : arena_printf(r->a, "%s about %s",
		                                     strcmp(s->mode, "daily") == 0 ? "A daily digest of questions"
		                                                                   : "Each new question",
		                                     s->target_name));
		tv_str(o, "url", s->target_url);
		tv_str(o, "unsub_action", arena_printf(r->a, "/subscriptions/%s/unsubscribe", mail_sub_token(r->a, s->id)));
	}
}
