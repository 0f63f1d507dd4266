/* draft.h: a member's unfinished question, one per topic. */
#ifndef CC_DRAFT_H
#define CC_DRAFT_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

typedef struct draft {
	int64_t topic_id, updated_at;
	const char *title, *body_md, *topic_slug, *topic_name;
	bool anonymous;
} draft;

int draft_get(dbc *c, arena *a, int64_t user_id, int64_t topic_id, draft *out);
int draft_save(dbc *c, int64_t user_id, int64_t topic_id, const char *title, const char *body_md,
               bool anonymous);
int draft_delete(dbc *c, int64_t user_id, int64_t topic_id);
/* The same, later, in the transaction that posts the question (question_new.also). */
bool draft_delete_with(db_batch *b, int64_t user_id, int64_t topic_id);
/* All drafts of a member, newest first. */
int draft_list(dbc *c, arena *a, int64_t user_id, draft **out);

#endif
