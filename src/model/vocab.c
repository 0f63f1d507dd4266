/* vocab.c: loads data/vocab (conditions and medications) with line-numbered errors, and matches terms. */
#include "model/vocab.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "core/log.h"
#include "core/utf8.h"

enum { MAX_TERM_WORDS = 8, MAX_TERM_BYTES = 200, MAX_FIELDS = 4 };

struct vterm {
	const char *t;
	int *ents;
	int n;
};

struct vocab {
	arena *a;
	vocab_entry *e;
	int n, cap;
	int ncond, nmed;
	struct vterm *terms; /* sorted by t */
	int nterms, tcap;
	int max_words;
};

vocab *vocab_new(void)
{
	vocab *v = calloc(1, sizeof *v);
	if (!v)
		abort();
	v->a = arena_new(0);
	return v;
}

void vocab_free(vocab *v)
{
	if (!v)
		return;
	arena_free(v->a);
	free(v);
}

int vocab_count(const vocab *v, enum vocab_kind kind)
{
	return kind == VOCAB_CONDITION ? v->ncond : v->nmed;
}

const vocab_entry *vocab_entry_at(const vocab *v, int i)
{
	return i >= 0 && i < v->n ? &v->e[i] : NULL;
}

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

int vocab_words(arena *a, const char *text, size_t len, const char **out, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && !word_byte((unsigned char)text[i]))
			i++;
		size_t s = i;
		while (i < len && word_byte((unsigned char)text[i]))
			i++;
		if (i == s)
			break;
		char *w = arena_strndup(a, text + s, i - s);
		for (char *p = w; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		out[n++] = w;
	}
	return n;
}

/* Normalised form of a term: its words joined by single spaces; NULL if it has none or too many. */
static const char *normalise(arena *a, const char *s, size_t n, int *nwords)
{
	const char *w[MAX_TERM_WORDS + 1];
	int k = vocab_words(a, s, n, w, MAX_TERM_WORDS + 1);
	if (k == 0 || k > MAX_TERM_WORDS)
		return NULL;
	buf b;
	buf_init(&b, a, 64, MAX_TERM_BYTES);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(&b, ' ');
		buf_puts(&b, w[i]);
	}
	if (b.err)
		return NULL;
	*nwords = k;
	return b.p;
}

static int fail(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	int k = snprintf(err, errlen, "%s:%d: ", file, line);
	if (k >= 0 && (size_t)k < errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static char *trim(arena *a, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

static bool key_valid(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == '-' && p[1] != '-' && p[1]);
		if (!ok)
			return false;
	}
	return true;
}

static int find_key(const vocab *v, enum vocab_kind kind, const char *key)
{
	for (int i = 0; i < v->n; i++)
		if (v->e[i].kind == kind && strcmp(v->e[i].key, key) == 0)
			return i;
	return -1;
}

/* Splits a comma-separated list into trimmed items; an empty item is an error (returns -1). */
static int split_list(arena *a, const char *s, char ***out)
{
	int n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	*out = ARENA_ARRAY(a, char *, n);
	if (!*s) {
		return 0;
	}
	int k = 0;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *item = trim(a, p, l);
		if (!*item)
			return -1;
		(*out)[k++] = item;
		if (!e)
			break;
		p = e + 1;
	}
	return k;
}

static vocab_entry *add_entry(vocab *v)
{
	if (v->n == v->cap) {
		int nc = v->cap ? v->cap * 2 : 256;
		v->e = arena_realloc(v->a, v->e, sizeof *v->e * (size_t)v->cap, sizeof *v->e * (size_t)nc);
		v->cap = nc;
	}
	vocab_entry *e = &v->e[v->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* Adds the terms of an entry; the first is its name. Duplicates within one entry are dropped. */
static int add_terms(vocab *v, vocab_entry *e, char **items, int n, const char *file, int line, char *err,
                     size_t errlen)
{
	e->terms = ARENA_ARRAY(v->a, const char *, n);
	e->raw = ARENA_ARRAY(v->a, const char *, n);
	for (int i = 0; i < n; i++) {
		int words = 0;
		const char *t = normalise(v->a, items[i], strlen(items[i]), &words);
		if (!t)
			return fail(err, errlen, file, line, "term \"%s\" needs 1 to %d words of letters or digits",
			            items[i], MAX_TERM_WORDS);
		bool dup = false;
		for (int k = 0; k < e->nterms; k++)
			dup = dup || strcmp(e->terms[k], t) == 0;
		if (dup)
			continue;
		if (words > v->max_words)
			v->max_words = words;
		e->raw[e->nterms] = items[i];
		e->terms[e->nterms++] = t;
	}
	return 0;
}

/* Splits one line into exactly MAX_FIELDS trimmed fields. */
static int fields_of(vocab *v, const char *line, size_t n, char **f)
{
	int k = 0;
	size_t s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || line[i] == '|') {
			if (k == MAX_FIELDS)
				return -1;
			f[k++] = trim(v->a, line + s, i - s);
			s = i + 1;
		}
	}
	return k == MAX_FIELDS ? 0 : -1;
}

static int term_cmp(const void *x, const void *y)
{
	return strcmp(((const struct vterm *)x)->t, ((const struct vterm *)y)->t);
}

/* Rebuilds the sorted term index from every entry. */
static void reindex(vocab *v)
{
	int total = 0;
	for (int i = 0; i < v->n; i++)
		total += v->e[i].nterms;
	struct vterm *all = ARENA_ARRAY(v->a, struct vterm, total ? total : 1);
	int k = 0;
	for (int i = 0; i < v->n; i++)
		for (int j = 0; j < v->e[i].nterms; j++) {
			all[k].t = v->e[i].terms[j];
			all[k].ents = ARENA_NEW(v->a, int);
			all[k].ents[0] = i;
			all[k++].n = 1;
		}
	qsort(all, (size_t)k, sizeof *all, term_cmp);
	/* Merge equal terms: a term such as "eye twitching" may name several conditions. */
	int u = 0;
	for (int i = 0; i < k;) {
		int j = i + 1;
		while (j < k && strcmp(all[j].t, all[i].t) == 0)
			j++;
		struct vterm t = {all[i].t, ARENA_ARRAY(v->a, int, j - i), 0};
		for (int m = i; m < j; m++) {
			int e = all[m].ents[0];
			bool seen = false;
			for (int q = 0; q < t.n; q++)
				seen = seen || t.ents[q] == e;
			if (!seen)
				t.ents[t.n++] = e;
		}
		all[u++] = t;
		i = j;
	}
	v->terms = all;
	v->nterms = u;
}

typedef int (*line_fn)(vocab *v, char **f, const char *file, int line, char *err, size_t errlen);

static int each_line(vocab *v, const char *file, const char *text, size_t len, line_fn fn, char *err,
                     size_t errlen)
{
	if (!utf8_valid(text, len)) {
		/* Find the line for a helpful message. */
		int line = 1;
		size_t s = 0;
		for (size_t i = 0; i <= len; i++) {
			if (i == len || text[i] == '\n') {
				if (!utf8_valid(text + s, i - s))
					return fail(err, errlen, file, line, "not valid UTF-8");
				line++;
				s = i + 1;
			}
		}
		return fail(err, errlen, file, line, "not valid UTF-8");
	}
	int count = 0, line = 0;
	size_t s = 0;
	while (s < len) {
		line++;
		const char *nl = memchr(text + s, '\n', len - s);
		size_t e = nl ? (size_t)(nl - text) : len;
		size_t n = e - s;
		if (n && text[s + n - 1] == '\r')
			n--;
		const char *l = text + s;
		s = e + 1;
		size_t k = 0;
		while (k < n && (l[k] == ' ' || l[k] == '\t'))
			k++;
		if (k == n || l[k] == '#')
			continue;
		if (memchr(l, '\0', n))
			return fail(err, errlen, file, line, "contains a NUL byte");
		char *f[MAX_FIELDS];
		if (fields_of(v, l, n, f) != 0)
			return fail(err, errlen, file, line, "expected %d fields separated by |", MAX_FIELDS);
		if (fn(v, f, file, line, err, errlen) != 0)
			return -1;
		count++;
	}
	reindex(v);
	return count;
}

static int condition_line(vocab *v, char **f, const char *file, int line, char *err, size_t errlen)
{
	if (!key_valid(f[0]))
		return fail(err, errlen, file, line, "key \"%s\" must be lowercase letters, digits and single dashes",
		            f[0]);
	if (find_key(v, VOCAB_CONDITION, f[0]) >= 0)
		return fail(err, errlen, file, line, "condition \"%s\" is listed twice", f[0]);
	if (!*f[1])
		return fail(err, errlen, file, line, "the name (field 2) is empty");
	if (strcmp(f[2], "-") != 0 && !key_valid(f[2]))
		return fail(err, errlen, file, line, "topic \"%s\" must be a topic slug or -", f[2]);
	char **items;
	int n = split_list(v->a, f[3], &items);
	if (n < 0)
		return fail(err, errlen, file, line, "empty term in the list (two commas, or a trailing comma)");
	/* Terms: the name, the key read as words ("type-2-diabetes"), then the synonyms. */
	char **all = ARENA_ARRAY(v->a, char *, n + 2);
	all[0] = f[1];
	all[1] = f[0];
	memcpy(all + 2, items, sizeof *items * (size_t)n);
	n++;
	vocab_entry *e = add_entry(v);
	e->kind = VOCAB_CONDITION;
	e->key = f[0];
	e->name = f[1];
	e->topic = strcmp(f[2], "-") == 0 ? NULL : f[2];
	if (add_terms(v, e, all, n + 1, file, line, err, errlen) != 0)
		return -1;
	v->ncond++;
	return 0;
}

static int medication_line(vocab *v, char **f, const char *file, int line, char *err, size_t errlen)
{
	if (!key_valid(f[0]))
		return fail(err, errlen, file, line,
		            "generic name \"%s\" must be lowercase letters, digits and single dashes", f[0]);
	if (find_key(v, VOCAB_MEDICATION, f[0]) >= 0)
		return fail(err, errlen, file, line, "medication \"%s\" is listed twice", f[0]);
	if (!*f[2])
		return fail(err, errlen, file, line, "the drug class (field 3) is empty");
	char **brands, **conds;
	int nb = split_list(v->a, f[1], &brands);
	if (nb < 0)
		return fail(err, errlen, file, line, "empty brand name in the list (two commas, or a trailing comma)");
	int nc = split_list(v->a, f[3], &conds);
	if (nc <= 0)
		return fail(err, errlen, file, line, "list at least one condition key (field 4)");
	vocab_entry *e = add_entry(v);
	e->kind = VOCAB_MEDICATION;
	e->key = f[0];
	char *name = arena_strdup(v->a, f[0]);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = ' ';
	e->name = name;
	e->cls = f[2];
	e->conds = ARENA_ARRAY(v->a, int, nc);
	for (int i = 0; i < nc; i++) {
		int k = find_key(v, VOCAB_CONDITION, conds[i]);
		if (k < 0) {
			v->n--;
			return fail(err, errlen, file, line, "unknown condition \"%s\" (not in the conditions file)",
			            conds[i]);
		}
		e->conds[e->nconds++] = k;
	}
	char **all = ARENA_ARRAY(v->a, char *, nb + 1);
	all[0] = name;
	memcpy(all + 1, brands, sizeof *brands * (size_t)nb);
	if (add_terms(v, e, all, nb + 1, file, line, err, errlen) != 0)
		return -1;
	v->nmed++;
	return 0;
}

int vocab_load_conditions(vocab *v, const char *file, const char *text, size_t len, char *err, size_t errlen)
{
	return each_line(v, file, text, len, condition_line, err, errlen);
}

int vocab_load_medications(vocab *v, const char *file, const char *text, size_t len, char *err,
                           size_t errlen)
{
	return each_line(v, file, text, len, medication_line, err, errlen);
}

int vocab_match(const vocab *v, const char *const *words, int nwords, const int **entries, int *nentries)
{
	if (!v)
		return 0;
	int max = nwords < v->max_words ? nwords : v->max_words;
	for (int k = max; k >= 1; k--) {
		char key[MAX_TERM_BYTES + 1];
		size_t o = 0;
		bool ok = true;
		for (int i = 0; i < k && ok; i++) {
			size_t l = strlen(words[i]);
			if (o + l + 1 > MAX_TERM_BYTES) {
				ok = false;
				break;
			}
			if (i)
				key[o++] = ' ';
			memcpy(key + o, words[i], l);
			o += l;
		}
		if (!ok)
			continue;
		key[o] = 0;
		struct vterm probe = {key, NULL, 0};
		const struct vterm *t = bsearch(&probe, v->terms, (size_t)v->nterms, sizeof *v->terms, term_cmp);
		if (t) {
			*entries = t->ents;
			*nentries = t->n;
			return k;
		}
	}
	return 0;
}

const char *vocab_entry_topic(const vocab *v, const vocab_entry *e)
{
	if (e->kind == VOCAB_CONDITION)
		return e->topic;
	for (int i = 0; i < e->nconds; i++)
		if (v->e[e->conds[i]].topic)
			return v->e[e->conds[i]].topic;
	return NULL;
}

static vocab *builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void load_builtin(void)
{
	const struct embedded_file *c = embedded_find("data/vocab/conditions.txt");
	const struct embedded_file *m = embedded_find("data/vocab/medications.txt");
	if (!c || !m) {
		log_error("msg=\"vocabulary files are not built into this binary\"");
		return;
	}
	char err[256];
	vocab *v = vocab_new();
	if (vocab_load_conditions(v, "conditions.txt", c->data, c->len, err, sizeof err) < 0 ||
	    vocab_load_medications(v, "medications.txt", m->data, m->len, err, sizeof err) < 0) {
		log_error("msg=\"vocabulary not loaded\" err=\"%s\"", err);
		vocab_free(v);
		return;
	}
	builtin = v;
}

const vocab *vocab_builtin(void)
{
	pthread_once(&builtin_once, load_builtin);
	return builtin;
}
