/* captcha.h: stateless, single-use CAPTCHA challenges with a PNG drawn by libgd.
 *
 * token  = base64url(nonce[12] ‖ expiry[8, big-endian] ‖ MAC(secret, "captcha", nonce ‖ expiry)[16])
 * answer = CAPTCHA_LEN letters of CAPTCHA_ALPHABET picked by MAC(secret, "captcha-answer", nonce)
 * text   = an arithmetic question from MAC(secret, "captcha-text", nonce), the accessible
 *          alternative; its answer (digits or an English number word) is accepted in the same box.
 * A token is accepted once: its nonce goes into captcha_used until it expires, so any node
 * behind a load balancer refuses a replay. */
#ifndef CC_CAPTCHA_H
#define CC_CAPTCHA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"

#define CAPTCHA_ALPHABET "ACDEFHJKMNPRTWXY34679" /* no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, G, U/V */
enum {
	CAPTCHA_LEN = 5,
	CAPTCHA_NONCE = 12,
	CAPTCHA_RAW = CAPTCHA_NONCE + 8 + 16,
	CAPTCHA_TTL = 3600, /* a long health question takes a while to write */
};

enum captcha_result {
	CAPTCHA_OK = 0,
	CAPTCHA_MISSING,  /* no token or no answer */
	CAPTCHA_FORGED,   /* not ours, or tampered with */
	CAPTCHA_EXPIRED,
	CAPTCHA_USED,     /* already used once */
	CAPTCHA_WRONG,    /* the answer does not match */
	CAPTCHA_DBFAIL,
};

/* A new token for now; nonce_out (may be NULL) receives the nonce. */
char *captcha_token(arena *a, const unsigned char key[32], int64_t now);
/* Checks the MAC and the expiry; fills nonce and expiry. */
enum captcha_result captcha_parse(const unsigned char key[32], const char *token, int64_t now,
                                  unsigned char nonce[CAPTCHA_NONCE], int64_t *expiry);
/* The CAPTCHA_LEN characters shown in the image, NUL-terminated into out. */
void captcha_answer(const unsigned char key[32], const unsigned char nonce[CAPTCHA_NONCE],
                    char out[CAPTCHA_LEN + 1]);
/* The text question ("What is seven plus four?") and its number answer. */
const char *captcha_question(arena *a, const unsigned char key[32],
                             const unsigned char nonce[CAPTCHA_NONCE], int *answer);
/* True when given matches the image (case and spaces ignored) or the text question. */
bool captcha_matches(const unsigned char key[32], const unsigned char nonce[CAPTCHA_NONCE],
                     const char *given);
/* Full check of a submitted token and answer; consumes the nonce in the database whatever
 * the answer, so every token gets one try. */
/* True when given answers token (image or text question), without recording the use. */
bool captcha_answer_ok(const unsigned char key[32], const char *token, const char *given, int64_t now);
enum captcha_result captcha_verify(dbc *c, arena *a, const unsigned char key[32], const char *token,
                                   const char *given, int64_t now);
/* A PNG of the answer with distortion and noise; *len set. NULL on failure. Owned by a. */
unsigned char *captcha_png(arena *a, const char answer[CAPTCHA_LEN + 1], size_t *len);

#endif
