/* mail.h: email and the outbox (every message a row, written in the transaction of its event;
 * webhook deliveries are outbox rows too, of kind 'webhook'),
 * message content (text + HTML from one description), subscription tokens, notifications,
 * and delivery (SMTP through libcurl, or .eml files). The protocol is in docs/mail.md.
 *
 * mail_init() is called once at start-up (app_open); it copies what it needs, so the
 * settings are owned here, for the life of the process. */
#ifndef CC_MAIL_H
#define CC_MAIL_H
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "db/db.h"

void mail_init(const config *cfg, const unsigned char key[32]);
void mail_shutdown(void);
const char *mail_base_url(void);

/* One listed thing in a message (a question in a digest, the new answer…). */
typedef struct mail_item {
	const char *title, *url, *meta;
} mail_item;

/* What a message says; mail_queue renders it as text and HTML and writes the outbox row. */
typedef struct mail_doc {
	const char *kind;      /* verify, reset, confirm, question, guide, answer, digest, newsletter */
	const char *to, *to_name;
	const char *subject, *heading, *intro, *outro;
	const mail_item *items;
	int nitems;
	const char *button_label, *button_url;
	const char *body_md, *body_html; /* newsletter content (markdown and its safe HTML) */
	const char *unsub_url;           /* one-click unsubscribe (List-Unsubscribe), or NULL */
	const char *prefs_url;           /* the email preferences page, or NULL */
	int64_t newsletter_id;
} mail_doc;

/* Renders and inserts one outbox row (call it inside the event's transaction).
 * Returns the outbox id or < 0. Wakes an in-process worker after the commit. */
int64_t mail_queue(dbc *c, arena *a, const mail_doc *d);
/* Renders without queueing (the newsletter preview). */
void mail_render(arena *a, const mail_doc *d, const char **text, const char **html);

/* The token in links that manage a subscription: "<id>-<mac>". */
char *mail_sub_token(arena *a, int64_t sub_id);
/* Checks a token; 1 and the id, or 0. */
bool mail_sub_token_check(const char *tok, int64_t *sub_id);
/* Absolute links for a subscription: confirm, unsubscribe, preferences. */
char *mail_sub_url(arena *a, int64_t sub_id, const char *action);

/* The one-click link that stops a guide's emails about one followed topic:
 * <base>/guides/notices/<user>.<topic>-<mac>/unsubscribe, and its check. */
char *mail_guide_token(arena *a, int64_t user_id, int64_t topic_id);
bool mail_guide_token_check(const char *tok, int64_t *user_id, int64_t *topic_id);
char *mail_guide_url(arena *a, int64_t user_id, int64_t topic_id);

/* Notifications, called inside the transaction that wrote the post (or that a moderator
 * approved a held question in). mail_on_question tells the topic's immediate subscribers and
 * the guides who follow the topic with notices on (guide_notify_list); never the author. */
int mail_on_question(dbc *c, arena *a, int64_t question_id);
int mail_on_answer(dbc *c, arena *a, int64_t answer_id);

/* Wakes the in-process delivery thread (cheap; no-op without one). */
void mail_kick(void);

/* Delivery. Runs until *stop (checked between messages) or, with once, until nothing is due.
 * Each pass also queues newsletter batches and daily digests and purges stale rows. */
int mail_worker_run(db *d, const config *cfg, volatile bool *stop, bool once);
/* Starts/stops the delivery thread inside `serve`. */
int mail_thread_start(db *d, const config *cfg);
void mail_thread_stop(void);

/* An outbox row of kind 'webhook': the event in subject, the JSON payload in body_text. */
typedef struct mail_hook {
	int64_t id, webhook_id;
	const char *event, *payload;
} mail_hook;
/* POSTs it to its endpoint, signed with the endpoint's secret (hook.c). 0 delivered (2xx),
 * 1 try again later, 2 never (the endpoint is gone); *status gets the HTTP status or 0. */
int mail_send_webhook(dbc *c, arena *a, const mail_hook *h, long *status, char *why, size_t whylen);
/* Messages and webhook deliveries waiting or being sent (for /metrics). */
int mail_outbox_depth(dbc *c, int64_t *out);

/* Builds the RFC 5322 message for an outbox row (exposed for tests). */
typedef struct mail_msg {
	int64_t id;
	const char *to, *to_name, *subject, *text, *html, *unsub_url, *message_id;
	int64_t date;
} mail_msg;
char *mail_build(arena *a, const mail_msg *m, const char *from);
/* RFC 2047 encoded-word for a header value when it is not plain ASCII. */
char *mail_header_word(arena *a, const char *s);

#endif
