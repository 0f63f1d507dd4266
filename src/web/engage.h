/* engage.h: ratings, helpful answers and email updates on the question and topic pages, and
 * the pages of email subscriptions, the newsletter and account emails (issue 4). */
#ifndef CC_ENGAGE_H
#define CC_ENGAGE_H
#include <stdbool.h>

#include "http/request.h"
#include "model/answer.h"
#include "model/question.h"
#include "render/tmpl.h"

typedef struct engage_info engage_info;

/* Loads ratings and helpful marks of the question page, puts helpful and accepted answers
 * first (stable), and fills the question's rating and the "Get Email Updates" box. */
engage_info *engage_question(req *r, dbc *c, const question *q, answer *ans, int n, tval *ctx, tval *qo);
/* Fills one answer's rating, helpful badge and helpful button. */
void engage_answer(req *r, engage_info *ei, const question *q, const answer *a, tval *o);
/* The "Get Email Updates" box of a topic page. */
struct topic;
void engage_topic(req *r, dbc *c, const struct topic *t, tval *ctx);
/* The account page's "Email updates" list (and links to the mail admin pages for admins). */
void engage_account(req *r, dbc *c, tval *ctx);
/* Subscribes the signed-in member u to kind/target: at once when their address is verified,
 * else with the guests' double opt-in (a confirmation email; "what" says what it is for).
 * Returns the subscription id or < 0; *verified says which happened. */
struct user;
int64_t engage_subscribe_member(dbc *c, arena *a, const struct user *u, const char *kind, int64_t target,
                                const char *mode, const char *what, bool *verified);
/* Queues the address verification email for a new member (its own transaction). */
int engage_send_verification(req *r, dbc *c, int64_t user_id, const char *email, const char *name);
/* Joining by email: for an address without an account, keeps the sign-up (password hashed)
 * and mails a link that finishes it (/join/{token}, a week); for an address that has one,
 * mails its owner that instead. Either way the same work and the same answer, so the form
 * does not tell who is a member. Returns >= 0 or a db error. */
int engage_signup(req *r, dbc *c, const char *username, const char *email, const char *password,
                  const char *display_name);
/* Drops sign-ups whose link has expired. */
int engage_signup_purge(dbc *c, int64_t now);

struct ferrs;
/* THE CAPTCHA SPOT: guest sign-up forms (topic and question updates, the newsletter) call this
 * before anything is written. It accepts everyone until the CAPTCHA (issue 3) is wired in
 * here; it should then add an error to e when the challenge fails. */
bool engage_guest_check(req *r, struct ferrs *e);
/* Reads and checks the "email" field, lowercased. */
const char *engage_email(req *r, struct ferrs *e);
/* A small page answering a mail form: heading, text, a way back, and optionally the form again. */
void engage_notice(req *r, int status, const char *heading, const char *text, const char *back_url,
                   const char *back_label, tval *v, const struct ferrs *e, const char *form_action);

void page_rate(req *r);
void page_helpful(req *r);
void page_question_subscribe(req *r);
void page_topic_subscribe(req *r);
void page_email_prefs(req *r);
void page_email_confirm(req *r);
void page_email_unsubscribe(req *r);
void page_newsletter(req *r);
void page_admin_newsletter(req *r);
void page_admin_mail(req *r);
void page_verify_send(req *r);
void page_verify(req *r);
void page_join(req *r);
void page_reset_request(req *r);
void page_reset(req *r);

#endif
