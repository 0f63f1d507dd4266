/* webhook.c: webhook endpoints, and their events queued as outbox rows in the writer's transaction. */
#include "model/webhook.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"

const char *const webhook_events[] = {"question.created", "answer.created", "post.flagged", NULL};

const char *webhook_url_check(const char *url)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0)
		return "Enter the address that should receive the events.";
	if (n > WEBHOOK_URL_MAX)
		return "The address must be at most 500 characters.";
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return "The address must start with https:// (or http:// for a receiver on your own network).";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == '"' || url[i] == '<' || url[i] == '>' || url[i] == 0x7f)
			return "The address must not contain spaces, quotes or control characters.";
	const char *host = strstr(url, "://") + 3;
	if (!*host || *host == '/')
		return "The address needs a host name.";
	return NULL;
}

static const dbq q_create = {
	"INSERT INTO webhooks (url, secret, events, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
	NULL};

int64_t webhook_create(dbc *c, arena *a, const char *url, const char *events, int64_t created_by)
{
	unsigned char raw[24];
	util_random(raw, sizeof raw);
	dbrows r;
	int rc = db_query(c, &q_create,
	                  DBP(dbs(url), dbs(arena_printf(a, "whsec_%s", util_hex(a, raw, sizeof raw))), dbs(events),
	                      created_by ? dbi(created_by) : dbnull(), dbi(util_now())),
	                  a, &r);
	if (rc < 0)
		return rc;
	return rc == 1 ? db_int(&r, 0, 0) : DB_ERR;
}

static const dbq q_delete = {"DELETE FROM webhooks WHERE id = $1", NULL};

int webhook_delete(dbc *c, int64_t id)
{
	return db_exec(c, &q_delete, DBP(dbi(id)));
}

static const dbq q_list = {"SELECT id, url, secret, events, active, created_at FROM webhooks ORDER BY id", NULL};

int webhook_list(dbc *c, arena *a, webhook **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBNOP, a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, webhook, rc);
	for (int i = 0; i < rc; i++) {
		webhook *w = &(*out)[i];
		w->id = db_int(&r, i, 0);
		w->url = db_text(&r, i, 1);
		w->secret = db_text(&r, i, 2);
		w->events = db_text(&r, i, 3);
		w->active = db_int(&r, i, 4) != 0;
		w->created_at = db_int(&r, i, 5);
	}
	return rc;
}

/* Deliveries are outbox rows of kind 'webhook' (mail/worker.c sends them; docs/mail.md). */
#define D_COLS                                                                                        \
	"o.id, o.webhook_id, o.attempts, o.next_at, o.created_at, COALESCE(o.sent_at, 0), o.http_status, " \
	"o.subject, o.body_text, o.status, o.last_error, o.to_addr"

static void read_d(const dbrows *r, int i, webhook_delivery *d)
{
	d->id = db_int(r, i, 0);
	d->webhook_id = db_int(r, i, 1);
	d->attempts = db_int(r, i, 2);
	d->next_attempt_at = db_int(r, i, 3);
	d->created_at = db_int(r, i, 4);
	d->delivered_at = db_int(r, i, 5);
	d->last_http_status = db_int(r, i, 6);
	d->event = db_text(r, i, 7);
	d->payload = db_text(r, i, 8);
	d->status = db_text(r, i, 9);
	d->last_error = db_text(r, i, 10);
	d->url = db_text(r, i, 11);
}

static const dbq q_log = {
	"SELECT " D_COLS " FROM outbox o WHERE o.kind = 'webhook' ORDER BY o.id DESC LIMIT $1", NULL};

int webhook_log(dbc *c, arena *a, int limit, webhook_delivery **out)
{
	dbrows r;
	int rc = db_query(c, &q_log, DBP(dbi(limit)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, webhook_delivery, rc);
	for (int i = 0; i < rc; i++)
		read_d(&r, i, &(*out)[i]);
	return rc;
}

static const dbq q_depth = {
	"SELECT count(*) FROM outbox WHERE kind = 'webhook' AND status IN ('queued', 'sending')", NULL};

int webhook_queue_depth(dbc *c, int64_t *out)
{
	int rc;
	*out = db_scalar(c, &q_depth, DBNOP, 0, &rc);
	return rc;
}

/* One outbox row per subscribed, active webhook; events is matched as a whole comma-separated
 * word. message_id (unique in the outbox) is made from the endpoint and a random nonce.
 * Not LIKE $4: SQLite compiles a statement again whenever a LIKE pattern is bound anew. */
#define EMIT_SQL(find)                                                                                          \
	"INSERT INTO outbox (kind, to_addr, subject, body_text, body_html, message_id, next_at, created_at, webhook_id) " \
	"SELECT 'webhook', url, $1, $2, '', 'webhook-' || id || '-' || CAST($5 AS TEXT), $3, $3, id FROM webhooks "    \
	"WHERE active = 1 AND " find "(',' || events || ',', $4) > 0"
static const dbq q_emit = {EMIT_SQL("instr"), EMIT_SQL("strpos")};
/* Whether any active webhook takes the event ($1 = ",event,"). */
#define WANTED_SQL(find) \
	"SELECT EXISTS (SELECT 1 FROM webhooks WHERE active = 1 AND " find "(',' || events || ',', $1) > 0)"
static const dbq q_wanted = {WANTED_SQL("instr"), WANTED_SQL("strpos")};

int webhook_emit(dbc *c, const char *event, const char *payload)
{
	char pat[80];
	snprintf(pat, sizeof pat, ",%s,", event);
	unsigned char raw[12];
	char nonce[2 * sizeof raw + 1];
	util_random(raw, sizeof raw);
	sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
	int64_t now = util_now();
	int rc = db_exec(c, &q_emit, DBP(dbs(event), dbs(payload), dbi(now), dbs(pat), dbs(nonce)));
	if (rc > 0)
		mail_kick(); /* the outbox worker looks once the transaction is committed */
	return rc;
}

static const dbq q_endpoint = {"SELECT url, secret, active FROM webhooks WHERE id = $1", NULL};

int webhook_endpoint(dbc *c, arena *a, int64_t id, webhook *out)
{
	dbrows r;
	int rc = db_query(c, &q_endpoint, DBP(dbi(id)), a, &r);
	if (rc == 1) {
		out->id = id;
		out->url = db_text(&r, 0, 0);
		out->secret = db_text(&r, 0, 1);
		out->active = db_int(&r, 0, 2) != 0;
	}
	return rc;
}

/* Wraps data into {"event", "occurred_at", "data"} and queues it. Takes data. */
static int emit_json(dbc *c, arena *a, const char *event, json_t *data)
{
	/* Most sites have no webhooks: a post does not build a payload nobody is sent. */
	int rc;
	if (db_scalar(c, &q_wanted, DBP(dbs(arena_printf(a, ",%s,", event))), 0, &rc) != 1) {
		json_decref(data);
		return rc < 0 ? rc : 0;
	}
	json_t *j = json_object();
	json_object_set_new(j, "event", json_string(event));
	json_object_set_new(j, "occurred_at", json_string(util_iso8601(a, util_now())));
	json_object_set_new(j, "data", data);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return DB_ERR;
	rc = webhook_emit(c, event, s);
	free(s);
	return rc;
}

int webhook_on_question(dbc *c, arena *a, int64_t id, int64_t topic_id, const char *title, const char *excerpt)
{
	json_t *d = json_object();
	json_object_set_new(d, "question_id", json_integer(id));
	json_object_set_new(d, "topic_id", json_integer(topic_id));
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "excerpt", json_string(excerpt ? excerpt : ""));
	json_object_set_new(d, "api_path", json_string(arena_printf(a, "/api/v1/questions/%lld", (long long)id)));
	return emit_json(c, a, "question.created", d);
}

int webhook_on_answer(dbc *c, arena *a, int64_t id, int64_t question_id)
{
	json_t *d = json_object();
	json_object_set_new(d, "answer_id", json_integer(id));
	json_object_set_new(d, "question_id", json_integer(question_id));
	json_object_set_new(d, "api_path",
	                    json_string(arena_printf(a, "/api/v1/questions/%lld/answers", (long long)question_id)));
	return emit_json(c, a, "answer.created", d);
}

int webhook_on_flag(dbc *c, arena *a, const char *post_type, int64_t post_id, const char *reason)
{
	json_t *d = json_object();
	json_object_set_new(d, "post_type", json_string(post_type));
	json_object_set_new(d, "post_id", json_integer(post_id));
	json_object_set_new(d, "reason", json_string(reason ? reason : ""));
	return emit_json(c, a, "post.flagged", d);
}

char *webhook_signature(arena *a, const char *secret, int64_t timestamp, const char *body)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];
	int tl = snprintf(ts, sizeof ts, "%lld.", (long long)timestamp);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)tl);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	return arena_printf(a, "t=%lld,v1=%s", (long long)timestamp, util_hex(a, mac, sizeof mac));
}
