/* test_webhooks.c: webhooks against a local receiver: a question posted on the site reaches the
 * receiver signed with HMAC-SHA256; a failed delivery is retried; the log shows the outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <unistd.h>

#include "captcha_answer.h"
#include "harness.h"
#include "sink.h"

static srv S;

/* The webhook receiver (sink.h): records each request, answers statuses from R.script. */
static hook_rx R;

/* Checks "t=TIME,v1=HEX" against HMAC-SHA256(secret, "TIME." body). */
static bool signature_ok(const char *sig, const char *secret, const char *body)
{
	long long t;
	char hex[80];
	if (sscanf(sig, "t=%lld,v1=%64s", &t, hex) != 2)
		return false;
	char prefix[32];
	int pl = snprintf(prefix, sizeof prefix, "%lld.", t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)pl);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	char want[65];
	sodium_bin2hex(want, sizeof want, mac, sizeof mac);
	return strcmp(want, hex) == 0;
}

static int setup(void **state)
{
	if (sodium_init() < 0 || hook_rx_start(&R) != 0)
		return -1;
	if (srv_start(&S, NULL) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	hook_rx_stop(&R);
	return srv_stop(&S) == 0 ? 0 : -1;
}

static char *add_webhook(client *a, const char *url, const char *events_form, long want)
{
	resp *r = http_get(a, "/admin/webhooks");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "action", "create", "url", url, NULL);
	char body[2048];
	snprintf(body, sizeof body, "%s%s", f, events_form);
	r = http_post(a, "/admin/webhooks", body);
	assert_int_equal(r->status, want);
	free(tok);
	free(f);
	if (want != 303)
		return NULL;
	r = http_follow(a, r);
	assert_true(has(r, "The webhook is added."));
	const char *p = strstr(r->body, "<code id=\"secret-");
	assert_non_null(p);
	p = strchr(p, '>') + 1;
	return strndup(p, strcspn(p, "<"));
}

static void test_validation(void **state)
{
	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", "demo-password-1"), 0);
	add_webhook(a, "ftp://example.org/x", "&event=question.created", 422);
	add_webhook(a, "https://example.org/hook", "", 422);
	assert_true(has(http_get(a, "/admin/webhooks"), "No webhooks yet."));
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "priya", "demo-password-1"), 0);
	assert_int_equal(http_get(m, "/admin/webhooks")->status, 403);
	client_free(m);
	client_free(a);
}

static void test_delivery_and_retry(void **state)
{
	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", "demo-password-1"), 0);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", R.port);
	pthread_mutex_lock(&R.lock);
	R.script[0] = 500; /* the first attempt fails; the retry succeeds */
	pthread_mutex_unlock(&R.lock);
	char *secret = add_webhook(a, url, "&event=question.created&event=answer.created", 303);
	assert_true(strncmp(secret, "whsec_", 6) == 0);

	/* A guest asks through the ordinary form. */
	client *g = client_new(&S);
	resp *r = http_get(g, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	char *body = form("csrf", tok, "title", "Can caffeine set off the spasm?", "body",
	                  "Every time I drink strong coffee the twitching seems to start within the hour.", "guest_name",
	                  "Ana", "captcha_token", ct, "captcha_answer", ca, "action", "post", NULL);
	free(ct);
	free(ca);
	r = http_post(g, "/hemifacial-spasm/ask", body);
	assert_int_equal(r->status, 303);
	free(tok);
	free(body);

	assert_true(hook_rx_wait(&R, 2, 20));
	pthread_mutex_lock(&R.lock);
	hook_hit h1 = R.hits[0], h2 = R.hits[1];
	pthread_mutex_unlock(&R.lock);
	assert_string_equal(h1.event, "question.created");
	assert_string_equal(h1.delivery, h2.delivery); /* the same delivery, retried */
	assert_true(signature_ok(h1.signature, secret, h1.body));
	assert_true(signature_ok(h2.signature, secret, h2.body));
	assert_false(signature_ok(h2.signature, "whsec_wrong", h2.body));
	json_t *j = json_loads(h2.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "question.created");
	json_t *d = json_object_get(j, "data");
	assert_string_equal(json_string_value(json_object_get(d, "title")), "Can caffeine set off the spasm?");
	assert_null(json_object_get(d, "guest_name"));
	json_decref(j);

	/* The log shows it delivered on the second attempt. */
	bool delivered = false;
	for (int i = 0; i < 50 && !delivered; i++) {
		r = http_get(a, "/admin/webhooks");
		delivered = has(r, "<td class=\"delivery-status\">delivered</td><td>2</td><td>HTTP 200</td>");
		if (!delivered)
			usleep(100 * 1000);
	}
	assert_true(delivered);
	assert_true(has(r, "question.created"));

	client_free(g);
	r = http_get(a, "/metrics");
	assert_true(has(r, "carecircle_webhook_queue_depth 0"));
	client_free(a);
	free(secret);
}

/* The path of the newest hemifacial-spasm question plus suffix ("/answers", "/flag"); its id. */
static long long question_path(client *c, const char *suffix, char *out, size_t n)
{
	resp *r = http_get(c, "/hemifacial-spasm");
	const char *q = strstr(r->body, "/hemifacial-spasm/questions/");
	assert_non_null(q);
	snprintf(out, n, "%.*s%s", (int)(strcspn(q + 28, "-\"") + 28), q, suffix);
	return strtoll(q + 28, NULL, 10);
}

static void test_answer_event_and_delete(void **state)
{
	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", "demo-password-1"), 0);
	int before = hook_rx_count(&R);
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "jose_rn", "demo-password-1"), 0);
	char path[256];
	question_path(m, "/answers", path, sizeof path);
	resp *r = http_get(m, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "body", "Caffeine is a common trigger; try cutting down for two weeks.", NULL);
	r = http_post(m, path, body);
	assert_int_equal(r->status, 303);
	free(tok);
	free(body);
	assert_true(hook_rx_wait(&R, before + 1, 10));
	pthread_mutex_lock(&R.lock);
	assert_string_equal(R.hits[before].event, "answer.created");
	pthread_mutex_unlock(&R.lock);

	/* Deleted webhooks get nothing more. */
	r = http_get(a, "/admin/webhooks");
	char *csrf = csrf_of(r);
	const char *idp = strstr(r->body, "name=\"id\" value=\"");
	assert_non_null(idp);
	idp += strlen("name=\"id\" value=\"");
	char id[24];
	snprintf(id, sizeof id, "%.*s", (int)strcspn(idp, "\""), idp);
	body = form("csrf", csrf, "action", "delete", "id", id, NULL);
	r = http_post(a, "/admin/webhooks", body);
	assert_int_equal(r->status, 303);
	free(csrf);
	free(body);
	r = http_get(m, "/hemifacial-spasm/ask");
	tok = csrf_of(r);
	body = form("csrf", tok, "body", "One more answer after the webhook is gone.", NULL);
	r = http_post(m, path, body);
	assert_int_equal(r->status, 303);
	free(tok);
	free(body);
	int after = hook_rx_count(&R);
	sleep(2);
	assert_int_equal(hook_rx_count(&R), after);
	client_free(m);
	client_free(a);
}

/* A reader's report reaches a webhook subscribed to post.flagged, signed, through the outbox
 * (the admin's outbox page lists it among the mail); the report's note and reporter never leave. */
static void test_flag_event(void **state)
{
	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", "demo-password-1"), 0);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/flags", R.port);
	char *secret = add_webhook(a, url, "&event=post.flagged", 303);
	int before = hook_rx_count(&R);

	client *m = client_new(&S);
	assert_int_equal(login_as(m, "tom_h", "demo-password-1"), 0);
	char path[256];
	long long qid = question_path(m, "/flag", path, sizeof path);
	resp *r = http_get(m, path);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "reason", "misinformation", "note", "My private note about tom", NULL);
	r = http_post(m, path, body);
	assert_int_equal(r->status, 303);
	free(tok);
	free(body);

	assert_true(hook_rx_wait(&R, before + 1, 15));
	pthread_mutex_lock(&R.lock);
	hook_hit h = R.hits[before];
	pthread_mutex_unlock(&R.lock);
	assert_string_equal(h.event, "post.flagged");
	assert_true(signature_ok(h.signature, secret, h.body));
	json_t *j = json_loads(h.body, 0, NULL);
	assert_non_null(j);
	json_t *d = json_object_get(j, "data");
	assert_string_equal(json_string_value(json_object_get(d, "post_type")), "question");
	assert_int_equal(json_integer_value(json_object_get(d, "post_id")), qid);
	assert_string_equal(json_string_value(json_object_get(d, "reason")), "misinformation");
	json_decref(j);
	assert_null(strstr(h.body, "private note"));
	assert_null(strstr(h.body, "tom_h"));

	/* One queue: the delivery is an outbox row (the id in the header is the outbox id). */
	bool logged = false;
	for (int i = 0; i < 50 && !logged; i++) {
		r = http_get(a, "/admin/webhooks");
		logged = has(r, "post.flagged</td>") && has(r, "<td class=\"delivery-status\">delivered</td><td>1</td>");
		if (!logged)
			usleep(100 * 1000);
	}
	assert_true(logged);
	char ref[64];
	snprintf(ref, sizeof ref, "#%s", h.delivery);
	assert_true(has(r, ref));
	r = http_get(a, "/metrics");
	assert_true(has(r, "carecircle_outbox_depth "));
	assert_true(has(r, "carecircle_webhook_queue_depth 0"));
	free(secret);
	client_free(m);
	client_free(a);
}

/* A receiver that keeps failing: every attempt is logged with its answer, and the delivery
 * waits longer each time (2 s, then 4 s). */
static void test_attempts_logged(void **state)
{
	client *a = client_new(&S);
	assert_int_equal(login_as(a, "admin", "demo-password-1"), 0);
	/* Start from no webhooks, so only the new one hears the question below. */
	for (;;) {
		resp *r = http_get(a, "/admin/webhooks");
		const char *idp = strstr(r->body, "name=\"id\" value=\"");
		if (!idp)
			break;
		idp += strlen("name=\"id\" value=\"");
		char id[24];
		snprintf(id, sizeof id, "%.*s", (int)strcspn(idp, "\""), idp);
		char *csrf = csrf_of(r);
		char *body = form("csrf", csrf, "action", "delete", "id", id, NULL);
		assert_int_equal(http_post(a, "/admin/webhooks", body)->status, 303);
		free(csrf);
		free(body);
	}
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/down", R.port);
	char *secret = add_webhook(a, url, "&event=answer.created", 303);
	int before = hook_rx_count(&R);
	pthread_mutex_lock(&R.lock);
	for (int i = before; i < before + 3 && i < 8; i++)
		R.script[i] = 503;
	pthread_mutex_unlock(&R.lock);
	client *m = client_new(&S);
	assert_int_equal(login_as(m, "jose_rn", "demo-password-1"), 0);
	char path[256];
	question_path(m, "/answers", path, sizeof path);
	resp *r = http_get(m, "/hemifacial-spasm/ask");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "body", "Rest and a warm compress help some people.", NULL);
	assert_int_equal(http_post(m, path, body)->status, 303);
	free(tok);
	free(body);
	assert_true(hook_rx_wait(&R, before + 2, 20));
	bool waiting = false;
	for (int i = 0; i < 50 && !waiting; i++) {
		r = http_get(a, "/admin/webhooks");
		waiting = has(r, "<td class=\"delivery-status\">waiting to retry</td><td>2</td><td>the receiver answered HTTP 503</td>");
		if (!waiting)
			usleep(100 * 1000);
	}
	assert_true(waiting);
	pthread_mutex_lock(&R.lock);
	assert_string_equal(R.hits[before].delivery, R.hits[before + 1].delivery);
	pthread_mutex_unlock(&R.lock);
	free(secret);
	client_free(m);
	client_free(a);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_delivery_and_retry),
		cmocka_unit_test(test_answer_event_and_delete),
		cmocka_unit_test(test_flag_event),
		cmocka_unit_test(test_attempts_logged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
