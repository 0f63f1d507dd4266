/* webhook.h: webhooks: endpoints admins register for events, and their deliveries.
 *
 * A delivery is an outbox row of kind 'webhook' (the same durable queue as mail): it is
 * queued inside the transaction that makes the event happen, then the outbox worker
 * (mail/worker.c) claims it with a lease, POSTs it with an HMAC-SHA256 signature
 * (mail/hook.c), and records the outcome, retrying failures with backoff. Delivery is at
 * least once: receivers dedupe by the X-Carecircle-Delivery id (the outbox id). */
#ifndef CC_WEBHOOK_H
#define CC_WEBHOOK_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

enum { WEBHOOK_URL_MAX = 500, WEBHOOK_MAX_ATTEMPTS = 10, WEBHOOK_RETRY_BASE = 2 /* seconds */, WEBHOOK_RETRY_MAX = 3600 };

/* The events a webhook can subscribe to, ending with NULL. */
extern const char *const webhook_events[];

typedef struct webhook {
	int64_t id, created_at;
	const char *url, *secret, *events;
	bool active;
} webhook;

/* One delivery (an outbox row); status is the outbox's: queued, sending, sent, failed. */
typedef struct webhook_delivery {
	int64_t id, webhook_id, attempts, next_attempt_at, created_at, delivered_at, last_http_status;
	const char *event, *payload, *status, *last_error, *url;
} webhook_delivery;

/* NULL when url is an acceptable endpoint (http or https, no spaces, at most 500 bytes). */
const char *webhook_url_check(const char *url);
/* events is a comma-separated list of names from webhook_events. Returns the id or < 0. */
int64_t webhook_create(dbc *c, arena *a, const char *url, const char *events, int64_t created_by);
int webhook_delete(dbc *c, int64_t id);
int webhook_list(dbc *c, arena *a, webhook **out);
/* The endpoint's current URL, secret and state (the sender signs with it). 1, 0 gone, < 0. */
int webhook_endpoint(dbc *c, arena *a, int64_t id, webhook *out);
/* Recent deliveries (all webhooks), newest first. */
int webhook_log(dbc *c, arena *a, int limit, webhook_delivery **out);
/* Queued or in-flight deliveries (for /metrics). */
int webhook_queue_depth(dbc *c, int64_t *out);

/* Queues payload (a JSON object text) as an outbox row for every active webhook subscribed to
 * event. Call it inside the transaction of the change. Returns rows queued or < 0. */
int webhook_emit(dbc *c, const char *event, const char *payload);
/* The events themselves (payloads carry ids and public fields only, never who is behind an
 * anonymous post). */
int webhook_on_question(dbc *c, arena *a, int64_t id, int64_t topic_id, const char *title, const char *excerpt);
int webhook_on_answer(dbc *c, arena *a, int64_t id, int64_t question_id);
int webhook_on_flag(dbc *c, arena *a, const char *post_type, int64_t post_id, const char *reason);

/* "t=TIMESTAMP,v1=HEX" where HEX = HMAC-SHA256(secret, TIMESTAMP "." body). */
char *webhook_signature(arena *a, const char *secret, int64_t timestamp, const char *body);

#endif
