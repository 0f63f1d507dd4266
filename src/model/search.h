/* search.h: full-text search over questions, answers and articles (SQLite FTS5, PostgreSQL tsvector),
 * with the query widened by the lay vocabulary ("bp" also finds "hypertension"). */
#ifndef CC_SEARCH_H
#define CC_SEARCH_H
#include <stdint.h>

#include "db/db.h"
#include "model/vocab.h"

typedef struct search_hit {
	int64_t id, answer_count, created_at;
	const char *topic_slug, *topic_name, *slug, *title;
	const char *snippet; /* text with \x01 … \x02 around matched words */
	bool in_answer;      /* the best match was in an answer */
} search_hit;

typedef struct article_hit {
	const char *topic_slug, *topic_name, *slug, *title, *summary;
	const char *snippet; /* as above */
} article_hit;

/* SEARCH_CANDIDATES: how many of the newest matching questions, and of the newest matching answers,
 * are ranked (see search.c). */
enum { SEARCH_MAX_TERMS = 12, SEARCH_MAX_GROUP = 16, SEARCH_CANDIDATES = 2000 };

/* Turns what a person typed into an engine-safe query: words only, each quoted (SQLite FTS5) or a
 * to_tsquery expression (pg). Runs of words that name a condition or a medication in v (may be NULL)
 * become a group of alternatives: ("bp" OR "hypertension" OR "high blood pressure").
 * any = join the groups with OR instead of AND. Returns "" when nothing searchable is left. */
char *search_query(arena *a, const vocab *v, const char *text, bool any, bool pg);
/* PostgreSQL: the text form of a normalised tsquery with each phrase turned into the pair lexemes
 * the search columns also hold ('a' <-> 'b' <-> 'c' → ( 'a_b' & 'b_c' )), so GIN finds phrases
 * without rechecking rows; NULL when the text has a shape it does not handle. *exact is false when
 * the result is looser than the phrases (three words or more, or words a stop word apart), so the
 * rows it finds must still be checked against tsq. */
char *search_pg_pairs(arena *a, const char *tsq, bool *exact);
/* Questions whose title, body or any published answer match, best first; topic may be NULL or "".
 * Leaves out members-only questions (what a guest may see).
 * Returns the hit count on this page or < 0; *total is the number of matching questions. */
int search_questions(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                     search_hit **out, int64_t *total);
/* The same; members-only questions (and their answers) are left out unless members is true. */
int search_questions_as(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                        bool members, search_hit **out, int64_t *total);
/* SQLite: indexes up to max answers waiting in answers_fts_queue (migration 146), oldest first, in
 * one transaction. Returns how many (0 on PostgreSQL, whose search tables follow by triggers) or
 * < 0. search_questions runs it first; serve runs it twice a second; bulk commands until 0. */
int search_index_queued(dbc *c, int max);
/* All of them, in transactions of SEARCH_INDEX_BATCH: for commands that add many answers. */
int search_index_all(dbc *c);
enum { SEARCH_INDEX_BATCH = 5000 };
/* Published articles that match, best first. */
int search_articles(dbc *c, arena *a, const char *text, const char *topic, int limit, article_hit **out);
/* Questions like the given text (a title while asking, or a question page), any word matching,
 * best first, without exclude_id. */
int search_similar(dbc *c, arena *a, const char *text, int64_t exclude_id, int limit, search_hit **out);

#endif
