/* source.h: sources (title + URL) listed under a guide's answer or an article, shown as "Read more". */
#ifndef CC_SOURCE_H
#define CC_SOURCE_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

enum { SOURCES_MAX = 10, SOURCE_TITLE_MAX = 200, SOURCE_URL_MAX = 2000 };

typedef struct post_source {
	int64_t post_id;
	const char *title, *url;
} post_source;

/* True for an absolute http:// or https:// URL with a host and no spaces or control characters. */
bool source_url_ok(const char *url);
/* Parses a form field with one source a line, "Title | https://…" or just the URL. Returns the
 * count, or -1 with a message for the person (naming the line) in *why. */
int source_parse(arena *a, const char *text, post_source **out, const char **why);
/* Inserts the sources of a post (inside the caller's transaction). */
int source_insert(dbc *c, const char *post_type, int64_t post_id, const post_source *s, int n);
/* Replaces the sources of a post (inside the caller's transaction). */
int source_replace(dbc *c, const char *post_type, int64_t post_id, const post_source *s, int n);
/* The sources of one post, in order. */
int source_list(dbc *c, arena *a, const char *post_type, int64_t post_id, post_source **out);
/* The sources of every answer of a question (held ones too: match them to the answers shown),
 * ordered by answer then position. */
int source_list_question(dbc *c, arena *a, int64_t question_id, post_source **out);
/* Back to the form's text form, one "Title | URL" a line. */
char *source_format(arena *a, const post_source *s, int n);

#endif
