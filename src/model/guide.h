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
	bool followed;
} guide_topic;

typedef struct queue_item {
	int64_t id, created_at;
	const char *topic_slug, *topic_name, *slug, *title, *excerpt;
} queue_item;

/* Every topic with its count of unanswered questions and whether user_id follows it. */
int guide_topic_counts(dbc *c, arena *a, int64_t user_id, guide_topic **out);
/* Replaces the followed topics of user_id in one transaction. */
int guide_follow_set(dbc *c, int64_t user_id, const int64_t *topic_ids, int n);
/* Unanswered questions, oldest first: in the followed topics, or everywhere when none is followed. */
int guide_queue(dbc *c, arena *a, int64_t user_id, int limit, queue_item **out);

/* Guides to tell about a new question in topic_id (they follow it and want notices); for the
 * outbox once it exists. Returns the count of user ids. */
int guide_notify_list(dbc *c, arena *a, int64_t topic_id, int64_t **user_ids);

#endif
