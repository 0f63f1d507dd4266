/* webhook_send.c: sends queued webhook deliveries: claim, POST with an HMAC signature, confirm. */
#include "cmd/webhook_send.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "model/webhook.h"

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* POSTs one delivery; fills the HTTP status (0 when none) and an error sentence. */
static bool post(arena *a, const webhook_delivery *d, long *status, const char **error)
{
	CURL *h = curl_easy_init();
	if (!h) {
		*error = "cannot start an HTTP client";
		return false;
	}
	int64_t now = util_now();
	struct curl_slist *hl = NULL;
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "User-Agent: carecircle-webhooks/1");
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Event: %s", d->event));
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Delivery: %lld", (long long)d->id));
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Signature: %s",
	                                        webhook_signature(a, d->secret, now, d->payload)));
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, d->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, d->payload);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(d->payload));
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(h);
	*status = 0;
	bool ok = false;
	if (rc != CURLE_OK) {
		*error = arena_strdup(a, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		ok = *status >= 200 && *status < 300;
		*error = ok ? "" : arena_printf(a, "the receiver answered HTTP %ld", *status);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return ok;
}

/* Set when serve is stopping: the current delivery finishes, no new one starts. */
static atomic_bool stop_now;

int webhook_send_due(db *d, int max)
{
	dbc *c = db_conn(d);
	if (!c)
		return DB_ERR;
	int n = 0;
	arena *a = arena_new(0);
	for (; n < max && !atomic_load(&stop_now); n++) {
		arena_reset(a);
		webhook_delivery w;
		int rc = webhook_claim(c, a, &w);
		if (rc < 0) {
			arena_free(a);
			return rc;
		}
		if (rc == 0)
			break;
		long status;
		const char *error;
		bool ok = post(a, &w, &status, &error);
		if (webhook_confirm(c, &w, ok, (int)status, error) < 0)
			log_warn("msg=\"webhook outcome not saved\" delivery=%lld", (long long)w.id);
		if (ok)
			log_info("msg=\"webhook delivered\" delivery=%lld event=%s status=%ld attempt=%lld", (long long)w.id,
			         w.event, status, (long long)w.attempts);
		else
			log_warn("msg=\"webhook failed\" delivery=%lld event=%s attempt=%lld err=\"%s\"", (long long)w.id,
			         w.event, (long long)w.attempts, error);
	}
	arena_free(a);
	return n;
}

static pthread_t worker;
static bool running, stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static void *loop(void *p)
{
	db *d = p;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		webhook_send_due(d, 50);
		pthread_mutex_lock(&lock);
		if (stopping)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	db_conn_release(d);
	return NULL;
}

void webhook_worker_start(db *d)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	stopping = false;
	atomic_store(&stop_now, false);
	running = pthread_create(&worker, NULL, loop, d) == 0;
}

void webhook_worker_stop(void)
{
	if (!running)
		return;
	atomic_store(&stop_now, true);
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(worker, NULL);
	running = false;
	curl_global_cleanup();
}
