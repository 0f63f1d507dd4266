/* source.c: sources under answers and articles: parsing, URL checks, storage. */
#include "model/source.h"

#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

bool source_url_ok(const char *url)
{
	size_t n = strlen(url);
	if (n > SOURCE_URL_MAX)
		return false;
	size_t p;
	if (strncasecmp(url, "https://", 8) == 0)
		p = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = 7;
	else
		return false;
	/* A host must follow: at least one character before any path, query or fragment. */
	if (p >= n || strchr("/?#@:", url[p]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)url[i];
		if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '<' || ch == '>' || ch == '\\')
			return false;
	}
	return utf8_valid(url, n);
}

static char *trimmed(arena *a, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

int source_parse(arena *a, const char *text, post_source **out, const char **why)
{
	*out = ARENA_ARRAY(a, post_source, SOURCES_MAX);
	int n = 0, line = 0;
	const char *p = text;
	while (*p) {
		line++;
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *ln = trimmed(a, p, l);
		p = e ? e + 1 : p + l;
		if (!*ln)
			continue;
		if (n == SOURCES_MAX) {
			*why = arena_printf(a, "List at most %d sources.", SOURCES_MAX);
			return -1;
		}
		char *bar = strrchr(ln, '|');
		const char *title, *url;
		if (bar) {
			title = trimmed(a, ln, (size_t)(bar - ln));
			url = trimmed(a, bar + 1, strlen(bar + 1));
		} else {
			title = url = ln;
		}
		if (!source_url_ok(url)) {
			*why = arena_printf(a, "Source %d: the link must start with http:// or https:// and have no "
			                       "spaces, like “NHS: High blood pressure | https://www.nhs.uk/…”.",
			                    line);
			return -1;
		}
		if (!*title)
			title = url;
		if (utf8_count(title, strlen(title)) > SOURCE_TITLE_MAX) {
			*why = arena_printf(a, "Source %d: the title is longer than %d characters.", line, SOURCE_TITLE_MAX);
			return -1;
		}
		(*out)[n].title = title;
		(*out)[n].url = url;
		n++;
	}
	return n;
}

static const dbq q_insert = {
	"INSERT INTO post_sources (post_type, post_id, position, title, url) VALUES ($1, $2, $3, $4, $5)", NULL};
static const dbq q_delete = {"DELETE FROM post_sources WHERE post_type = $1 AND post_id = $2", NULL};

int source_insert(dbc *c, const char *post_type, int64_t post_id, const post_source *s, int n)
{
	for (int i = 0; i < n; i++) {
		int rc = db_exec(c, &q_insert, DBP(dbs(post_type), dbi(post_id), dbi(i), dbs(s[i].title), dbs(s[i].url)));
		if (rc < 0)
			return rc;
	}
	return n;
}

int source_replace(dbc *c, const char *post_type, int64_t post_id, const post_source *s, int n)
{
	int rc = db_exec(c, &q_delete, DBP(dbs(post_type), dbi(post_id)));
	return rc < 0 ? rc : source_insert(c, post_type, post_id, s, n);
}

static const dbq q_list = {
	"SELECT post_id, title, url FROM post_sources WHERE post_type = $1 AND post_id = $2 ORDER BY position", NULL};
/* From the question's answers (their index alone: every answer id, whatever its status; the
 * page matches sources to the answers it shows) to their sources. CROSS JOIN keeps SQLite to
 * that order: the other way round reads every answer source on the site for each page. */
static const dbq q_list_question = {
	"SELECT s.post_id, s.title, s.url FROM answers a CROSS JOIN post_sources s "
	"WHERE a.question_id = $1 AND s.post_type = 'answer' AND s.post_id = a.id "
	"ORDER BY s.post_id, s.position",
	NULL};

static int read_list(int rc, const dbrows *r, arena *a, post_source **out)
{
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, post_source, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].post_id = db_int(r, i, 0);
		(*out)[i].title = db_text(r, i, 1);
		(*out)[i].url = db_text(r, i, 2);
	}
	return rc;
}

int source_list(dbc *c, arena *a, const char *post_type, int64_t post_id, post_source **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBP(dbs(post_type), dbi(post_id)), a, &r);
	return read_list(rc, &r, a, out);
}

int source_list_question(dbc *c, arena *a, int64_t question_id, post_source **out)
{
	dbrows r;
	int rc = db_query(c, &q_list_question, DBP(dbi(question_id)), a, &r);
	return read_list(rc, &r, a, out);
}

char *source_format(arena *a, const post_source *s, int n)
{
	buf b;
	buf_init(&b, a, 256, 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(s[i].title, s[i].url) != 0) {
			buf_puts(&b, s[i].title);
			buf_puts(&b, " | ");
		}
		buf_puts(&b, s[i].url);
		buf_putc(&b, '\n');
	}
	return b.p;
}
