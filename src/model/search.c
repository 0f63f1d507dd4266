/* search.c: query sanitising and ranked full-text search with highlighted snippets. */
#include "model/search.h"

#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

static bool word_char(unsigned cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp >= 0x80;
}

char *search_fts_query(arena *a, const char *text, bool any)
{
	buf b;
	buf_init(&b, a, 128, 2048);
	size_t n = strlen(text), i = 0;
	int terms = 0;
	while (i < n && terms < SEARCH_MAX_TERMS) {
		unsigned cp = 0;
		int l = utf8_decode(text + i, n - i, &cp);
		if (!l) {
			i++;
			continue;
		}
		if (!word_char(cp)) {
			i += (size_t)l;
			continue;
		}
		size_t start = i;
		while (i < n) {
			l = utf8_decode(text + i, n - i, &cp);
			if (!l || !word_char(cp))
				break;
			i += (size_t)l;
		}
		if (terms++)
			buf_puts(&b, any ? " OR " : " ");
		buf_putc(&b, '"');
		buf_add(&b, text + start, i - start);
		buf_putc(&b, '"');
	}
	return b.err ? arena_strdup(a, "") : b.p;
}

static const dbq q_search = {
	"SELECT q.id, t.slug, t.name, q.slug, q.title, "
	"snippet(questions_fts, 1, char(1), char(2), '…', 24), q.answer_count, q.created_at "
	"FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid "
	"JOIN topics t ON t.id = q.topic_id "
	"WHERE questions_fts MATCH $1 AND q.status = 'published' AND ($2 = '' OR t.slug = $2) "
	"ORDER BY bm25(questions_fts, 8.0, 1.0) LIMIT $3 OFFSET $4",
	"SELECT q.id, t.slug, t.name, q.slug, q.title, "
	"ts_headline('english', q.body_md, websearch_to_tsquery('english', $1), "
	"'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, ShortWord=2, FragmentDelimiter=…, MaxFragments=2'), "
	"q.answer_count, q.created_at "
	"FROM questions q JOIN topics t ON t.id = q.topic_id "
	"WHERE q.search @@ websearch_to_tsquery('english', $1) AND q.status = 'published' "
	"AND ($2 = '' OR t.slug = $2) "
	"ORDER BY ts_rank(q.search, websearch_to_tsquery('english', $1)) DESC, q.id DESC LIMIT $3 OFFSET $4"};
static const dbq q_count = {
	"SELECT count(*) FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid "
	"JOIN topics t ON t.id = q.topic_id "
	"WHERE questions_fts MATCH $1 AND q.status = 'published' AND ($2 = '' OR t.slug = $2)",
	"SELECT count(*) FROM questions q JOIN topics t ON t.id = q.topic_id "
	"WHERE q.search @@ websearch_to_tsquery('english', $1) AND q.status = 'published' "
	"AND ($2 = '' OR t.slug = $2)"};

static int run(dbc *c, arena *a, const char *fts, const char *topic, int limit,
               int offset, search_hit **out, int64_t *total)
{
	int rc;
	*total = db_scalar(c, &q_count, DBP(dbs(fts), dbs(topic)), 0, &rc);
	if (rc < 0)
		return rc;
	dbrows r;
	rc = db_query(c, &q_search, DBP(dbs(fts), dbs(topic), dbi(limit), dbi(offset)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, search_hit, rc);
	for (int i = 0; i < rc; i++) {
		search_hit *h = &(*out)[i];
		h->id = db_int(&r, i, 0);
		h->topic_slug = db_text(&r, i, 1);
		h->topic_name = db_text(&r, i, 2);
		h->slug = db_text(&r, i, 3);
		h->title = db_text(&r, i, 4);
		h->snippet = db_text(&r, i, 5);
		h->answer_count = db_int(&r, i, 6);
		h->created_at = db_int(&r, i, 7);
	}
	return rc;
}

int search_questions(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                     search_hit **out, int64_t *total)
{
	*total = 0;
	*out = NULL;
	if (!topic)
		topic = "";
	char *fts = search_fts_query(a, text, false);
	if (!*fts)
		return 0;
	int rc = run(c, a, fts, topic, limit, offset, out, total);
	if (rc == 0 && *total == 0 && offset == 0 && strchr(fts, ' ')) {
		/* Nothing has every word: fall back to any word, best matches first. */
		rc = run(c, a, search_fts_query(a, text, true), topic, limit, offset, out, total);
	}
	return rc;
}
