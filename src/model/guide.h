/* guide.h: a guide's followed topics and queue of unanswered questions. */
#ifndef CC_GUIDE_H
#define CC_GUIDE_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

typedef struct guide_topic {
	int64_t id;
	const char *slug, *name;
	int64_t unanswered;
	bool followed, notify; /* notify: emails about its new questions (only while followed) */
} guide_topic;

typedef struct queue_item {
	int64_t id, created_at;
	const char *topic_slug, *topic_name, *slug, *title, *excerpt;
} queue_item;

/* Every topic with its count of unanswered questions and whether user_id follows it. */
int guide_topic_counts(dbc *c, arena *a, int64_t user_id, guide_topic **out);
/* Replaces the followed topics of user_id in one transaction. notify_ids (nn of them) are the
 * followed topics whose new questions are emailed; with nn < 0 a topic followed before keeps
 * its setting and a newly followed one is emailed. */
int guide_follow_set(dbc *c, arena *a, int64_t user_id, const int64_t *topic_ids, int n, const int64_t *notify_ids,
                     int nn);
/* Turns the emails about one followed topic on or off (off also drops its notices still waiting
 * in the outbox, so an unsubscribe stops at once). Returns the rows changed (0: not followed). */
int guide_notify_set(dbc *c, arena *a, int64_t user_id, int64_t topic_id, bool on);
/* Unanswered questions, oldest first: in the followed topics, or everywhere when none is followed. */
int guide_queue(dbc *c, arena *a, int64_t user_id, int limit, queue_item **out);

/* A guide to email about a new question. */
typedef struct guide_recipient {
	int64_t user_id;
	const char *email, *name;
} guide_recipient;

/* Guides to tell about a new question in topic_id: active guides (or staff) with a verified
 * address who follow it with notify on; never author_id (0: a guest), and not someone who gets
 * the topic's subscriber email for it anyway. Returns the count. */
int guide_notify_list(dbc *c, arena *a, int64_t topic_id, int64_t author_id, guide_recipient **out);

#endif
