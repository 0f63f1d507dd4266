/* vocab.h: the lay vocabulary (conditions with synonyms, medications with brand names) from data/vocab.
 *
 * A vocab owns an arena with everything in it; vocab_builtin() is the process-wide copy loaded
 * once from the files embedded in the binary and never freed. Terms are normalised to lowercase
 * words joined by single spaces ("Hashimoto's" -> "hashimoto s"), the same way search splits a
 * query, so a term matches a run of query words exactly. */
#ifndef CC_VOCAB_H
#define CC_VOCAB_H
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum vocab_kind { VOCAB_CONDITION, VOCAB_MEDICATION };

typedef struct vocab_entry {
	enum vocab_kind kind;
	const char *key;   /* condition key or generic medication name as in the file */
	const char *name;  /* display name */
	const char *topic; /* site topic slug, or NULL (medications: NULL) */
	const char *cls;   /* medication class, or NULL */
	const char **terms; /* normalised terms: the name first, then synonyms or brands */
	const char **raw;   /* the same terms as written in the file */
	int nterms;
	int *conds; /* medications: indexes of the conditions they relate to */
	int nconds;
} vocab_entry;

typedef struct vocab vocab;

vocab *vocab_new(void);
void vocab_free(vocab *v);
/* Parses a conditions file (key|Name|topic or -|terms). file names the file in errors.
 * Returns the number of entries read, or -1 with "file:line: message" in err. */
int vocab_load_conditions(vocab *v, const char *file, const char *text, size_t len, char *err, size_t errlen);
/* Parses a medications file (generic|brands|class|condition keys); load conditions first. */
int vocab_load_medications(vocab *v, const char *file, const char *text, size_t len, char *err,
                           size_t errlen);
/* The vocabulary built into the binary, loaded on first use. NULL (with the reason logged)
 * only if the embedded files are malformed, which the unit tests rule out. */
const vocab *vocab_builtin(void);

int vocab_count(const vocab *v, enum vocab_kind kind);
const vocab_entry *vocab_entry_at(const vocab *v, int i);

/* Looks for the longest term that equals words[0..k) for some k <= nwords (words already
 * lowercased). Returns k and sets *entries / *nentries to the entries that have the term,
 * or returns 0. */
int vocab_match(const vocab *v, const char *const *words, int nwords, const int **entries, int *nentries);

/* Splits text into lowercase words (letters and digits, any non-ASCII byte counts as a letter).
 * Returns the count (at most max); each word is copied into a. */
int vocab_words(arena *a, const char *text, size_t len, const char **out, int max);

/* The topic an entry links to: its own topic, or for a medication the topic of the first of
 * its conditions that has one. NULL when there is none. */
const char *vocab_entry_topic(const vocab *v, const vocab_entry *e);

#endif
