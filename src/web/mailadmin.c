/* mailadmin.c: admin pages: compose, preview and send the newsletter; the outbox at a glance
 * with permanent failures kept and shown. */
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "render/markdown.h"
#include "web/engage.h"
#include "web/web.h"

enum { NL_SUBJECT_MAX = 150, NL_BODY_MAX = 50000 };

static const dbq q_list = {
	"SELECT n.id, n.subject, n.created_at, COALESCE(n.sent_at, 0), n.recipients, "
	"(SELECT COUNT(*) FROM outbox o WHERE o.newsletter_id = n.id AND o.status = 'sent'), "
	"(SELECT COUNT(*) FROM outbox o WHERE o.newsletter_id = n.id AND o.status = 'failed'), "
	"(SELECT COUNT(*) FROM outbox o WHERE o.newsletter_id = n.id AND o.status IN ('queued', 'sending')) "
	"FROM newsletters n ORDER BY n.id DESC LIMIT 50",
	NULL};
static const dbq q_subscribers = {
	"SELECT COUNT(*) FROM subscriptions WHERE kind = 'newsletter' AND confirmed_at IS NOT NULL", NULL};
static const dbq q_insert = {
	"INSERT INTO newsletters (subject, body_md, body_html, author_id, created_at, sent_at, sub_max) "
	"VALUES ($1, $2, $3, $4, $5, $5, (SELECT COALESCE(MAX(id), 0) FROM subscriptions "
	"WHERE kind = 'newsletter')) RETURNING id",
	NULL};

static void newsletter_page(req *r, dbc *c, tval *v, const ferrs *e, int status)
{
	dbrows l;
	int rc = db_query(c, &q_list, DBNOP, r->a, &l);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tv_int(ctx, "subscribers", db_scalar(c, &q_subscribers, DBNOP, 0, NULL));
	tval *list = tv_childlist(ctx, "issues");
	for (int i = 0; i < l.n; i++) {
		tval *o = tv_push(list);
		tv_str(o, "subject", db_text(&l, i, 1));
		web_time(r, o, "created", db_int(&l, i, 2));
		tv_int(o, "recipients", db_int(&l, i, 4));
		tv_int(o, "sent", db_int(&l, i, 5));
		tv_int(o, "failed", db_int(&l, i, 6));
		tv_int(o, "pending", db_int(&l, i, 7));
	}
	if (v)
		tv_put(ctx, "v", v);
	web_errors(ctx, e);
	web_page(r, status, "admin_newsletter", ctx, "Newsletter");
}

void page_admin_newsletter(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	ferrs e = {0};
	if (r->method != M_POST) {
		newsletter_page(r, c, NULL, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *subject = web_text(r, &e, "subject", "The subject", 3, NL_SUBJECT_MAX);
	const char *body = web_text(r, &e, "body", "The letter", 10, NL_BODY_MAX);
	const char *action = kv_get(&r->form, "action");
	tval *v = tv_obj(r->a);
	tv_str(v, "subject", subject);
	tv_str(v, "body", body);
	if (e.n) {
		newsletter_page(r, c, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	char *html = md_render(r->a, body, strlen(body));
	if (!action || strcmp(action, "send") != 0) {
		/* Preview: exactly what subscribers will get, shown in the page. */
		mail_doc d = {.subject = subject, .heading = subject, .body_md = body, .body_html = html,
		              .unsub_url = "#unsubscribe", .prefs_url = "#preferences"};
		const char *text, *mhtml;
		mail_render(r->a, &d, &text, &mhtml);
		tval *pv = tv_child(v, "preview");
		tv_html(pv, "body_html", html);
		tv_str(pv, "text", text);
		newsletter_page(r, c, v, &e, 200);
		return;
	}
	dbrows out;
	int rc = db_query(c, &q_insert, DBP(dbs(subject), dbs(body), dbs(html), dbi(web_user(r)->id), dbi(util_now())),
	                  r->a, &out);
	if (rc < 0) {
		ferr(&e, NULL, "The newsletter could not be saved just now. It is kept below: please try again.");
		newsletter_page(r, c, v, &e, 503);
		return;
	}
	mail_kick();
	web_redirect(r, "/admin/newsletter?sent=1");
}

static const dbq q_counts = {"SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status", NULL};
static const dbq q_failed = {
	"SELECT id, kind, to_addr, subject, attempts, last_error, created_at FROM outbox "
	"WHERE status = 'failed' ORDER BY id DESC LIMIT 100",
	NULL};
static const dbq q_retrying = {
	"SELECT id, kind, to_addr, subject, attempts, last_error, next_at FROM outbox "
	"WHERE status = 'queued' AND attempts > 0 ORDER BY id DESC LIMIT 100",
	NULL};

static void rows(req *r, tval *ctx, const char *key, const dbrows *l)
{
	tval *list = tv_childlist(ctx, key);
	for (int i = 0; i < l->n; i++) {
		tval *o = tv_push(list);
		tv_int(o, "id", db_int(l, i, 0));
		tv_str(o, "kind", db_text(l, i, 1));
		tv_str(o, "to", db_text(l, i, 2));
		tv_str(o, "subject", db_text(l, i, 3));
		tv_int(o, "attempts", db_int(l, i, 4));
		tv_str(o, "error", db_text(l, i, 5));
		web_time(r, o, "when", db_int(l, i, 6));
	}
}

void page_admin_mail(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	dbrows cnt, fail, retry;
	int rc = db_query(c, &q_counts, DBNOP, r->a, &cnt);
	if (rc >= 0)
		rc = db_query(c, &q_failed, DBNOP, r->a, &fail);
	if (rc >= 0)
		rc = db_query(c, &q_retrying, DBNOP, r->a, &retry);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	const char *smtp = APP(r)->cfg->smtp_url;
	tv_str(ctx, "transport", smtp && *smtp ? "SMTP" : "files (no SMTP server is set)");
	tval *cl = tv_childlist(ctx, "counts");
	for (int i = 0; i < cnt.n; i++) {
		tval *o = tv_push(cl);
		tv_str(o, "status", db_text(&cnt, i, 0));
		tv_int(o, "n", db_int(&cnt, i, 1));
	}
	rows(r, ctx, "failed", &fail);
	rows(r, ctx, "retrying", &retry);
	web_page(r, 200, "admin_mail", ctx, "Outgoing mail");
}
