/* webhook_send.h: the webhook delivery worker (a thread inside `serve`). */
#ifndef CC_WEBHOOK_SEND_H
#define CC_WEBHOOK_SEND_H
#include "db/db.h"

/* Claims and sends due deliveries, at most max; returns how many were attempted or < 0. */
int webhook_send_due(db *d, int max);
/* Starts the worker thread: it sends due deliveries every second until stopped. */
void webhook_worker_start(db *d);
/* Stops it and waits for the delivery in progress, if any. */
void webhook_worker_stop(void);

#endif
