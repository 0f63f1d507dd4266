/* admin_webhooks.c: /admin/webhooks: register and delete endpoints, see the delivery log. */
#include <string.h>

#include "core/util.h"
#include "model/webhook.h"
#include "web/admin.h"
#include "web/web.h"

static bool event_chosen(req *r, const char *name)
{
	for (int i = 0; i < r->form.n; i++)
		if (strcmp(r->form.v[i].k, "event") == 0 && strcmp(r->form.v[i].v, name) == 0)
			return true;
	return false;
}

static void render(req *r, dbc *c, const ferrs *e, const char *url, int status)
{
	webhook *ws;
	int n = webhook_list(c, r->a, &ws);
	webhook_delivery *ds;
	int nd = n < 0 ? n : webhook_log(c, r->a, 50, &ds);
	if (n < 0 || nd < 0) {
		web_db_error(r, n < 0 ? n : nd);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	const char *done = kv_get(&r->query, "done");
	if (done && strcmp(done, "created") == 0)
		tv_str(ctx, "notice", "The webhook is added. Give its signing secret to the receiver.");
	else if (done && strcmp(done, "deleted") == 0)
		tv_str(ctx, "notice", "The webhook is deleted.");
	if (n > 0) {
		tval *items = tv_childlist(tv_child(ctx, "hooks"), "items");
		for (int i = 0; i < n; i++) {
			tval *o = tv_push(items);
			tv_int(o, "id", ws[i].id);
			tv_str(o, "url", ws[i].url);
			tv_str(o, "events", ws[i].events);
			tv_str(o, "secret", ws[i].secret);
		}
	}
	if (nd > 0) {
		tval *items = tv_childlist(tv_child(ctx, "log"), "items");
		for (int i = 0; i < nd; i++) {
			webhook_delivery *d = &ds[i];
			tval *o = tv_push(items);
			tv_int(o, "id", d->id);
			tv_str(o, "created", util_ago(r->a, d->created_at, util_now()));
			tv_str(o, "event", d->event);
			tv_str(o, "url", d->url);
			tv_str(o, "status", strcmp(d->status, "sent") == 0      ? "delivered"
			                    : strcmp(d->status, "failed") == 0  ? "gave up"
			                    : strcmp(d->status, "sending") == 0 ? "sending"
			                    : d->attempts == 0                  ? "waiting"
			                                                        : "waiting to retry");
			tv_int(o, "attempts", d->attempts);
			tv_str(o, "last", d->last_error[0] ? d->last_error
			                  : d->last_http_status ? arena_printf(r->a, "HTTP %lld", (long long)d->last_http_status)
			                                        : "");
		}
	}
	tval *f = tv_childlist(ctx, "fields");
	web_field(r, f, "url", "Receiver address", "url", url, "https://… on the system that should hear about events.",
	          "off", WEBHOOK_URL_MAX, e);
	tval *evs = tv_childlist(ctx, "events");
	for (int i = 0; webhook_events[i]; i++) {
		tval *o = tv_push(evs);
		tv_str(o, "name", webhook_events[i]);
		tv_bool(o, "checked", r->method == M_POST && event_chosen(r, webhook_events[i]));
	}
	web_errors(ctx, e);
	web_page(r, status, "admin_webhooks", ctx, "Webhooks");
}

void page_admin_webhooks(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	ferrs e = {0};
	if (r->method != M_POST) {
		render(r, c, &e, "", 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
		render(r, c, &e, kv_get(&r->form, "url"), 403);
		return;
	}
	const char *action = kv_get(&r->form, "action");
	if (action && strcmp(action, "delete") == 0) {
		int64_t id;
		const char *s = kv_get(&r->form, "id");
		int rc = s && util_parse_i64(s, 1, INT64_MAX, &id) ? webhook_delete(c, id) : 0;
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		web_redirect(r, "/admin/webhooks?done=deleted");
		return;
	}
	const char *url = web_text(r, &e, "url", "Receiver address", 1, WEBHOOK_URL_MAX);
	const char *why = ferr_for(&e, "url") ? NULL : webhook_url_check(url);
	if (why)
		ferr(&e, "url", why);
	buf events;
	buf_init(&events, r->a, 64, 1024);
	for (int i = 0; webhook_events[i]; i++)
		if (event_chosen(r, webhook_events[i])) {
			if (events.len)
				buf_putc(&events, ',');
			buf_puts(&events, webhook_events[i]);
		}
	if (!events.len)
		ferr(&e, "events", "Choose at least one event.");
	if (e.n) {
		render(r, c, &e, url, 422);
		return;
	}
	user *u = web_user(r);
	int64_t id = webhook_create(c, r->a, url, events.p, u->id);
	if (id < 0) {
		web_db_error(r, (int)id);
		return;
	}
	web_redirect(r, "/admin/webhooks?done=created");
}
