/* pageviews.h: first-party analytics: page views per day, page kind and topic (counts only). */
#ifndef CC_PAGEVIEWS_H
#define CC_PAGEVIEWS_H
#include <stdint.h>

#include "db/db.h"

typedef struct pv_row {
	const char *key;   /* day as ISO date, page kind, or topic slug */
	const char *label; /* topic name for topics, else NULL */
	int64_t day, views;
} pv_row;

/* Adds n views to (day, kind, topic). */
int pageviews_add(dbc *c, int64_t day, const char *kind, const char *topic, int64_t n);
/* Totals since `since` (unix seconds), largest first (days: newest first). Return rows or < 0. */
int pageviews_by_day(dbc *c, arena *a, int64_t since, pv_row **out);
int pageviews_by_kind(dbc *c, arena *a, int64_t since, pv_row **out);
int pageviews_by_topic(dbc *c, arena *a, int64_t since, pv_row **out);

#endif
