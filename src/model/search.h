/* search.h: full-text search over questions (SQLite FTS5, PostgreSQL tsvector). */
#ifndef CC_SEARCH_H
#define CC_SEARCH_H
#include <stdint.h>

#include "db/db.h"

typedef struct search_hit {
	int64_t id, answer_count, created_at;
	const char *topic_slug, *topic_name, *slug, *title;
	const char *snippet; /* text with \x01 … \x02 around matched words */
} search_hit;

enum { SEARCH_MAX_TERMS = 12 };

/* Turns what a person typed into an engine-safe query: words only, each quoted.
 * Returns "" when nothing searchable is left. any = join with OR instead of AND. */
char *search_fts_query(arena *a, const char *text, bool any);
/* Runs a search; topic may be NULL or "". Returns the hit count on this page or < 0. */
int search_questions(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                     search_hit **out, int64_t *total);

#endif
