/* topic_related.h: "related topics" shown on a condition guide. */
#ifndef CC_TOPIC_RELATED_H
#define CC_TOPIC_RELATED_H
#include <stdint.h>

#include "db/db.h"
#include "model/topic.h"

/* Links topic_id to the topic with slug related (ignored when that topic does not exist). */
int topic_related_add(dbc *c, int64_t topic_id, const char *related_slug, int position);
/* The related topics of a topic, in order (only slug, name and summary are filled). */
int topic_related_list(dbc *c, arena *a, int64_t topic_id, topic **out);

#endif
