/* article.h: a topic's guide articles (markdown, summary, sources, reviewer and review date). */
#ifndef CC_ARTICLE_H
#define CC_ARTICLE_H
#include <stdint.h>

#include "db/db.h"
#include "model/source.h"

enum { ATITLE_MIN = 5, ATITLE_MAX = 150, ASUMMARY_MAX = 300, ABODYX_MIN = 50, ABODYX_MAX = 60000 };

typedef struct article {
	int64_t id, topic_id;
	const char *topic_slug, *topic_name;
	const char *slug, *title, *summary, *body_md, *body_html;
	const char *author_username, *author_name;     /* "" when unknown */
	const char *reviewer_username, *reviewer_name; /* "" when not reviewed */
	int64_t reviewed_at, created_at, updated_at;
} article;

typedef struct article_new {
	int64_t topic_id;
	const char *slug; /* NULL or "" = made from the title */
	const char *title, *summary, *body_md;
	int64_t author_id, reviewer_id; /* 0 = none */
	int64_t reviewed_at;            /* 0 = not reviewed */
	int64_t created_at;             /* 0 = now */
	const post_source *sources;
	int nsources;
} article_new;

/* What is wrong with a new article's address (NULL when fine): slug is 2-60 of a-z, 0-9 and
 * single dashes and not "new", or "" to make one from the title (which then needs letters). */
const char *article_slug_problem(arena *a, const char *slug, const char *title);
/* The article form's rules for text that does not come through a form (import): the slug as
 * above, title, summary and body as valid UTF-8 within the limits above, in code points.
 * NULL when fine, else a sentence and *field. */
const char *article_check(arena *a, const article_new *n, const char **field);
/* Inserts an article and its sources in one transaction; returns the id, DB_CONSTRAINT when the
 * slug is taken in that topic, or another error. */
int64_t article_create(dbc *c, arena *a, const article_new *n);
/* Updates title, summary, body, reviewer and sources of article id in one transaction. */
int article_update(dbc *c, arena *a, int64_t id, const article_new *n);
int article_by_slug(dbc *c, arena *a, int64_t topic_id, const char *slug, article *out);
/* Published articles of a topic, oldest first (the guide's reading order). */
int article_list_topic(dbc *c, arena *a, int64_t topic_id, article **out);
/* Published articles, most recently updated first (feeds, sitemap). topic_id 0 = all. */
int article_list_recent(dbc *c, arena *a, int64_t topic_id, int limit, article **out);

#endif
