/* safety.h: the safe-posting pieces every form uses (CAPTCHA, honeypot, fill time, rate limits,
 * spam score, personal details, crisis language), and the moderation and safety pages.
 *
 * A form that guests can send does three things (see ask.c, question.c, account.c):
 *   GET and re-render:  safety_form(r, c, ctx, page_url)  and  {{>safety_form}} in the template
 *   POST, first:        safety_check_form(r, c, &e)         (honeypot, fill time, CAPTCHA)
 *   POST, a post:       safety_check_post(…) before writing, safety_after_post(…) after.
 * The JSON API's posts (api.c) go through the same safety_check_post and safety_note_tx; only
 * the browser's checks (safety_form, safety_check_form) stay with the forms. */
#ifndef CC_SAFETY_WEB_H
#define CC_SAFETY_WEB_H
#include <stdbool.h>
#include <stdint.h>

#include "web/web.h"

/* The keyed hash standing for the client's address ("ip:" + 32 hex); never the address. */
const char *safety_client(req *r);
/* Guests, and members below the trust threshold (--trust-days and --trust-posts), solve a
 * CAPTCHA; guides, moderators and admins never do. */
bool safety_needs_captcha(req *r, dbc *c);
/* Adds the honeypot and, when needed, a fresh CAPTCHA ("captcha": token, img_url, question,
 * new_url) to ctx. page_url is where "New image" leads (a GET of the form). */
void safety_form(req *r, dbc *c, tval *ctx, const char *page_url);
/* Checks the honeypot, the time since the form was shown (--min-fill-seconds) and the CAPTCHA.
 * Problems are added to e; the form is then shown again with the text and a new image. */
void safety_check_form(req *r, dbc *c, ferrs *e);

typedef struct post_verdict {
	const char *kind;   /* "question" or "answer" */
	const char *status; /* "published" or "held" */
	bool crisis;
	bool first_post;
	int score;
	const char *reason; /* for moderators */
	/* The rate-limit count and the repeat-check hash of this post, written in the post's own
	 * transaction (question_new.also / answer_new.also). That transaction fails with DB_OVER
	 * when a concurrent post took the last place: show over_msg with status 429. */
	db_batch writes;
	const char *over_msg;
	int retry_after; /* seconds until the rate-limit window ends (with 429) */
} post_verdict;

/* Before a post is written. kind is "question" or "answer"; question_id is the question an
 * answer belongs to (a locked one takes none). Counts the post against the rate limits,
 * limits links for guests and new members, asks to confirm personal details (field pii_ok),
 * scores spam and spots crisis language. Returns 0 to go on, or the status (403, 422, 429,
 * 503) to show the form again with e. */
int safety_check_post(req *r, dbc *c, ferrs *e, const char *kind, int64_t question_id,
                      const char *title, const char *body, post_verdict *v);
/* Records the post's moderation state (held, crisis, spam score) in the post's own
 * transaction: pass as question_new.then / answer_new.then with the verdict as then_ctx. */
int safety_note_tx(dbc *c, void *verdict, int64_t id);
/* After the post is written: returns where to send the poster when it is not the post itself
 * (held: held_url with a note; crisis: the help page), having set the flash, or NULL to go on
 * as usual. */
const char *safety_after_post(req *r, const char *kind, const post_verdict *v, const char *post_url,
                              const char *held_url);
/* The page with urgent help that a post with crisis language leads its poster to; next is
 * where it offers to continue (NULL: nowhere). */
const char *safety_help_url(req *r, const char *next);
/* The same checks for an edit by its author (not the rate limit or repeated text); moderators'
 * edits pass. A held edit takes the post out of view until a moderator approves it. */
int safety_check_edit(req *r, dbc *c, ferrs *e, const char *kind, const char *title, const char *body,
                      post_verdict *v);
const char *safety_after_edit(req *r, dbc *c, const char *kind, int64_t id, const post_verdict *v,
                              const char *post_url, const char *held_url);
/* Registration: a per-address limit. Returns 0 or 429 with e filled. */
int safety_check_register(req *r, dbc *c, ferrs *e);
/* Post pages: counts reads per client and account; past --rate-reads a minute the client is
 * answered 429 (slowed) and reported once to the moderation log. False when answered. */
bool safety_watch_read(req *r);
/* Logs a moderator's edit of someone else's post (with its note) in the audit log. */
void safety_log_edit(req *r, dbc *c, const char *kind, int64_t id, int64_t author_id, const char *note);
/* Forgets the hashes of posts older than the repeated-text window (serve runs it hourly). */
int safety_purge_hashes(dbc *c, int64_t now);
/* Adds "locked" (and its reason) for a question page. */
bool safety_locked(dbc *c, int64_t question_id);

void page_captcha_png(req *r);
void page_help_urgent(req *r);
void page_flag(req *r);
void page_own_posts(req *r);
void page_mod_queue(req *r);
void page_mod_post(req *r);
void page_mod_act(req *r);
void page_mod_log(req *r);

#endif
