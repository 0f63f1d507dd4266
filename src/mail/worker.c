/* worker.c: outbox delivery (claim with a lease, send, confirm; see docs/mail.md), SMTP
 * through libcurl or .eml files, retries with backoff, newsletter batches, daily digests. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "mail/mail.h"
#include "model/webhook.h"

enum { MAX_ATTEMPTS = 8, NEWSLETTER_BATCH = 200, DIGEST_BATCH = 50, DIGEST_MAX_ITEMS = 30 };

/* ---- in-process wake-ups ---- */

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;
static bool woken;

void mail_kick(void)
{
	pthread_mutex_lock(&wake_lock);
	woken = true;
	pthread_cond_signal(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
}

/* Waits for a kick or the poll interval; after a kick it waits a moment more, because the
 * kick comes from inside the transaction that is about to commit the new rows. */
static void wait_for_work(int seconds, volatile bool *stop)
{
	bool kicked = false;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds > 0 ? seconds : 1;
	pthread_mutex_lock(&wake_lock);
	while (!woken && !*stop)
		if (pthread_cond_timedwait(&wake_cond, &wake_lock, &until) != 0)
			break;
	kicked = woken;
	woken = false;
	pthread_mutex_unlock(&wake_lock);
	if (kicked && !*stop)
		usleep(150000);
}

/* ---- test-only fault injection: CARECIRCLE_MAIL_FAULT=kill-after-claim|kill-after-send ---- */

static void fault(const char *point)
{
	const char *f = getenv("CARECIRCLE_MAIL_FAULT");
	if (f && strcmp(f, point) == 0) {
		log_warn("msg=\"fault injection: killing the worker\" point=%s", point);
		raise(SIGKILL);
	}
}

/* ---- transports ---- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *out, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n;
	if (want > u->left)
		want = u->left;
	memcpy(out, u->p, want);
	u->p += want;
	u->left -= want;
	return want;
}

/* 0 sent, 1 temporary failure, 2 permanent failure; why gets a message. */
static int send_smtp(const config *cfg, const char *to, const char *msg, char *why, size_t whylen)
{
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(why, whylen, "libcurl could not start");
		return 1;
	}
	arena *a = arena_new(0);
	const char *from = cfg->mail_from ? cfg->mail_from : "";
	const char *lt = strchr(from, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	char *env_from = lt && gt ? arena_strndup(a, lt, (size_t)(gt - lt + 1)) : arena_printf(a, "<%s>", from);
	struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", to));
	struct upload up = {msg, strlen(msg)};
	char errbuf[CURL_ERROR_SIZE] = "";
	int lease = cfg->mail_lease > 4 ? cfg->mail_lease : 4;
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, env_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.left);
	if (cfg->smtp_ca_file && *cfg->smtp_ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->smtp_ca_file);
	curl_easy_setopt(h, CURLOPT_USE_SSL, cfg->smtp_require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* Stay well inside the lease so no other worker takes the message while we send it. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(lease / 2 > 60 ? 60 : lease / 2));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	int out = 0;
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s (SMTP %ld)", *errbuf ? errbuf : curl_easy_strerror(rc), code);
		/* A 5xx refusal of this message will not change on retry; a refused login (also 5xx)
		 * or missing TLS is our configuration, so those messages wait for it to be fixed. */
		out = rc != CURLE_LOGIN_DENIED && rc != CURLE_USE_SSL_FAILED && code >= 500 && code < 600 ? 2 : 1;
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	arena_free(a);
	return out;
}

static int mkdir_p(const char *path)
{
	char tmp[1024];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes outbox-<id>.eml atomically (temporary file, fsync, rename): a repeat overwrites the
 * same file, so the folder holds each message exactly once. */
static int send_file(const config *cfg, int64_t id, const char *msg, char *why, size_t whylen)
{
	const char *dir = cfg->mail_dir && *cfg->mail_dir ? cfg->mail_dir : "./data/mail";
	if (mkdir_p(dir) != 0) {
		snprintf(why, whylen, "cannot create mail folder %.300s: %s", dir, strerror(errno));
		return 1;
	}
	char tmp[1200], fin[1200];
	snprintf(tmp, sizeof tmp, "%s/.outbox-%lld.tmp", dir, (long long)id);
	snprintf(fin, sizeof fin, "%s/outbox-%lld.eml", dir, (long long)id);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot write %.300s: %s", tmp, strerror(errno));
		return 1;
	}
	size_t left = strlen(msg);
	const char *p = msg;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(why, whylen, "cannot write %.300s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return 1;
		}
		p += w;
		left -= (size_t)w;
	}
	fsync(fd);
	close(fd);
	if (rename(tmp, fin) != 0) {
		snprintf(why, whylen, "cannot rename to %.300s: %s", fin, strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

/* ---- claim, send, confirm ---- */

#define CLAIM_SET                                                                           \
	"UPDATE outbox SET status = 'sending', lease_until = $2, attempts = attempts + 1, "       \
	"recovered = recovered + CASE WHEN status = 'sending' THEN 1 ELSE 0 END "                 \
	"WHERE id = (SELECT id FROM outbox WHERE (status = 'queued' AND next_at <= $1) "        \
	"OR (status = 'sending' AND lease_until < $1) ORDER BY next_at, id LIMIT 1"
#define CLAIM_RET                                                                           \
	" RETURNING id, to_addr, to_name, subject, body_text, body_html, unsub_url, message_id, " \
	"attempts, recovered, created_at, kind, COALESCE(webhook_id, 0)"
/* SQLite serializes writers, so one UPDATE … WHERE id = (SELECT …) is an atomic claim; on
 * PostgreSQL the row lock with SKIP LOCKED lets several workers claim different rows. */
static const dbq q_claim = {CLAIM_SET ")" CLAIM_RET, CLAIM_SET " FOR UPDATE SKIP LOCKED)" CLAIM_RET};
static const dbq q_sent = {
	"UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = 0, last_error = '', http_status = $3 "
	"WHERE id = $1 AND status = 'sending'",
	NULL};
static const dbq q_retry = {
	"UPDATE outbox SET status = 'queued', next_at = $2, lease_until = 0, last_error = $3, http_status = $4 "
	"WHERE id = $1 AND status = 'sending'",
	NULL};
static const dbq q_failed = {
	"UPDATE outbox SET status = 'failed', lease_until = 0, last_error = $2, http_status = $3 WHERE id = $1", NULL};

/* What differs between kinds of row: how often and how soon to try again. Mail waits 30 s,
 * then doubles up to 6 hours; a webhook receiver is retried sooner (2 s, doubling, at most an
 * hour apart). */
typedef struct retry_rule {
	int64_t max_attempts, first_wait, max_wait;
} retry_rule;
static const retry_rule mail_rule = {MAX_ATTEMPTS, 30, 6 * 3600};
static const retry_rule hook_rule = {WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_BASE, WEBHOOK_RETRY_MAX};

static int64_t retry_wait(const retry_rule *rule, int64_t attempts)
{
	int64_t wait = rule->first_wait;
	for (int64_t i = 1; i < attempts && wait < rule->max_wait; i++)
		wait *= 2;
	return wait > rule->max_wait ? rule->max_wait : wait;
}

/* Sends a mail row: builds the message, then SMTP or a file. 0 / 1 / 2 as the transports. */
static int send_mail(const config *cfg, arena *a, const dbrows *r, int64_t id, char *why, size_t whylen)
{
	mail_msg m = {
		.id = id,
		.to = db_text(r, 0, 1),
		.to_name = db_text(r, 0, 2),
		.subject = db_text(r, 0, 3),
		.text = db_text(r, 0, 4),
		.html = db_text(r, 0, 5),
		.unsub_url = db_text(r, 0, 6),
		.message_id = db_text(r, 0, 7),
		.date = db_int(r, 0, 10),
	};
	const char *from = cfg->mail_from ? cfg->mail_from : "carecircle <no-reply@localhost>";
	char *msg = mail_build(a, &m, from);
	if (!msg) {
		snprintf(why, whylen, "message too large to build");
		return 2;
	}
	if (cfg->smtp_url && *cfg->smtp_url)
		return send_smtp(cfg, m.to, msg, why, whylen);
	return send_file(cfg, id, msg, why, whylen);
}

/* Delivers one due row (a message or a webhook). 1 done (sent, retried later or failed),
 * 0 nothing due, < 0 database error. */
static int deliver_one(dbc *c, const config *cfg)
{
	arena *a = arena_new(0);
	int64_t now = util_now();
	int lease = cfg->mail_lease > 0 ? cfg->mail_lease : 120;
	dbrows r;
	int rc = db_query(c, &q_claim, DBP(dbi(now), dbi(now + lease)), a, &r);
	if (rc <= 0)
		goto out;
	int64_t id = db_int(&r, 0, 0);
	int64_t attempts = db_int(&r, 0, 8), recovered = db_int(&r, 0, 9);
	bool hook = strcmp(db_text(&r, 0, 11), "webhook") == 0;
	const char *what = hook ? "webhook" : "mail";
	if (recovered > 1 && !hook) {
		/* Interrupted twice while in flight: it may have gone out already. We resend an
		 * interrupted message once, never twice (docs/mail.md). Webhooks are at least once:
		 * receivers dedupe by the delivery id, so those are simply sent again. */
		db_exec(c, &q_failed, DBP(dbi(id), dbs("delivery interrupted twice while sending; not resent "
		                                       "again (it may have been delivered)"), dbi(0)));
		log_warn("msg=\"mail not resent after two interruptions\" id=%lld", (long long)id);
		rc = 1;
		goto out;
	}
	fault("kill-after-claim");
	char why[512] = "";
	long http_status = 0;
	int res;
	if (hook) {
		mail_hook h = {id, db_int(&r, 0, 12), db_text(&r, 0, 3), db_text(&r, 0, 4)};
		res = mail_send_webhook(c, a, &h, &http_status, why, sizeof why);
	} else {
		res = send_mail(cfg, a, &r, id, why, sizeof why);
	}
	if (res == 0)
		fault("kill-after-send");
	const retry_rule *rule = hook ? &hook_rule : &mail_rule;
	if (res == 0) {
		rc = db_exec(c, &q_sent, DBP(dbi(id), dbi(util_now()), dbi(http_status)));
		log_info("msg=\"%s sent\" id=%lld transport=%s attempts=%lld", what, (long long)id,
		         hook ? "http" : cfg->smtp_url && *cfg->smtp_url ? "smtp" : "file", (long long)attempts);
	} else if (res == 2 || attempts >= rule->max_attempts) {
		rc = db_exec(c, &q_failed, DBP(dbi(id), dbs(why), dbi(http_status)));
		log_warn("msg=\"%s failed permanently\" id=%lld attempts=%lld error=\"%s\"", what, (long long)id,
		         (long long)attempts, why);
	} else {
		int64_t wait = retry_wait(rule, attempts);
		rc = db_exec(c, &q_retry, DBP(dbi(id), dbi(util_now() + wait), dbs(why), dbi(http_status)));
		log_warn("msg=\"%s delivery failed; will retry\" id=%lld in=%llds error=\"%s\"", what, (long long)id,
		         (long long)wait, why);
	}
	if (rc >= 0)
		rc = 1;
out:
	arena_free(a);
	return rc;
}

static const dbq q_depth = {"SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')", NULL};

int mail_outbox_depth(dbc *c, int64_t *out)
{
	int rc;
	*out = db_scalar(c, &q_depth, DBNOP, 0, &rc);
	return rc;
}

/* ---- newsletter batches ---- */

static const dbq q_nl_due = {
	"SELECT id, subject, body_md, body_html, queued_upto, sub_max FROM newsletters "
	"WHERE sent_at IS NOT NULL AND queued_upto < sub_max ORDER BY id LIMIT 1",
	NULL};
static const dbq q_nl_subs = {
	"SELECT s.id, COALESCE(u.email, s.email), COALESCE(u.display_name, '') FROM subscriptions s "
	"LEFT JOIN users u ON u.id = s.user_id WHERE s.kind = 'newsletter' "
	"AND s.confirmed_at IS NOT NULL AND s.id > $1 AND s.id <= $2 ORDER BY s.id LIMIT $3",
	NULL};
static const dbq q_nl_advance = {
	"UPDATE newsletters SET queued_upto = $3, recipients = recipients + $4 WHERE id = $1 AND queued_upto = $2",
	NULL};

struct nl_ctx {
	arena *a;
	int64_t id, from, upto;
	const char *subject, *md, *html;
	int queued;
};

static int newsletter_tx(dbc *c, void *p)
{
	struct nl_ctx *x = p;
	dbrows s;
	int rc = db_query(c, &q_nl_subs, DBP(dbi(x->from), dbi(x->upto), dbi(NEWSLETTER_BATCH)), x->a, &s);
	if (rc < 0)
		return rc;
	int64_t last = s.n == NEWSLETTER_BATCH ? db_int(&s, s.n - 1, 0) : x->upto;
	/* Claim the batch first: if another worker got there, nothing is queued twice. */
	rc = db_exec(c, &q_nl_advance, DBP(dbi(x->id), dbi(x->from), dbi(last), dbi(s.n)));
	if (rc <= 0)
		return rc;
	for (int i = 0; i < s.n; i++) {
		int64_t sid = db_int(&s, i, 0);
		mail_doc d = {
			.kind = "newsletter",
			.to = db_text(&s, i, 1),
			.to_name = db_text(&s, i, 2),
			.subject = x->subject,
			.heading = x->subject,
			.body_md = x->md,
			.body_html = x->html,
			.unsub_url = mail_sub_url(x->a, sid, "unsubscribe"),
			.prefs_url = mail_sub_url(x->a, sid, NULL),
			.newsletter_id = x->id,
		};
		int64_t id = mail_queue(c, x->a, &d);
		if (id < 0)
			return (int)id;
	}
	x->queued = s.n;
	return 1;
}

static int newsletter_batches(dbc *c)
{
	int total = 0;
	for (int round = 0; round < 50; round++) {
		arena *a = arena_new(0);
		dbrows r;
		int rc = db_query(c, &q_nl_due, DBNOP, a, &r);
		if (rc <= 0) {
			arena_free(a);
			return rc < 0 ? rc : total;
		}
		struct nl_ctx x = {a, db_int(&r, 0, 0), db_int(&r, 0, 4), db_int(&r, 0, 5),
		                   db_text(&r, 0, 1), db_text(&r, 0, 2), db_text(&r, 0, 3), 0};
		rc = db_tx(c, newsletter_tx, &x);
		arena_free(a);
		if (rc < 0)
			return rc;
		total += x.queued;
	}
	return total;
}

/* ---- daily digests ---- */

static const dbq q_digest_due = {
	"SELECT s.id, COALESCE(u.email, s.email), COALESCE(u.display_name, ''), s.target_id, s.last_digest_at, s.digest_qid, "
	"t.name, t.slug FROM subscriptions s JOIN topics t ON t.id = s.target_id "
	"LEFT JOIN users u ON u.id = s.user_id "
	"WHERE s.kind = 'topic' AND s.mode = 'daily' AND s.confirmed_at IS NOT NULL "
	"AND s.last_digest_at <= $1 ORDER BY s.id LIMIT $2",
	NULL};
static const dbq q_digest_claim = {
	"UPDATE subscriptions SET last_digest_at = $3, digest_qid = $4 WHERE id = $1 AND last_digest_at = $2",
	NULL};
static const dbq q_digest_questions = {
	"SELECT id, title, slug, excerpt, answer_count FROM questions WHERE topic_id = $1 AND id > $2 "
	"AND status = 'published' ORDER BY id LIMIT $3",
	NULL};
static const dbq q_max_question = {"SELECT COALESCE(MAX(id), 0) FROM questions", NULL};

struct digest_ctx {
	arena *a;
	const dbrows *s;
	int row;
	int64_t now;
	int queued;
};

static int digest_tx(dbc *c, void *p)
{
	struct digest_ctx *x = p;
	const dbrows *s = x->s;
	int i = x->row;
	int64_t sid = db_int(s, i, 0), topic = db_int(s, i, 3);
	dbrows q;
	int rc = db_query(c, &q_digest_questions, DBP(dbi(topic), dbi(db_int(s, i, 5)), dbi(DIGEST_MAX_ITEMS)), x->a, &q);
	if (rc < 0)
		return rc;
	int64_t upto = rc > 0 ? db_int(&q, rc - 1, 0) : db_scalar(c, &q_max_question, DBNOP, 0, &rc);
	if (rc < 0)
		return rc;
	if (upto < db_int(s, i, 5))
		upto = db_int(s, i, 5);
	rc = db_exec(c, &q_digest_claim, DBP(dbi(sid), dbi(db_int(s, i, 4)), dbi(x->now), dbi(upto)));
	if (rc <= 0 || q.n == 0)
		return rc;
	mail_item *items = ARENA_ARRAY(x->a, mail_item, q.n);
	for (int k = 0; k < q.n; k++) {
		items[k].title = db_text(&q, k, 1);
		items[k].url = arena_printf(x->a, "%s/%s/questions/%lld-%s", mail_base_url(), db_text(s, i, 7),
		                            (long long)db_int(&q, k, 0), db_text(&q, k, 2));
		items[k].meta = db_text(&q, k, 3);
	}
	const char *topic_name = db_text(s, i, 6);
	mail_doc d = {
		.kind = "digest",
		.to = db_text(s, i, 1),
		.to_name = db_text(s, i, 2),
		.subject = arena_printf(x->a, "%s: %s", topic_name,
		                        util_plural(x->a, q.n, "new question", "new questions")),
		.heading = arena_printf(x->a, "New questions about %s", topic_name),
		.intro = "Here is what the community asked since your last update.",
		.items = items,
		.nitems = q.n,
		.button_label = arena_printf(x->a, "See all questions about %s", topic_name),
		.button_url = arena_printf(x->a, "%s/%s", mail_base_url(), db_text(s, i, 7)),
		.unsub_url = mail_sub_url(x->a, sid, "unsubscribe"),
		.prefs_url = mail_sub_url(x->a, sid, NULL),
	};
	int64_t id = mail_queue(c, x->a, &d);
	if (id < 0)
		return (int)id;
	x->queued++;
	return 1;
}

static int digests(dbc *c, const config *cfg)
{
	arena *a = arena_new(0);
	int64_t now = util_now();
	dbrows s;
	int rc = db_query(c, &q_digest_due, DBP(dbi(now - cfg->digest_interval), dbi(DIGEST_BATCH)), a, &s);
	struct digest_ctx x = {a, &s, 0, now, 0};
	for (int i = 0; rc > 0 && i < s.n; i++) {
		x.row = i;
		int r2 = db_tx(c, digest_tx, &x);
		if (r2 < 0) {
			rc = r2;
			break;
		}
	}
	arena_free(a);
	return rc < 0 ? rc : x.queued;
}

/* ---- housekeeping ---- */

static const dbq q_purge_unconfirmed = {
	"DELETE FROM subscriptions WHERE confirmed_at IS NULL AND created_at < $1", NULL};
static const dbq q_purge_tokens = {"DELETE FROM account_tokens WHERE expires_at < $1", NULL};
static const dbq q_purge_sent = {"DELETE FROM outbox WHERE status = 'sent' AND sent_at < $1", NULL};

static void housekeeping(dbc *c)
{
	int64_t now = util_now();
	db_exec(c, &q_purge_unconfirmed, DBP(dbi(now - 7 * 86400)));
	db_exec(c, &q_purge_tokens, DBP(dbi(now - 86400)));
	db_exec(c, &q_purge_sent, DBP(dbi(now - 7 * 86400))); /* addresses and titles go too */
}

int mail_worker_run(db *d, const config *cfg, volatile bool *stop, bool once)
{
	int64_t last_house = 0;
	int sent = 0;
	while (!*stop) {
		dbc *c = db_conn(d);
		if (!c) {
			if (once)
				return -1;
			wait_for_work(cfg->mail_poll, stop);
			continue;
		}
		if (newsletter_batches(c) < 0)
			log_warn("msg=\"newsletter batch not queued\" error=\"%s\"", db_errmsg(c));
		if (digests(c, cfg) < 0)
			log_warn("msg=\"digests not queued\" error=\"%s\"", db_errmsg(c));
		if (util_now() - last_house > 3600) {
			housekeeping(c);
			last_house = util_now();
		}
		int rc = 0;
		while (!*stop && (rc = deliver_one(c, cfg)) > 0)
			sent++;
		if (rc < 0)
			log_warn("msg=\"outbox claim failed\" error=\"%s\"", db_errmsg(c));
		if (once)
			break;
		wait_for_work(cfg->mail_poll, stop);
	}
	return sent;
}

/* ---- the thread inside serve ---- */

static pthread_t thread;
static bool running;
static volatile bool thread_stop;

struct thread_arg {
	db *d;
	const config *cfg;
};
static struct thread_arg targ;

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	mail_worker_run(t->d, t->cfg, &thread_stop, false);
	db_conn_release(t->d);
	return NULL;
}

int mail_thread_start(db *d, const config *cfg)
{
	targ.d = d;
	targ.cfg = cfg;
	thread_stop = false;
	if (pthread_create(&thread, NULL, thread_main, &targ) != 0)
		return -1;
	running = true;
	return 0;
}

void mail_thread_stop(void)
{
	if (!running)
		return;
	thread_stop = true;
	mail_kick();
	pthread_join(thread, NULL);
	running = false;
}
