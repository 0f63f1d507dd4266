/* autolink.h: markdown rendered with condition and medication names linked to their topic pages. */
#ifndef CC_AUTOLINK_H
#define CC_AUTOLINK_H
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* Renders md like md_render and links the first mention of each condition or medication whose
 * topic exists here, except the topic the post belongs to (exclude_topic_id, 0 for none).
 * Falls back to plain rendering when the topics cannot be read. */
char *autolink_render(dbc *c, arena *a, const char *md, size_t n, int64_t exclude_topic_id);
/* The same for a post under a question (its topic is looked up). */
char *autolink_render_answer(dbc *c, arena *a, const char *md, size_t n, int64_t question_id);

#endif
