/* captcha_answer.h: solves the site's CAPTCHA the way a person would, but from the server
 * secret: key = BLAKE2b-256(secret); token = base64url(nonce[12] ‖ expiry[8] ‖ mac[16]);
 * answer letter i = ALPHABET[MAC(key, "captcha-answer", nonce)[i] % len]. Written apart from
 * the server code on purpose, so a change to the contract fails the tests. */
#ifndef CC_TEST_CAPTCHA_ANSWER_H
#define CC_TEST_CAPTCHA_ANSWER_H
#include <stdbool.h>

#include "harness.h"

/* The characters in the image of token under secret (malloc'd), or NULL if malformed. */
char *captcha_answer_for(const char *secret, const char *token);
/* The answer to the text question of token, as digits (malloc'd), or NULL. */
char *captcha_text_answer_for(const char *secret, const char *token);
/* The captcha_token of the last page (malloc'd), or NULL when the page has no CAPTCHA. */
char *captcha_token_of(const resp *r);
/* Token and image answer of the page's CAPTCHA, or two empty strings when it has none
 * (trusted members). Both malloc'd. */
void captcha_solve(const srv *s, const resp *r, char **token, char **answer);

/* body with the page's CAPTCHA fields appended (body is freed; the result is malloc'd). */
char *with_captcha(const srv *s, const resp *page, char *body);
/* POSTs body to path with the CAPTCHA of page solved; when the answer is the form back asking
 * for a CAPTCHA (sent from a cached page, which has none), solves that one and sends again. */
resp *post_solving(client *c, const srv *s, const resp *page, const char *path, const char *body);
/* Asks a question titled title in topic as c (signed in, or a guest), through the ask form with
 * its CAPTCHA solved; the body is made from the title, so no two are the same text (which would
 * look like spam). Returns the response of the post. */
resp *ask_question(client *c, const srv *s, const char *topic, const char *title);
/* A moderator's action on a post through /mod/act, as m (signed in as a moderator), with the
 * form from the post's moderation page; target is the merge target (NULL: none). */
resp *mod_act(client *m, const char *type, long id, const char *action, const char *reason, const char *target);
#define MOD_REASON "Checked by a moderator"

#endif
