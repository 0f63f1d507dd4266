/* scan.h: pure checks of a post's text: links and spam score, crisis language, personal details.
 *
 * Word lists are plain text, one entry a line, '#' starts a comment, matched case-insensitively
 * as phrases (with word boundaries at both ends). The defaults are compiled in from
 * data/safety/NAME.txt; a site can replace any of them with a file of the same name in
 * --safety-dir. docs/safety.md documents them. */
#ifndef CC_SCAN_H
#define CC_SCAN_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct wordlist {
	const char **v;
	int n;
} wordlist;

/* Parses a list file (comments and blank lines dropped, entries lower-cased, spaces collapsed). */
void wordlist_parse(wordlist *w, const char *text);
void wordlist_free(wordlist *w);
/* The compiled-in list data/safety/NAME.txt, or dir/NAME.txt when dir is set and has it.
 * Loaded once per process; never freed. */
const wordlist *wordlist_get(const char *dir, const char *name);

/* Lower-cased text with runs of non-alphanumeric ASCII turned into one space, padded with a
 * space at both ends, so " phrase " finds whole words and phrases. */
char *scan_normalise(arena *a, const char *text);
/* The first entry of w found in the normalised text, or NULL. */
const char *scan_find(const wordlist *w, const char *norm);

/* Number of links (http://, https://, www.) in text. */
int scan_links(const char *text);

typedef struct spam_result {
	int score;
	int links;
	const char *why; /* the main reason, for moderators */
} spam_result;

/* Scores a post: links beyond two (+2 each), blocked words (+5 each), blocked domains (+10),
 * text already posted recently (repeats > 0: +6), mostly capitals (+2). */
void spam_score(arena *a, const char *text, const wordlist *blocked_words,
                const wordlist *blocked_domains, int repeats, spam_result *out);

/* Kinds of personal details found; bit set. */
enum { PII_EMAIL = 1, PII_PHONE = 2, PII_ADDRESS = 4 };
int pii_scan(const char *text);
/* "an email address and a phone number" */
const char *pii_describe(arena *a, int kinds);

#endif
