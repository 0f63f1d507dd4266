/* email.c: the pages behind links in emails (confirm, unsubscribe, preferences) and the
 * newsletter signup. The token in the link is the credential, so these forms need no login. */
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "model/subscription.h"
#include "model/verify.h"
#include "web/engage.h"
#include "web/web.h"


/* Loads the subscription named by /subscriptions/{token}…; answers itself when it cannot. */
static bool load_sub(req *r, dbc *c, subscription *s)
{
	int64_t id;
	if (r->nparams < 1 || !mail_sub_token_check(r->params[0], &id)) {
		web_error(r, 404, "bad_link", "This link is not valid. It may have been copied incompletely.");
		return false;
	}
	int rc = sub_get(c, r->a, id, s);
	if (rc < 0) {
		web_db_error(r, rc);
		return false;
	}
	if (rc == 0) {
		engage_notice(r, 410, "You are not subscribed",
		              "There is no subscription for this link any more: you were unsubscribed, or an "
		              "unconfirmed request expired. We will not send anything for it.",
		              "/", "Go to the home page", NULL, NULL, NULL);
		return false;
	}
	return true;
}

static const char *what(req *r, const subscription *s)
{
	if (strcmp(s->kind, "newsletter") == 0)
		return "the health newsletter";
	if (strcmp(s->kind, "question") == 0)
		return arena_printf(r->a, "emails about new answers to “%s”", s->target_name);
	return arena_printf(r->a, strcmp(s->mode, "daily") == 0 ? "a daily digest of new questions about %s"
	                                                        : "an email for each new question about %s",
	                    s->target_name);
}

void page_email_confirm(req *r)
{
	dbc *c = web_db(r);
	subscription s;
	if (!c || !load_sub(r, c, &s))
		return;
	if (r->method == M_POST) {
		int rc = sub_confirm(c, s.id);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		tval *ctx = web_ctx(r);
		tv_str(ctx, "heading", "You are subscribed");
		tv_str(ctx, "text", arena_printf(r->a, "Thank you. You will receive %s at %s. Every message has a "
		                                       "link to stop them.",
		                                 what(r, &s), s.email));
		tv_str(ctx, "back_url", s.target_url);
		tv_str(ctx, "back_label", "Continue");
		tv_str(ctx, "prefs_url", arena_printf(r->a, "/subscriptions/%s", r->params[0]));
		tv_bool(ctx, "noindex", true);
		web_page(r, 200, "email_notice", ctx, "You are subscribed");
		return;
	}
	/* GET only asks: mail scanners open links, and they must not subscribe anyone. */
	tval *ctx = web_ctx(r);
	tv_str(ctx, "heading", "Confirm your subscription");
	tv_str(ctx, "text", arena_printf(r->a, "Send %s to %s?", what(r, &s), s.email));
	tv_str(ctx, "confirm_action", r->path);
	tv_bool(ctx, "confirmed", s.confirmed_at != 0);
	tv_bool(ctx, "noindex", true);
	web_page(r, 200, "email_notice", ctx, "Confirm your subscription");
}

void page_email_unsubscribe(req *r)
{
	dbc *c = web_db(r);
	subscription s;
	if (!c || !load_sub(r, c, &s))
		return;
	if (r->method == M_POST) {
		/* A form press, or a mail client's RFC 8058 one-click POST. */
		int rc = sub_delete(c, r->a, s.id);
		if (rc < 0) {
			web_db_error(r, rc);
			return;
		}
		engage_notice(r, 200, "You are unsubscribed",
		              arena_printf(r->a, "%s will not receive %s any more. Nothing more will be sent for it.",
		                           s.email, what(r, &s)),
		              "/", "Go to the home page", NULL, NULL, NULL);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_str(ctx, "heading", "Unsubscribe");
	tv_str(ctx, "text", arena_printf(r->a, "Stop sending %s to %s?", what(r, &s), s.email));
	tv_str(ctx, "unsub_action", r->path);
	tv_str(ctx, "prefs_url", arena_printf(r->a, "/subscriptions/%s", r->params[0]));
	tv_bool(ctx, "noindex", true);
	web_page(r, 200, "email_notice", ctx, "Unsubscribe");
}

void page_email_prefs(req *r)
{
	dbc *c = web_db(r);
	subscription s;
	if (!c || !load_sub(r, c, &s))
		return;
	if (r->method == M_POST) {
		const char *m = kv_get(&r->form, "mode");
		if (strcmp(s.kind, "topic") == 0 && m && (strcmp(m, "daily") == 0 || strcmp(m, "immediate") == 0)) {
			int rc = sub_set_mode(c, s.id, m);
			if (rc < 0) {
				web_db_error(r, rc);
				return;
			}
		}
		web_redirect(r, r->path);
		return;
	}
	subscription *all;
	int n = sub_list_email(c, r->a, s.email, &all);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_str(ctx, "email", s.email);
	tv_bool(ctx, "noindex", true);
	tval *l = tv_childlist(ctx, "subs");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(l);
		char *tok = mail_sub_token(r->a, all[i].id);
		tv_str(o, "what", what(r, &all[i]));
		tv_str(o, "url", all[i].target_url);
		tv_bool(o, "pending", all[i].confirmed_at == 0);
		tv_str(o, "confirm_action", arena_printf(r->a, "/subscriptions/%s/confirm", tok));
		tv_str(o, "unsub_action", arena_printf(r->a, "/subscriptions/%s/unsubscribe", tok));
		if (strcmp(all[i].kind, "topic") == 0) {
			tv_str(o, "mode_action", arena_printf(r->a, "/subscriptions/%s", tok));
			tv_bool(o, "daily", strcmp(all[i].mode, "daily") == 0);
		}
	}
	web_page(r, 200, "email_prefs", ctx, "Email preferences");
}

void page_newsletter(req *r)
{
	user *u = web_user(r);
	tval *v = tv_obj(r->a);
	ferrs e = {0};
	if (r->method != M_POST) {
		tv_str(v, "email", u ? u->email : "");
		engage_notice(r, 200, "Health newsletter",
		              "A short letter now and then: new guides, answers that helped many people, and news "
		              "from the community. Unsubscribe with one click, any time.",
		              "/", "Go to the home page", v, &e, "/newsletter");
		return;
	}
	dbc *c = web_db(r);
	if (!c)
		return;
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *email = engage_email(r, &e);
	/* Guests prove they are people; members are known. */
	if (!u && !e.n)
		engage_guest_check(r, &e);
	tv_str(v, "email", email);
	if (e.n) {
		engage_notice(r, r->csrf_failed ? 403 : 422, "Health newsletter", "Please check the address below.", "/",
		              "Go to the home page", v, &e, "/newsletter");
		return;
	}
	/* One click only for a member's own, verified address. */
	bool own = u && strcmp(email, u->email) == 0 && verify_is_verified(c, u->id) == 1;
	int64_t id = own ? sub_member(c, r->a, "newsletter", 0, u->id, email, "immediate")
	                 : sub_guest(c, r->a, "newsletter", 0, email, "immediate", "the health newsletter");
	if (id < 0) {
		ferr(&e, NULL, "Your request could not be saved just now. Please try again.");
		engage_notice(r, 503, "Health newsletter", "", "/", "Go to the home page", v, &e, "/newsletter");
		return;
	}
	if (own)
		engage_notice(r, 200, "You are subscribed",
		              arena_printf(r->a, "The newsletter will come to %s. Every issue has a link to stop it.", email),
		              "/", "Go to the home page", NULL, NULL, NULL);
	else
		engage_notice(r, 200, "Check your inbox",
		              arena_printf(r->a, "If %s is your address, a message is on its way to it. Open the link in "
		                                 "it to confirm: nothing else will be sent until you do.",
		                           email),
		              "/", "Go to the home page", NULL, NULL, NULL);
}
