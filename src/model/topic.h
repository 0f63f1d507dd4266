/* topic.h: condition topics (slug, name, summary, guide overview). */
#ifndef CC_TOPIC_H
#define CC_TOPIC_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

typedef struct topic {
	int64_t id;
	const char *slug, *name, *summary, *overview_md, *overview_html;
	int64_t question_count;
} topic;

/* Names that share the first path segment with topic slugs and so cannot be slugs. */
bool topic_slug_reserved(const char *slug);
/* Lowercase a-z, 0-9 and single dashes, 2-60 long, not reserved. */
bool topic_slug_valid(const char *slug);

int topic_by_slug(dbc *c, arena *a, const char *slug, topic *out);
int topic_by_id(dbc *c, arena *a, int64_t id, topic *out);
/* All topics by name. */
int topic_list(dbc *c, arena *a, topic **out);
/* Every topic's id and slug only (the other fields empty): all that linking names needs, without
 * reading each topic's overview. */
int topic_slugs(dbc *c, arena *a, topic **out);
/* Creates or updates by slug (overview rendered from markdown). Returns the id or < 0. */
int64_t topic_upsert(dbc *c, arena *a, const char *slug, const char *name, const char *summary,
                     const char *overview_md);

#endif
