/* hook.c: the outbox's HTTP transport: POSTs a webhook row to its endpoint with the HMAC
 * signature header (worker.c claims and confirms it like any other outbox row). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "mail/mail.h"
#include "model/webhook.h"

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

int mail_send_webhook(dbc *c, arena *a, const mail_hook *h, long *status, char *why, size_t whylen)
{
	*status = 0;
	webhook w;
	int rc = webhook_endpoint(c, a, h->webhook_id, &w);
	if (rc < 0) {
		snprintf(why, whylen, "the webhook could not be read: %s", db_strerror(rc));
		return 1;
	}
	if (rc == 0 || !w.active) {
		snprintf(why, whylen, "the webhook was removed or switched off");
		return 2;
	}
	CURL *e = curl_easy_init();
	if (!e) {
		snprintf(why, whylen, "libcurl could not start");
		return 1;
	}
	struct curl_slist *hl = NULL;
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "User-Agent: carecircle-webhooks/1");
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Event: %s", h->event));
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Delivery: %lld", (long long)h->id));
	hl = curl_slist_append(hl, arena_printf(a, "X-Carecircle-Signature: %s",
	                                        webhook_signature(a, w.secret, util_now(), h->payload)));
	hl = curl_slist_append(hl, "Expect:");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(e, CURLOPT_URL, w.url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->payload);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(h->payload));
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L); /* well inside the outbox lease */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode cc = curl_easy_perform(e);
	int out = 0;
	if (cc != CURLE_OK) {
		snprintf(why, whylen, "%s", *errbuf ? errbuf : curl_easy_strerror(cc));
		out = 1;
	} else {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
		if (*status < 200 || *status >= 300) {
			snprintf(why, whylen, "the receiver answered HTTP %ld", *status);
			out = 1; /* a receiver that is down or misconfigured may be fixed: retry */
		}
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(e);
	return out;
}
