/* mail.c: message content, the outbox insert, subscription tokens and post notifications. */
#include "mail/mail.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "model/guide.h"
#include "render/tmpl.h"

static struct {
	unsigned char key[32];
	char *base_url, *site_name, *from_domain;
} M;

void mail_init(const config *cfg, const unsigned char key[32])
{
	mail_shutdown();
	memcpy(M.key, key, 32);
	M.base_url = strdup(cfg->base_url ? cfg->base_url : "");
	size_t bl = strlen(M.base_url);
	while (bl && M.base_url[bl - 1] == '/')
		M.base_url[--bl] = 0;
	M.site_name = strdup(cfg->site_name ? cfg->site_name : "carecircle");
	const char *from = cfg->mail_from ? cfg->mail_from : "";
	const char *at = strrchr(from, '@');
	char dom[256] = "localhost";
	if (at) {
		size_t n = strcspn(at + 1, "> \t");
		if (n > 0 && n < sizeof dom) {
			memcpy(dom, at + 1, n);
			dom[n] = 0;
		}
	}
	M.from_domain = strdup(dom);
}

void mail_shutdown(void)
{
	free(M.base_url);
	free(M.site_name);
	free(M.from_domain);
	M.base_url = M.site_name = M.from_domain = NULL;
}

const char *mail_base_url(void)
{
	return M.base_url ? M.base_url : "";
}

/* ---- content ---- */

static void text_wrapped(buf *b, const char *s)
{
	if (s && *s) {
		buf_puts(b, s);
		buf_puts(b, "\n\n");
	}
}

void mail_render(arena *a, const mail_doc *d, const char **text, const char **html)
{
	buf t;
	buf_init(&t, a, 1024, 4u << 20);
	const char *site = M.site_name ? M.site_name : "carecircle";
	text_wrapped(&t, d->heading);
	text_wrapped(&t, d->intro);
	for (int i = 0; i < d->nitems; i++) {
		buf_printf(&t, "- %s\n  %s\n", d->items[i].title, d->items[i].url);
		if (d->items[i].meta && *d->items[i].meta)
			buf_printf(&t, "  %s\n", d->items[i].meta);
	}
	if (d->nitems)
		buf_putc(&t, '\n');
	text_wrapped(&t, d->body_md);
	if (d->button_url)
		buf_printf(&t, "%s:\n%s\n\n", d->button_label ? d->button_label : "Open", d->button_url);
	text_wrapped(&t, d->outro);
	buf_puts(&t, "-- \n");
	if (d->unsub_url)
		buf_printf(&t, "Unsubscribe: %s\n", d->unsub_url);
	if (d->prefs_url)
		buf_printf(&t, "Email preferences: %s\n", d->prefs_url);
	buf_printf(&t, "%s is a community, not a substitute for advice from your own doctor.\n", site);
	*text = t.p;

	tval *ctx = tv_obj(a);
	tv_str(ctx, "site_name", site);
	tv_str(ctx, "subject", d->subject);
	tv_str(ctx, "heading", d->heading);
	tv_str(ctx, "intro", d->intro);
	tv_str(ctx, "outro", d->outro);
	if (d->nitems) {
		tval *l = tv_childlist(tv_child(ctx, "items"), "list");
		for (int i = 0; i < d->nitems; i++) {
			tval *o = tv_push(l);
			tv_str(o, "title", d->items[i].title);
			tv_str(o, "url", d->items[i].url);
			tv_str(o, "meta", d->items[i].meta);
		}
	}
	if (d->body_html)
		tv_html(ctx, "content_html", d->body_html);
	tv_str(ctx, "button_url", d->button_url);
	tv_str(ctx, "button_label", d->button_label ? d->button_label : "Open");
	tv_str(ctx, "unsub_url", d->unsub_url);
	tv_str(ctx, "prefs_url", d->prefs_url);
	buf h;
	buf_init(&h, a, 4096, 8u << 20);
	tmpl_render(&h, "mail", ctx);
	*html = h.p;
}

static const dbq q_outbox = {
	"INSERT INTO outbox (kind, to_addr, to_name, subject, body_text, body_html, unsub_url, "
	"message_id, newsletter_id, next_at, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
	NULL};

int64_t mail_queue(dbc *c, arena *a, const mail_doc *d)
{
	const char *text, *html;
	mail_render(a, d, &text, &html);
	unsigned char rnd[12];
	util_random(rnd, sizeof rnd);
	char *mid = arena_printf(a, "%s.%lld@%s", util_hex(a, rnd, sizeof rnd), (long long)util_now(),
	                         M.from_domain ? M.from_domain : "localhost");
	dbrows r;
	int rc = db_query(c, &q_outbox,
	                  DBP(dbs(d->kind), dbs(d->to), dbs(d->to_name ? d->to_name : ""), dbs(d->subject),
	                      dbs(text), dbs(html), dbs(d->unsub_url), dbs(mid),
	                      d->newsletter_id ? dbi(d->newsletter_id) : dbnull(), dbi(util_now())),
	                  a, &r);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return DB_ERR;
	mail_kick();
	return db_int(&r, 0, 0);
}

/* ---- subscription tokens ---- */

char *mail_sub_token(arena *a, int64_t sub_id)
{
	char id[24];
	int n = snprintf(id, sizeof id, "%lld", (long long)sub_id);
	return arena_printf(a, "%s-%s", id, util_mac_hex(a, M.key, "subscription", id, (size_t)n, 16));
}

bool mail_sub_token_check(const char *tok, int64_t *sub_id)
{
	const char *dash = tok ? strchr(tok, '-') : NULL;
	if (!dash || dash - tok > 20 || strlen(dash + 1) != 32)
		return false;
	char id[24];
	memcpy(id, tok, (size_t)(dash - tok));
	id[dash - tok] = 0;
	if (!util_parse_i64(id, 1, INT64_MAX, sub_id))
		return false;
	arena *a = arena_new(4096);
	char *want = util_mac_hex(a, M.key, "subscription", id, strlen(id), 16);
	bool ok = util_eq(want, dash + 1, 32);
	arena_free(a);
	return ok;
}

char *mail_sub_url(arena *a, int64_t sub_id, const char *action)
{
	return arena_printf(a, "%s/subscriptions/%s%s%s", mail_base_url(), mail_sub_token(a, sub_id), action ? "/" : "",
	                    action ? action : "");
}

/* ---- guide notice tokens: "<user>.<topic>-<mac>" (one followed topic of one guide) ---- */

char *mail_guide_token(arena *a, int64_t user_id, int64_t topic_id)
{
	char id[48];
	int n = snprintf(id, sizeof id, "%lld.%lld", (long long)user_id, (long long)topic_id);
	return arena_printf(a, "%s-%s", id, util_mac_hex(a, M.key, "guide-notice", id, (size_t)n, 16));
}

bool mail_guide_token_check(const char *tok, int64_t *user_id, int64_t *topic_id)
{
	const char *dash = tok ? strchr(tok, '-') : NULL;
	if (!dash || dash - tok > 41 || strlen(dash + 1) != 32)
		return false;
	char id[48];
	memcpy(id, tok, (size_t)(dash - tok));
	id[dash - tok] = 0;
	char *dot = strchr(id, '.');
	if (!dot)
		return false;
	*dot = 0;
	bool ok = util_parse_i64(id, 1, INT64_MAX, user_id) && util_parse_i64(dot + 1, 1, INT64_MAX, topic_id);
	*dot = '.';
	if (!ok)
		return false;
	arena *a = arena_new(4096);
	char *want = util_mac_hex(a, M.key, "guide-notice", id, strlen(id), 16);
	ok = util_eq(want, dash + 1, 32);
	arena_free(a);
	return ok;
}

char *mail_guide_url(arena *a, int64_t user_id, int64_t topic_id)
{
	return arena_printf(a, "%s/guides/notices/%s/unsubscribe", mail_base_url(), mail_guide_token(a, user_id, topic_id));
}

/* ---- notifications ---- */

static const dbq q_question = {
	"SELECT q.title, q.slug, t.slug, t.name, q.topic_id, COALESCE(q.user_id, 0), q.excerpt "
	"FROM questions q JOIN topics t ON t.id = q.topic_id WHERE q.id = $1",
	NULL};
static const dbq q_topic_subs = {
	"SELECT s.id, COALESCE(u.email, s.email), COALESCE(u.display_name, '') FROM subscriptions s "
	"LEFT JOIN users u ON u.id = s.user_id "
	"WHERE s.kind = 'topic' AND s.target_id = $1 AND s.mode = 'immediate' "
	"AND s.confirmed_at IS NOT NULL AND ($2 = 0 OR COALESCE(s.user_id, 0) <> $2) ORDER BY s.id",
	NULL};

int mail_on_question(dbc *c, arena *a, int64_t question_id)
{
	dbrows q, s;
	int rc = db_query(c, &q_question, DBP(dbi(question_id)), a, &q);
	if (rc <= 0)
		return rc;
	int64_t topic_id = db_int(&q, 0, 4), author = db_int(&q, 0, 5);
	rc = db_query(c, &q_topic_subs, DBP(dbi(topic_id), dbi(author)), a, &s);
	if (rc < 0)
		return rc;
	mail_item it = {
		.title = db_text(&q, 0, 0),
		.url = arena_printf(a, "%s/%s/questions/%lld-%s", mail_base_url(), db_text(&q, 0, 2),
		                    (long long)question_id, db_text(&q, 0, 1)),
		.meta = db_text(&q, 0, 6),
	};
	const char *topic = db_text(&q, 0, 3);
	for (int i = 0; i < s.n; i++) {
		int64_t sid = db_int(&s, i, 0);
		mail_doc d = {
			.kind = "question",
			.to = db_text(&s, i, 1),
			.to_name = db_text(&s, i, 2),
			.subject = arena_printf(a, "New question in %s: %s", topic, it.title),
			.heading = arena_printf(a, "A new question about %s", topic),
			.intro = "Someone in the community has asked:",
			.items = &it,
			.nitems = 1,
			.button_label = "Read and answer",
			.button_url = it.url,
			.unsub_url = mail_sub_url(a, sid, "unsubscribe"),
			.prefs_url = mail_sub_url(a, sid, NULL),
		};
		int64_t id = mail_queue(c, a, &d);
		if (id < 0)
			return (int)id;
	}
	/* Guides who follow the topic: a notice with the way to the answer form; its one-click
	 * unsubscribe turns off emails for this topic only (the guide keeps following it). */
	guide_recipient *g;
	int ng = guide_notify_list(c, a, topic_id, author, &g);
	if (ng < 0)
		return ng;
	for (int i = 0; i < ng; i++) {
		mail_doc d = {
			.kind = "guide",
			.to = g[i].email,
			.to_name = g[i].name,
			.subject = arena_printf(a, "Waiting for a guide in %s: %s", topic, it.title),
			.heading = arena_printf(a, "A new question about %s", topic),
			.intro = "A question was asked in a topic you follow as a guide. It has no answer yet:",
			.items = &it,
			.nitems = 1,
			.button_label = "Read and answer",
			.button_url = it.url,
			.outro = arena_printf(a, "Your guide queue lists every unanswered question in your topics: %s/guides/queue",
			                      mail_base_url()),
			.unsub_url = mail_guide_url(a, g[i].user_id, topic_id),
			.prefs_url = arena_printf(a, "%s/guides/queue", mail_base_url()),
		};
		int64_t id = mail_queue(c, a, &d);
		if (id < 0)
			return (int)id;
	}
	return s.n + ng;
}

static const dbq q_answer = {
	"SELECT a.question_id, COALESCE(a.user_id, 0), q.title, q.slug, t.slug "
	"FROM answers a JOIN questions q ON q.id = a.question_id JOIN topics t ON t.id = q.topic_id "
	"WHERE a.id = $1",
	NULL};
static const dbq q_question_subs = {
	"SELECT s.id, COALESCE(u.email, s.email), COALESCE(u.display_name, '') FROM subscriptions s "
	"LEFT JOIN users u ON u.id = s.user_id "
	"WHERE s.kind = 'question' AND s.target_id = $1 "
	"AND s.confirmed_at IS NOT NULL AND ($2 = 0 OR COALESCE(s.user_id, 0) <> $2) ORDER BY s.id",
	NULL};

int mail_on_answer(dbc *c, arena *a, int64_t answer_id)
{
	dbrows q, s;
	int rc = db_query(c, &q_answer, DBP(dbi(answer_id)), a, &q);
	if (rc <= 0)
		return rc;
	rc = db_query(c, &q_question_subs, DBP(dbi(db_int(&q, 0, 0)), dbi(db_int(&q, 0, 1))), a, &s);
	if (rc <= 0)
		return rc;
	const char *title = db_text(&q, 0, 2);
	char *url = arena_printf(a, "%s/%s/questions/%lld-%s#answer-%lld", mail_base_url(), db_text(&q, 0, 4),
	                         (long long)db_int(&q, 0, 0), db_text(&q, 0, 3), (long long)answer_id);
	mail_item it = {.title = title, .url = url, .meta = NULL};
	for (int i = 0; i < s.n; i++) {
		int64_t sid = db_int(&s, i, 0);
		mail_doc d = {
			.kind = "answer",
			.to = db_text(&s, i, 1),
			.to_name = db_text(&s, i, 2),
			.subject = arena_printf(a, "New answer: %s", title),
			.heading = "There is a new answer to a question you follow",
			.items = &it,
			.nitems = 1,
			.button_label = "Read the answer",
			.button_url = url,
			.unsub_url = mail_sub_url(a, sid, "unsubscribe"),
			.prefs_url = mail_sub_url(a, sid, NULL),
		};
		int64_t id = mail_queue(c, a, &d);
		if (id < 0)
			return (int)id;
	}
	return s.n;
}
