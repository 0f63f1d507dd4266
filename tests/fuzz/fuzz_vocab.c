/* fuzz_vocab.c: the vocabulary loader (data/vocab files). The input is a conditions file, then
 * byte 0xFF, then a medications file. Checks: a refusal names "file:line: " with a line that
 * exists; an accepted file gives entries whose every term is normalised (lowercase words of
 * letters, digits or non-ASCII bytes, single spaces, at most 8 words) and is found again by
 * vocab_match; medications point only at conditions; counts agree with what the loader said. */
#include "fuzz.h"
#include "model/vocab.h"

static int lines_in(const char *s, size_t n)
{
	int k = 1;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* "name:N: message" with 1 <= N <= lines. */
static void check_error(const char *err, const char *name, int lines)
{
	size_t nl = strlen(name);
	FUZZ_CHECK(strncmp(err, name, nl) == 0 && err[nl] == ':');
	char *end;
	long line = strtol(err + nl + 1, &end, 10);
	FUZZ_CHECK(end > err + nl + 1 && line >= 1 && line <= lines);
	FUZZ_CHECK(end[0] == ':' && end[1] == ' ' && end[2]);
}

static void check_term(const char *t)
{
	size_t n = strlen(t);
	FUZZ_CHECK(n > 0 && n < 200);
	FUZZ_CHECK(t[0] != ' ' && t[n - 1] != ' ');
	int words = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c == ' ');
		if (c == ' ') {
			FUZZ_CHECK(t[i + 1] != ' ');
			words++;
		}
	}
	FUZZ_CHECK(words <= 8);
}

static void check_vocab(const vocab *v, int nconds, int nmeds)
{
	FUZZ_CHECK(vocab_count(v, VOCAB_CONDITION) == nconds);
	FUZZ_CHECK(vocab_count(v, VOCAB_MEDICATION) == nmeds);
	arena *a = arena_new(0);
	for (int i = 0; i < nconds + nmeds; i++) {
		const vocab_entry *e = vocab_entry_at(v, i);
		FUZZ_CHECK(e != NULL);
		FUZZ_CHECK(e->nterms >= 1 && e->key && *e->key && e->name);
		FUZZ_CHECK((e->kind == VOCAB_CONDITION) == (i < nconds));
		for (int k = 0; k < e->nconds; k++) {
			FUZZ_CHECK(e->conds[k] >= 0 && e->conds[k] < nconds);
			FUZZ_CHECK(vocab_entry_at(v, e->conds[k])->kind == VOCAB_CONDITION);
		}
		if (e->kind == VOCAB_MEDICATION)
			FUZZ_CHECK(e->nconds >= 1);
		for (int t = 0; t < e->nterms; t++) {
			check_term(e->terms[t]);
			/* Every term is found again, whole, and names this entry among others. */
			const char *w[9];
			int nw = vocab_words(a, e->terms[t], strlen(e->terms[t]), w, 9);
			FUZZ_CHECK(nw >= 1 && nw <= 8);
			const int *ents = NULL;
			int ne = 0;
			FUZZ_CHECK(vocab_match(v, w, nw, &ents, &ne) == nw);
			bool found = false;
			for (int k = 0; k < ne; k++)
				found = found || ents[k] == i;
			FUZZ_CHECK(found);
		}
		const char *topic = vocab_entry_topic(v, e);
		FUZZ_CHECK(!topic || *topic);
	}
	arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *cs, *ms;
	size_t cn, mn;
	fuzz_split(d, n, &cs, &cn, &ms, &mn);
	/* Exact-size heap copies without a terminating NUL: the loader takes a length. */
	char *c = malloc(cn ? cn : 1), *m = malloc(mn ? mn : 1);
	memcpy(c, cs, cn);
	memcpy(m, ms, mn);
	char err[256] = "";
	vocab *v = vocab_new();
	int nc = vocab_load_conditions(v, "conditions.txt", c, cn, err, sizeof err);
	if (nc < 0) {
		check_error(err, "conditions.txt", lines_in(c, cn));
	} else {
		FUZZ_CHECK(vocab_count(v, VOCAB_CONDITION) == nc);
		int nm = vocab_load_medications(v, "medications.txt", m, mn, err, sizeof err);
		if (nm < 0)
			check_error(err, "medications.txt", lines_in(m, mn));
		else
			check_vocab(v, nc, nm);
	}
	vocab_free(v);
	free(c);
	free(m);
	return 0;
}
