/* worker.c: `carecircle worker`: outbox delivery as its own process (serve does the same in a
 * thread unless --mail-worker=false). --once delivers what is due and exits. */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "cmd/app.h"
#include "core/log.h"
#include "mail/mail.h"

static volatile bool stop_flag;

static void *signal_waiter(void *p)
{
	sigset_t *set = p;
	int sig = 0;
	sigwait(set, &sig);
	stop_flag = true;
	mail_kick();
	return NULL;
}

int cmd_worker(int argc, char **argv)
{
	config cfg;
	char err[512];
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle worker: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	bool once = app_has_flag(argc, argv, "once");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct app app;
	int rc = 1;
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle worker: %s\n", err);
		goto out;
	}
	pthread_t waiter;
	bool have_waiter = !once && pthread_create(&waiter, NULL, signal_waiter, &set) == 0;
	log_info("msg=\"mail worker\" transport=%s once=%d", cfg.smtp_url && *cfg.smtp_url ? "smtp" : "files",
	         once ? 1 : 0);
	int n = mail_worker_run(app.db, &cfg, &stop_flag, once);
	if (have_waiter) {
		pthread_cancel(waiter);
		pthread_join(waiter, NULL);
	}
	db_conn_release(app.db);
	log_info("msg=\"mail worker stopped\" delivered=%d", n < 0 ? 0 : n);
	rc = n < 0 ? 1 : 0;
out:
	app_close(&app);
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
