/* serve.c: `carecircle serve`: migrate, listen, run maintenance, stop gracefully on a signal. */
#include <curl/curl.h>
#include <malloc.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/app.h"
#include "core/log.h"
#include "http/server.h"
#include "mail/mail.h"
#include "model/image.h"
#include "model/search.h"
#include "model/session.h"
#include "core/util.h"
#include "safety/ipkey.h"
#include "web/engage.h"
#include "web/pagecache.h"
#include "web/safety.h"
#include "model/webhook.h"
#include "web/metrics.h"
#include "web/frontend.h"

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

/* Twice a second: polls for other nodes' changes, indexes queued answers, hands freed memory
 * back. Every 5 seconds: writes batched view counts. Hourly: purges old sessions, signups,
 * address keys, post hashes and images never posted. */
static void *maintenance(void *p)
{
	struct app *app = p;
	time_t last_purge = 0, last_views = 0;
	pthread_mutex_lock(&stop_lock);
	while (!stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&stop_cond, &stop_lock, &until);
		pthread_mutex_unlock(&stop_lock);
		/* Other nodes' changes reach this node's page cache within half a second. Pages are
		 * read from the replica when there is one, so follow the changes as it sees them. */
		pagecache_poll(db_conn(app->replica ? app->replica : app->db));
		/* Answers posted since the last tick join the search index together (migration 146). */
		dbc *ic = db_conn(app->db);
		if (ic && search_index_queued(ic, SEARCH_INDEX_BATCH) < 0)
			log_warn("msg=\"queued answers not indexed\" err=\"%s\"", db_errmsg(ic));
		time_t now = time(NULL);
		/* Hand memory that threads freed back to the system: request arenas and page caches
		 * come and go, and glibc keeps what each thread's malloc arena freed. */
		malloc_trim(0);
		if (now - last_views >= 5) {
			web_views_flush(app->db);
			analytics_flush(app->db);
			last_views = now;
		}
		if (now - last_purge > 3600) {
			dbc *c = db_conn(app->db);
			if (c) {
				session_purge(c);
				engage_signup_purge(c, util_now());
				ipkey_purge(c, util_now(), app->cfg->ip_retention_days);
				safety_purge_hashes(c, util_now());
				image_purge_pending(c, util_now() - 86400); /* stored by a form, never posted */
			}
			last_purge = now;
		}
		pthread_mutex_lock(&stop_lock);
	}
	pthread_mutex_unlock(&stop_lock);
	db_conn_release(app->db);
	return NULL;
}

int cmd_serve(int argc, char **argv)
{
	config cfg;
	char err[512];
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle serve: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	/* Four malloc arenas for some fifty threads instead of glibc's eight per core: each arena
	 * keeps what its threads freed, and under a posting load that was the larger part of the
	 * memory (about 5 MB less; no slower measured). MALLOC_ARENA_MAX still overrides it. */
	if (!getenv("MALLOC_ARENA_MAX"))
		mallopt(M_ARENA_MAX, 4);
	/* Block the stop signals before any thread starts so only sigwait sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	struct app app;
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle serve: %s\n", err);
		app_close(&app);
		config_free(&cfg);
		return 1;
	}
	struct http_opts o = {
		.listen = cfg.listen,
		.threads = cfg.threads,
		.write_threads = cfg.write_threads,
		.max_body = (size_t)cfg.max_body_kb * 1024,
		.max_connections = cfg.max_connections,
		.conn_timeout = cfg.conn_timeout,
		.access_log = cfg.access_log,
		.trusted_proxies = cfg.trusted_proxies,
		.app = &app,
		.handle = web_dispatch,
		.error = web_error_page,
		.body_limit = web_body_limit,
		.done = metrics_observe,
	};
	metrics_gauge("outbox_depth", mail_outbox_depth);
	metrics_gauge("webhook_queue_depth", webhook_queue_depth);
	pagecache_init((size_t)cfg.page_cache_mb << 20, cfg.page_cache_ttl);
	/* Take the change token now, before the first page can be cached: a change made by
	 * another node between now and the first poll must still drop what this node caches. */
	pagecache_poll(db_conn(app.replica ? app.replica : app.db));
	http_server *srv = http_start(&o, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "carecircle serve: %s\n", err);
		app_close(&app);
		config_free(&cfg);
		return 1;
	}
	pthread_t maint;
	pthread_create(&maint, NULL, maintenance, &app);
	if (cfg.mail_worker && mail_thread_start(app.db, &cfg) != 0)
		log_warn("msg=\"mail delivery thread did not start\"");
	log_info("msg=\"serving\" listen=%s port=%d db=%s engine=%s", cfg.listen, http_port(srv),
	         strncmp(cfg.db, "postgres", 8) == 0 ? "postgres://…" : cfg.db, db_engine_name(app.db));

	int sig = 0;
	sigwait(&set, &sig);
	log_info("msg=\"stopping\" signal=%s", sig == SIGTERM ? "TERM" : "INT");
	http_stop(srv, 15000);
	pthread_mutex_lock(&stop_lock);
	stopping = true;
	pthread_cond_signal(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
	pthread_join(maint, NULL);
	mail_thread_stop();
	web_views_flush(app.db);
	analytics_flush(app.db);
	pagecache_shutdown();
	app_close(&app);
	config_free(&cfg);
	curl_global_cleanup();
	log_info("msg=\"stopped\"");
	return 0;
}
