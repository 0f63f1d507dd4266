/* question.h: questions asked in a topic, by members or guests. */
#ifndef CC_QUESTION_H
#define CC_QUESTION_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "model/author.h"

/* Limits in code points, documented in docs/ARCHITECTURE.md and shown on the forms. */
enum {
	TITLE_MIN = 10,
	TITLE_MAX = 150,
	QBODY_MIN = 20,
	QBODY_MAX = 20000,
	GUEST_NAME_MAX = 50,
	EXCERPT_LEN = 220,
};

typedef struct question {
	int64_t id, topic_id;
	const char *topic_slug, *topic_name;
	const char *title, *slug, *body_md, *body_html, *excerpt, *status;
	author by;
	int64_t created_at, edited_at, view_count, answer_count, accepted_answer_id;
	bool members_only; /* guests see a teaser (docs/security.md, Privacy) */
	bool has_media;    /* may have images or answer sources (set by triggers, never cleared) */
	/* Its ratings, kept by triggers on ratings (question_get only; lists leave them 0). */
	int64_t rating_count, rating_sum;
} question;

typedef struct question_new {
	int64_t topic_id;
	int64_t user_id; /* 0 for a guest */
	const char *guest_name;
	bool anonymous;
	const char *title, *body_md;
	int64_t created_at; /* 0 = now (the demo loader back-dates) */
	const char *status; /* NULL = "published"; "held" waits for a moderator (not counted) */
	bool members_only;  /* for members only: guests see a teaser */
	const db_batch *also; /* written in the same transaction (rate counters); may be NULL */
	/* Called in the same transaction right after the insert, with the new id (the post's
	 * moderation note); may be NULL. A negative return rolls the whole post back. */
	int (*then)(dbc *c, void *ctx, int64_t id);
	void *then_ctx;
} question_new;

/* 1 found, 0 not, < 0 error. Only published questions unless any_status. */
int question_get(dbc *c, arena *a, int64_t id, bool any_status, question *out);
/* Newest first. */
int question_list_topic(dbc *c, arena *a, int64_t topic_id, int limit, int offset, question **out);
int question_list_recent(dbc *c, arena *a, int limit, question **out);
/* Newest first, strictly after the cursor (created_at, id); topic_id 0 = every topic.
 * The first page passes INT64_MAX, INT64_MAX. List rows carry no bodies. */
int question_page(dbc *c, arena *a, int64_t topic_id, int64_t before_t, int64_t before_id, int limit,
                  question **out);
/* Oldest unanswered first. */
int question_list_unanswered(dbc *c, arena *a, int limit, question **out);
int question_list_user(dbc *c, arena *a, int64_t user_id, bool include_anonymous, int limit,
                       question **out);

/* Inserts a question (markdown rendered now, topic count kept) in one transaction.
 * Returns the new id or < 0. */
int64_t question_create(dbc *c, arena *a, const question_new *q);
/* Keeps the previous text as a revision, then updates; members_only 0 or 1 sets the flag,
 * -1 leaves it. Returns 1, 0 if no such question, or < 0. */
int question_edit(dbc *c, arena *a, int64_t id, int64_t editor_id, const char *title,
                  const char *body_md, const char *note, int members_only);
/* Marks answer_id (0 clears) as the accepted answer of question id. */
int question_accept(dbc *c, int64_t id, int64_t answer_id);
/* Adds n to the view count (counts are gathered in memory and flushed in batches). */
int question_add_views(dbc *c, int64_t id, int64_t n);

typedef struct revision {
	int64_t id, editor_id, created_at;
	const char *title, *body_md, *note, *editor_name;
} revision;
/* Earlier versions of a post, newest first. post_type is "question" or "answer". */
int revision_list(dbc *c, arena *a, const char *post_type, int64_t post_id, revision **out);

#endif
