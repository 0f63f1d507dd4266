/* moderation.h: the moderation queue, flags, post status changes, locks, suspensions,
 * merges and the audit log. Every moderator action writes one mod_log row in the same
 * transaction as the change. */
#ifndef CC_MODERATION_H
#define CC_MODERATION_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Why a post is queued or hidden, kept in post_mod. */
typedef struct mod_note {
	const char *reason; /* shown to moderators; for hidden posts also to the author */
	bool crisis;
	int spam_score;
	bool first_post;
} mod_note;

/* Records a new post's moderation state and queues it (held, crisis or first guest post). */
int mod_note_post(dbc *c, const char *post_type, int64_t post_id, const mod_note *n, bool queue);

/* Takes a post out of view (status held, counts kept true) and queues it with n. 1 / 0 / < 0. */
int mod_hold(dbc *c, arena *a, const char *post_type, int64_t post_id, const mod_note *n);

extern const char *const flag_reasons[]; /* "spam", "misinformation", "abuse", "privacy", "other", NULL */
const char *flag_reason_label(const char *reason);
/* Adds a flag and queues the post. Returns the flag id, 0 when this client already flagged
 * the post, or < 0. */
int64_t mod_flag(dbc *c, const char *post_type, int64_t post_id, int64_t user_id, const char *client,
                 const char *reason, const char *note);

typedef struct modq_item {
	const char *post_type, *reason, *title, *body_md, *status, *topic_slug, *author, *flag_reasons;
	int64_t post_id, question_id, author_id, updated_at, created_at;
	int flags, spam_score;
	bool crisis, first_post, locked;
} modq_item;
/* The queue: crisis first, then oldest first. */
int modq_list(dbc *c, arena *a, int limit, modq_item **out);
int64_t modq_count(dbc *c);
/* One post with its moderation state (queued or not): 1 found, 0 not, < 0 error. */
int modq_get(dbc *c, arena *a, const char *post_type, int64_t post_id, modq_item *out);

enum mod_action {
	MOD_APPROVE,  /* publish a held post, clear flags */
	MOD_HIDE,     /* hide with a reason shown to the author */
	MOD_RESTORE,  /* publish a hidden or deleted post again */
	MOD_DELETE,   /* remove from view for good (kept for the log) */
	MOD_DISMISS,  /* keep as is, clear flags, leave the queue */
	MOD_LOCK,     /* no new answers on a question */
	MOD_UNLOCK,
	MOD_SUSPEND,  /* the author can no longer log in; their sessions end */
	MOD_MERGE,    /* move a duplicate question's answers to another and retire it */
	MOD_EDIT,     /* only logged: the edit itself goes through the normal edit form */
	MOD_SCRAPE,   /* a client read too fast (written by the server, moderator_id NULL) */
};
const char *mod_action_name(enum mod_action a);
int mod_action_parse(const char *s);

/* Applies an action to a post and logs it. target is the question to merge into (MOD_MERGE).
 * Returns 1 done, 0 no such post (or nothing to do), < 0 error. */
int mod_apply(dbc *c, arena *a, int64_t moderator_id, enum mod_action act, const char *post_type,
              int64_t post_id, int64_t target, const char *reason);
/* Logs an action without changing anything (edits, scraping reports). */
int mod_log_add(dbc *c, int64_t moderator_id, enum mod_action act, const char *post_type,
                int64_t post_id, int64_t target_user_id, const char *reason);

typedef struct mod_entry {
	int64_t id, post_id, created_at, question_id;
	const char *moderator, *action, *post_type, *target_user, *reason, *topic_slug;
} mod_entry;
int mod_log_list(dbc *c, arena *a, int limit, int offset, mod_entry **out);

/* A question's lock, 1 locked / 0 not / < 0 error. */
int mod_is_locked(dbc *c, int64_t question_id);
/* Where a merged question went (its target id), or 0. */
int64_t mod_merged_into(dbc *c, int64_t question_id);

typedef struct own_post {
	const char *post_type, *status, *reason, *title;
	int64_t post_id, question_id, created_at;
	const char *topic_slug;
} own_post;
/* A member's posts that are held, hidden or deleted, with the reason. */
int mod_own_posts(dbc *c, arena *a, int64_t user_id, own_post **out);

#endif
