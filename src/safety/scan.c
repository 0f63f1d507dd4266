/* scan.c: word lists, spam scoring, crisis phrases and personal-detail detection. */
#include "safety/scan.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"

/* An entry, normalised like scan_normalise (phrases) or only lower-cased (domains: raw). */
static char *dup_norm_line(const char *s, size_t n, bool raw)
{
	char *o = malloc(n + 3);
	if (!o)
		return NULL;
	size_t k = 0;
	o[k++] = ' ';
	bool sp = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (isspace(ch) || (!raw && !isalnum(ch) && ch != '\'' && ch < 0x80)) {
			if (!sp)
				o[k++] = ' ';
			sp = true;
		} else {
			o[k++] = (char)tolower(ch);
			sp = false;
		}
	}
	if (!sp)
		o[k++] = ' ';
	o[k] = 0;
	return o;
}

static void parse_list(wordlist *w, const char *text, bool raw)
{
	w->n = 0;
	int cap = 16;
	w->v = malloc(sizeof *w->v * (size_t)cap);
	if (!w->v)
		return;
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *hash = memchr(p, '#', n);
		size_t m = hash ? (size_t)(hash - p) : n;
		while (m && isspace((unsigned char)p[m - 1]))
			m--;
		size_t s = 0;
		while (s < m && isspace((unsigned char)p[s]))
			s++;
		if (m > s) {
			if (w->n == cap) {
				cap *= 2;
				const char **nv = realloc(w->v, sizeof *w->v * (size_t)cap);
				if (!nv)
					return;
				w->v = nv;
			}
			char *entry = dup_norm_line(p + s, m - s, raw);
			if (entry)
				w->v[w->n++] = entry;
		}
		p = e ? e + 1 : NULL;
	}
}

void wordlist_parse(wordlist *w, const char *text)
{
	parse_list(w, text, false);
}

void wordlist_free(wordlist *w)
{
	for (int i = 0; i < w->n; i++)
		free((void *)w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64];
	wordlist w;
} lists[16];
static int nlists;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *out = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n >= 0 && n < (1 << 22) && fseek(f, 0, SEEK_SET) == 0) {
			out = malloc((size_t)n + 1);
			if (out && fread(out, 1, (size_t)n, f) != (size_t)n) {
				free(out);
				out = NULL;
			} else if (out) {
				out[n] = 0;
			}
		}
	}
	fclose(f);
	return out;
}

const wordlist *wordlist_get(const char *dir, const char *name)
{
	static const wordlist empty = {0};
	const wordlist *found = &empty;
	pthread_mutex_lock(&lists_lock);
	for (int i = 0; i < nlists; i++)
		if (strcmp(lists[i].name, name) == 0) {
			found = &lists[i].w;
			goto out;
		}
	if (nlists == (int)(sizeof lists / sizeof lists[0]))
		goto out;
	char *text = NULL;
	char path[512];
	if (dir && *dir && snprintf(path, sizeof path, "%s/%s.txt", dir, name) < (int)sizeof path)
		text = read_file(path);
	if (!text && snprintf(path, sizeof path, "data/safety/%s.txt", name) < (int)sizeof path) {
		const struct embedded_file *f = embedded_find(path);
		if (f)
			text = strdup(f->data);
	}
	snprintf(lists[nlists].name, sizeof lists[nlists].name, "%s", name);
	parse_list(&lists[nlists].w, text ? text : "", strstr(name, "domains") != NULL);
	free(text);
	found = &lists[nlists++].w;
out:
	pthread_mutex_unlock(&lists_lock);
	return found;
}

char *scan_normalise(arena *a, const char *text)
{
	size_t n = strlen(text);
	char *o = arena_alloc(a, n + 3);
	size_t k = 0;
	o[k++] = ' ';
	bool sp = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];
		/* The typographic apostrophe (U+2019) counts as ' so "can’t" matches "can't". */
		if (ch == 0xE2 && i + 2 < n && (unsigned char)text[i + 1] == 0x80 &&
		    (unsigned char)text[i + 2] == 0x99) {
			o[k++] = '\'';
			sp = false;
			i += 2;
			continue;
		}
		if (isalnum(ch) || ch == '\'' || ch >= 0x80) {
			o[k++] = (char)tolower(ch);
			sp = false;
		} else if (!sp) {
			o[k++] = ' ';
			sp = true;
		}
	}
	if (!sp)
		o[k++] = ' ';
	o[k] = 0;
	return o;
}

const char *scan_find(const wordlist *w, const char *norm)
{
	for (int i = 0; i < w->n; i++)
		if (strstr(norm, w->v[i]))
			return w->v[i];
	return NULL;
}

int scan_links(const char *text)
{
	int n = 0;
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
			n++;
			p += 6;
		} else if (strncasecmp(p, "www.", 4) == 0 && (p == text || !isalnum((unsigned char)p[-1]) ) &&
		           (p < text + 3 || strncmp(p - 3, "://", 3) != 0)) {
			n++;
			p += 3;
		}
	}
	return n;
}

/* True when a link in text points at domain d or a subdomain of it. */
static bool links_to(const char *text, const char *d)
{
	size_t dl = strlen(d);
	for (const char *p = text; (p = strcasestr(p, d)) != NULL; p++) {
		bool left = p == text || p[-1] == '.' || p[-1] == '/' || p[-1] == '@';
		char after = p[dl];
		bool right = !after || after == '/' || after == ':' || after == '?' || after == '#' ||
		             after == ')' || after == ']' || isspace((unsigned char)after) ||
		             (after == '.' && !isalnum((unsigned char)p[dl + 1]));
		if (left && right)
			return true;
	}
	return false;
}

void spam_score(arena *a, const char *text, const wordlist *blocked_words,
                const wordlist *blocked_domains, int repeats, spam_result *out)
{
	out->score = 0;
	out->why = "";
	out->links = scan_links(text);
	if (out->links > 2) {
		out->score += 2 * (out->links - 2);
		out->why = "many links";
	}
	char *norm = scan_normalise(a, text);
	for (int i = 0; blocked_words && i < blocked_words->n; i++)
		if (strstr(norm, blocked_words->v[i])) {
			out->score += 5;
			out->why = arena_printf(a, "blocked phrase \"%.*s\"", (int)strlen(blocked_words->v[i]) - 2,
			                        blocked_words->v[i] + 1);
		}
	for (int i = 0; blocked_domains && i < blocked_domains->n; i++) {
		const char *d = blocked_domains->v[i] + 1; /* entries are " domain " */
		char *dd = arena_strndup(a, d, strlen(d) - 1);
		if (links_to(text, dd)) {
			out->score += 10;
			out->why = arena_printf(a, "link to blocked domain %s", dd);
		}
	}
	if (repeats > 0) {
		out->score += 6;
		out->why = "the same text was posted before";
	}
	int upper = 0, letters = 0;
	for (const char *p = text; *p; p++)
		if (isalpha((unsigned char)*p)) {
			letters++;
			upper += isupper((unsigned char)*p) != 0;
		}
	if (letters >= 30 && upper * 10 > letters * 7) {
		out->score += 2;
		if (!*out->why)
			out->why = "mostly capital letters";
	}
}

/* ---- personal details ---- */

static bool email_at(const char *text, const char *at)
{
	const char *l = at;
	while (l > text && (isalnum((unsigned char)l[-1]) || strchr("._%+-", l[-1])))
		l--;
	if (l == at)
		return false;
	const char *r = at + 1;
	bool dot = false;
	while (isalnum((unsigned char)*r) || *r == '-' || (*r == '.' && isalnum((unsigned char)r[1]))) {
		dot |= *r == '.';
		r++;
	}
	return dot && r > at + 3;
}

static bool phone_at(const char *p, const char **end)
{
	int digits = 0, seps = 0;
	const char *q = p;
	if (*q == '+')
		q++;
	for (; *q; q++) {
		if (isdigit((unsigned char)*q))
			digits++;
		else if ((*q == ' ' || *q == '-' || *q == '.' || *q == '(' || *q == ')') && seps < 8 &&
		         (isdigit((unsigned char)q[1]) || q[1] == '(' || q[1] == ' '))
			seps++;
		else
			break;
	}
	*end = q;
	return digits >= 9 && digits <= 15;
}

static const char *const street_words[] = {
	"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "boulevard",
	"blvd", "way", "court", "ct", "place", "pl", "close", "crescent", "terrace", "square",
	"strasse", "straße", "rue", "calle", "via", NULL};

/* "12 Acacia Avenue", "221b Baker Street": a number, one to three words, a street word. */
static bool address_at(const char *p)
{
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (isalpha((unsigned char)*p) && !isalpha((unsigned char)p[1]))
		p++;
	if (*p != ' ')
		return false;
	for (int words = 0; words < 4; words++) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)
			p++;
		size_t n = (size_t)(p - w);
		if (n == 0)
			return false;
		if (words > 0)
			for (int i = 0; street_words[i]; i++)
				if (strlen(street_words[i]) == n && strncasecmp(w, street_words[i], n) == 0 &&
				    (*p == 0 || *p == ' ' || *p == ',' || *p == '.' || *p == '\n'))
					return true;
		if (*p == '.')
			p++;
		if (*p != ' ')
			return false;
	}
	return false;
}

int pii_scan(const char *text)
{
	int kinds = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '@' && email_at(text, p))
			kinds |= PII_EMAIL;
		bool start = p == text || !isalnum((unsigned char)p[-1]);
		if (start && (isdigit((unsigned char)*p) || (*p == '+' && isdigit((unsigned char)p[1])))) {
			const char *end;
			if (phone_at(p, &end))
				kinds |= PII_PHONE;
			if (address_at(p))
				kinds |= PII_ADDRESS;
			if (end > p + 1)
				p = end - 1;
		}
	}
	return kinds;
}

const char *pii_describe(arena *a, int kinds)
{
	const char *parts[3];
	int n = 0;
	if (kinds & PII_EMAIL)
		parts[n++] = "an email address";
	if (kinds & PII_PHONE)
		parts[n++] = "a phone number";
	if (kinds & PII_ADDRESS)
		parts[n++] = "a street address";
	if (n == 0)
		return "";
	if (n == 1)
		return parts[0];
	if (n == 2)
		return arena_printf(a, "%s and %s", parts[0], parts[1]);
	return arena_printf(a, "%s, %s and %s", parts[0], parts[1], parts[2]);
}
