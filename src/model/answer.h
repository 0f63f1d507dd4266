/* answer.h: answers (shown as comments) on a question, oldest first. */
#ifndef CC_ANSWER_H
#define CC_ANSWER_H
#include <stdint.h>

#include "db/db.h"
#include "model/author.h"

enum { ABODY_MIN = 2, ABODY_MAX = 20000 };

typedef struct answer {
	int64_t id, question_id;
	const char *body_md, *body_html, *status;
	author by;
	int64_t created_at, edited_at;
	int64_t rating_count, rating_sum; /* its ratings, kept by triggers on ratings */
} answer;

typedef struct answer_new {
	int64_t question_id;
	int64_t user_id; /* 0 for a guest */
	const char *guest_name;
	const char *body_md;
	int64_t created_at; /* 0 = now */
	const struct post_source *sources; /* "Read more" links (guides), stored in the same transaction */
	int nsources;
	const char *status; /* NULL = "published"; "held" waits for a moderator (not counted) */
	const db_batch *also; /* written in the same transaction (rate counters); may be NULL */
	/* Called in the same transaction right after the insert, with the new id (the post's
	 * moderation note); may be NULL. A negative return rolls the whole post back. */
	int (*then)(dbc *c, void *ctx, int64_t id);
	void *then_ctx;
} answer_new;

/* Published answers of a question, oldest first. */
int answer_list(dbc *c, arena *a, int64_t question_id, answer **out);
/* The same with body_md left empty, for pages that show only the HTML. */
int answer_list_shown(dbc *c, arena *a, int64_t question_id, answer **out);
int answer_get(dbc *c, arena *a, int64_t id, answer *out);
/* Inserts the answer and bumps the question's count in one transaction; returns the id or < 0. */
int64_t answer_create(dbc *c, arena *a, const answer_new *n);
/* Keeps the previous text as a revision, then updates. */
int answer_edit(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *body_md, const char *note);
/* The same, and replaces the answer's sources in the same transaction (nsources >= 0). */
int answer_edit_sources(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *body_md, const char *note,
                        const struct post_source *sources, int nsources);
int answer_list_user(dbc *c, arena *a, int64_t user_id, int limit, answer **out, const char ***qtitles,
                     const char ***qurls);

#endif
