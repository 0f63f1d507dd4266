/* rating.h: "Rate This" (1-5 stars on questions and answers) and answers marked helpful. */
#ifndef CC_RATING_H
#define CC_RATING_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

typedef struct rating_sum {
	const char *post_type;
	int64_t post_id, count, sum, mine; /* mine: this voter's stars, 0 if none */
} rating_sum;

/* Sets voter's stars for a post (a change replaces the earlier rating). For guests addr_hash
 * is a keyed hash of their address and day: a second guest rating of the same post from the
 * same address on the same day is refused. 1 saved, 0 refused, < 0 error. */
int rating_set(dbc *c, const char *post_type, int64_t post_id, const char *voter, const char *addr_hash,
               int64_t day, int stars);
/* Counts, sums and the voter's own stars for a question and all its answers. */
int rating_for_question(dbc *c, arena *a, int64_t question_id, const char *voter, rating_sum **out);
/* Only the voter's own stars (mine) on a question and its answers, count and sum left 0: a
 * page takes the counts and sums from the posts (question.rating_count…, answer.rating_count…). */
int rating_mine_for_question(dbc *c, arena *a, int64_t question_id, const char *voter, rating_sum **out);

/* Sets every question's and answer's rating_count and rating_sum from the ratings themselves
 * (after copying a site table by table, when the triggers saw the rows in any order). */
int rating_recount(dbc *c);

/* Marks or unmarks an answer of question_id as helpful. 1 done, 0 no such answer, < 0 error. */
int helpful_set(dbc *c, int64_t question_id, int64_t answer_id, int64_t by, bool on);
/* Ids of the helpful answers of a question. */
int helpful_list(dbc *c, arena *a, int64_t question_id, int64_t **ids);

#endif
