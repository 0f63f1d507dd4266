/* search.c: query building with vocabulary expansion, ranked search with highlighted snippets. */
#include "model/search.h"

#include <string.h>

#include "core/buf.h"

/* Appends one phrase (words joined by spaces) in the engine's syntax. */
static void phrase(buf *b, const char *p, bool pg)
{
	if (!pg) {
		buf_putc(b, '"');
		buf_puts(b, p);
		buf_putc(b, '"');
		return;
	}
	for (; *p; p++) {
		if (*p == ' ')
			buf_puts(b, " <-> ");
		else
			buf_putc(b, *p);
	}
}

char *search_query(arena *a, const vocab *v, const char *text, bool any, bool pg)
{
	const char *words[SEARCH_MAX_TERMS];
	int n = vocab_words(a, text, strlen(text), words, SEARCH_MAX_TERMS);
	buf b;
	buf_init(&b, a, 128, 8192);
	const char *join = pg ? (any ? " | " : " & ") : (any ? " OR " : " AND ");
	const char *alt = pg ? " | " : " OR ";
	for (int i = 0; i < n;) {
		if (i)
			buf_puts(&b, join);
		const int *ents;
		int ne = 0;
		int k = vocab_match(v, words + i, n - i, &ents, &ne);
		if (k == 0) {
			phrase(&b, words[i], pg);
			i++;
			continue;
		}
		/* The matched words, then every name of the entries they name, each phrase once. */
		const char *seen[SEARCH_MAX_GROUP];
		int ns = 0;
		buf m;
		buf_init(&m, a, 64, 1024);
		for (int w = 0; w < k; w++) {
			if (w)
				buf_putc(&m, ' ');
			buf_puts(&m, words[i + w]);
		}
		seen[ns++] = m.p;
		for (int e = 0; e < ne && ns < SEARCH_MAX_GROUP; e++) {
			const vocab_entry *en = vocab_entry_at(v, ents[e]);
			for (int t = 0; t < en->nterms && ns < SEARCH_MAX_GROUP; t++) {
				bool dup = false;
				for (int s = 0; s < ns && !dup; s++)
					dup = strcmp(seen[s], en->terms[t]) == 0;
				if (!dup)
					seen[ns++] = en->terms[t];
			}
		}
		buf_putc(&b, '(');
		for (int s = 0; s < ns; s++) {
			if (s)
				buf_puts(&b, alt);
			phrase(&b, seen[s], pg);
		}
		buf_putc(&b, ')');
		i += k;
	}
	return b.err ? arena_strdup(a, "") : b.p;
}

/* Questions and answers are scored apart, then each question keeps its best score (an answer
 * counts a little less than the question itself). Ranking looks at the newest $5 matching
 * questions and the newest $5 matching answers: the engines read those in index order and stop,
 * so a word found in half the site costs the same as a rare one. SQLite ranks with ccrank (BM25
 * without the whole-index document counts, src/db/sqlite.c). The candidates are checked against
 * a small covering index (status, topic) rather than the wide question rows; snippets and the
 * question rows are read only for the page shown (p); the total counts the same candidates. */
static const dbq q_search = {
	"WITH m AS ("
	" SELECT * FROM (SELECT rowid AS qid, 0 AS aid, ccrank(questions_fts, 8.0, 1.0) AS score FROM questions_fts"
	"  WHERE questions_fts MATCH $1 ORDER BY rowid DESC LIMIT $5)"
	" UNION ALL"
	" SELECT * FROM (SELECT a.question_id AS qid, a.id AS aid, ccrank(answers_fts) * 0.6 AS score FROM answers_fts"
	"  JOIN answers a ON a.id = answers_fts.rowid WHERE answers_fts MATCH $1 AND a.status = 'published'"
	"  ORDER BY answers_fts.rowid DESC LIMIT $5)),"
	" b AS (SELECT qid, aid, min(score) AS score FROM m GROUP BY qid),"
	" f AS (SELECT b.qid, b.aid, b.score FROM b JOIN questions q INDEXED BY questions_state ON q.id = b.qid"
	"  WHERE q.status = 'published' AND ($2 = '' OR q.topic_id = (SELECT id FROM topics WHERE slug = $2))"
	"  AND (q.members_only = 0 OR $6 = 1)),"
	" p AS (SELECT qid, aid, score FROM f ORDER BY score, qid DESC LIMIT $3 OFFSET $4)"
	"SELECT q.id, t.slug, t.name, q.slug, q.title, "
	" CASE WHEN p.aid > 0 THEN (SELECT snippet(answers_fts, 0, char(1), char(2), '…', 24) FROM answers_fts"
	"   WHERE answers_fts MATCH $1 AND rowid = p.aid)"
	" ELSE (SELECT snippet(questions_fts, 1, char(1), char(2), '…', 24) FROM questions_fts"
	"   WHERE questions_fts MATCH $1 AND rowid = q.id) END, "
	" q.answer_count, q.created_at, p.aid, (SELECT count(*) FROM f) "
	"FROM p JOIN questions q ON q.id = p.qid JOIN topics t ON t.id = q.topic_id "
	"ORDER BY p.score, p.qid DESC",
	"WITH m AS ("
	" (SELECT q.id AS qid, 0::bigint AS aid, ts_rank(q.search, to_tsquery('english', $1)) AS score"
	"  FROM questions q WHERE q.search @@ to_tsquery('english', $1) ORDER BY q.id DESC LIMIT $5)"
	" UNION ALL"
	" (SELECT a.question_id, a.id, ts_rank(a.search, to_tsquery('english', $1)) * 0.6 FROM answers a"
	"  WHERE a.search @@ to_tsquery('english', $1) AND a.status = 'published' ORDER BY a.id DESC LIMIT $5)),"
	" b AS (SELECT DISTINCT ON (qid) qid, aid, score FROM m ORDER BY qid, score DESC, aid)"
	"SELECT q.id, t.slug, t.name, q.slug, q.title, "
	" ts_headline('english', CASE WHEN b.aid > 0 THEN (SELECT body_md FROM answers WHERE id = b.aid)"
	"  ELSE q.body_md END, to_tsquery('english', $1), "
	" 'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, ShortWord=2, FragmentDelimiter=…, MaxFragments=2'), "
	" q.answer_count, q.created_at, b.aid, count(*) OVER () "
	"FROM b JOIN questions q ON q.id = b.qid JOIN topics t ON t.id = q.topic_id "
	"WHERE q.status = 'published' AND ($2 = '' OR t.slug = $2) AND (q.members_only = 0 OR $6 = 1) "
	"ORDER BY b.score DESC, q.id DESC LIMIT $3 OFFSET $4"};
/* Only for a page past the end, where the window has no row to report the total on. */
static const dbq q_count = {
	"WITH m AS ("
	" SELECT * FROM (SELECT rowid AS qid FROM questions_fts WHERE questions_fts MATCH $1 ORDER BY rowid DESC LIMIT $3)"
	" UNION"
	" SELECT * FROM (SELECT a.question_id AS qid FROM answers_fts JOIN answers a ON a.id = answers_fts.rowid"
	"  WHERE answers_fts MATCH $1 AND a.status = 'published' ORDER BY answers_fts.rowid DESC LIMIT $3))"
	"SELECT count(*) FROM m JOIN questions q INDEXED BY questions_state ON q.id = m.qid "
	"WHERE q.status = 'published' AND ($2 = '' OR q.topic_id = (SELECT id FROM topics WHERE slug = $2)) "
	"AND (q.members_only = 0 OR $4 = 1)",
	"WITH m AS ("
	" (SELECT q.id AS qid FROM questions q WHERE q.search @@ to_tsquery('english', $1) ORDER BY q.id DESC LIMIT $3)"
	" UNION"
	" (SELECT a.question_id FROM answers a WHERE a.search @@ to_tsquery('english', $1) AND a.status = 'published'"
	"  ORDER BY a.id DESC LIMIT $3))"
	"SELECT count(*) FROM m JOIN questions q ON q.id = m.qid JOIN topics t ON t.id = q.topic_id "
	"WHERE q.status = 'published' AND ($2 = '' OR t.slug = $2) AND (q.members_only = 0 OR $4 = 1)"};

static void read_hits(const dbrows *r, int n, search_hit *out)
{
	for (int i = 0; i < n; i++) {
		search_hit *h = &out[i];
		h->id = db_int(r, i, 0);
		h->topic_slug = db_text(r, i, 1);
		h->topic_name = db_text(r, i, 2);
		h->slug = db_text(r, i, 3);
		h->title = db_text(r, i, 4);
		h->snippet = db_text(r, i, 5);
		h->answer_count = db_int(r, i, 6);
		h->created_at = db_int(r, i, 7);
		h->in_answer = db_int(r, i, 8) > 0;
	}
}

static int run(dbc *c, arena *a, const char *fts, const char *topic, int limit, int offset, bool members,
               search_hit **out, int64_t *total)
{
	dbrows r;
	int rc = db_query(c, &q_search, DBP(dbs(fts), dbs(topic), dbi(limit), dbi(offset), dbi(SEARCH_CANDIDATES), dbi(members)),
	                  a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, search_hit, rc);
	read_hits(&r, rc, *out);
	if (rc > 0) {
		*total = db_int(&r, 0, 9);
	} else if (offset > 0) {
		int crc;
		*total = db_scalar(c, &q_count, DBP(dbs(fts), dbs(topic), dbi(SEARCH_CANDIDATES), dbi(members)), 0, &crc);
		if (crc < 0)
			return crc;
	} else {
		*total = 0;
	}
	return rc;
}

int search_questions(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                     search_hit **out, int64_t *total)
{
	return search_questions_as(c, a, text, topic, limit, offset, false, out, total);
}

int search_questions_as(dbc *c, arena *a, const char *text, const char *topic, int limit, int offset,
                        bool members, search_hit **out, int64_t *total)
{
	*total = 0;
	*out = NULL;
	if (!topic)
		topic = "";
	bool pg = db_conn_is_postgres(c);
	const vocab *v = vocab_builtin();
	char *fts = search_query(a, v, text, false, pg);
	if (!*fts)
		return 0;
	int rc = run(c, a, fts, topic, limit, offset, members, out, total);
	if (rc == 0 && *total == 0) {
		/* Nothing has every word: fall back to any word, best matches first (on later pages
		 * too, so the pages of such a search go on past the first). */
		char *anyq = search_query(a, v, text, true, pg);
		if (strcmp(anyq, fts) != 0)
			rc = run(c, a, anyq, topic, limit, offset, members, out, total);
	}
	return rc;
}

static const dbq q_articles = {
	"SELECT t.slug, t.name, ar.slug, ar.title, ar.summary, "
	"snippet(articles_fts, 2, char(1), char(2), '…', 20) "
	"FROM articles_fts JOIN articles ar ON ar.id = articles_fts.rowid JOIN topics t ON t.id = ar.topic_id "
	"WHERE articles_fts MATCH $1 AND ar.status = 'published' AND ($2 = '' OR t.slug = $2) "
	"ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0) LIMIT $3",
	"SELECT t.slug, t.name, ar.slug, ar.title, ar.summary, "
	"ts_headline('english', ar.body_md, to_tsquery('english', $1), "
	"'StartSel=\x01, StopSel=\x02, MaxWords=26, MinWords=10, ShortWord=2, FragmentDelimiter=…, MaxFragments=1') "
	"FROM articles ar JOIN topics t ON t.id = ar.topic_id "
	"WHERE ar.search @@ to_tsquery('english', $1) AND ar.status = 'published' AND ($2 = '' OR t.slug = $2) "
	"ORDER BY ts_rank(ar.search, to_tsquery('english', $1)) DESC, ar.id LIMIT $3"};

static int articles_run(dbc *c, arena *a, const char *fts, const char *topic, int limit, article_hit **out)
{
	dbrows r;
	int rc = db_query(c, &q_articles, DBP(dbs(fts), dbs(topic), dbi(limit)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, article_hit, rc);
	for (int i = 0; i < rc; i++) {
		article_hit *h = &(*out)[i];
		h->topic_slug = db_text(&r, i, 0);
		h->topic_name = db_text(&r, i, 1);
		h->slug = db_text(&r, i, 2);
		h->title = db_text(&r, i, 3);
		h->summary = db_text(&r, i, 4);
		h->snippet = db_text(&r, i, 5);
	}
	return rc;
}

int search_articles(dbc *c, arena *a, const char *text, const char *topic, int limit, article_hit **out)
{
	*out = NULL;
	if (!topic)
		topic = "";
	bool pg = db_conn_is_postgres(c);
	const vocab *v = vocab_builtin();
	char *fts = search_query(a, v, text, false, pg);
	if (!*fts)
		return 0;
	int rc = articles_run(c, a, fts, topic, limit, out);
	if (rc == 0) {
		char *anyq = search_query(a, v, text, true, pg);
		if (strcmp(anyq, fts) != 0)
			rc = articles_run(c, a, anyq, topic, limit, out);
	}
	return rc;
}

/* Similar questions: titles weigh most; small words are left out so "how do I" does not match
 * everything; like /search, only the newest SEARCH_CANDIDATES matches are ranked. */
static const dbq q_similar = {
	"SELECT q.id, t.slug, t.name, q.slug, q.title, '', q.answer_count, q.created_at, 0 FROM "
	"(SELECT rowid AS qid, bm25(questions_fts, 10.0, 1.0) AS score FROM questions_fts "
	" WHERE questions_fts MATCH $1 ORDER BY rowid DESC LIMIT $4) m "
	"JOIN questions q ON q.id = m.qid JOIN topics t ON t.id = q.topic_id "
	"WHERE q.status = 'published' AND q.id <> $2 ORDER BY m.score, q.id DESC LIMIT $3",
	"SELECT q.id, t.slug, t.name, q.slug, q.title, '', q.answer_count, q.created_at, 0 FROM "
	"(SELECT id AS qid, ts_rank(search, to_tsquery('english', $1)) AS score FROM questions "
	" WHERE search @@ to_tsquery('english', $1) ORDER BY id DESC LIMIT $4) m "
	"JOIN questions q ON q.id = m.qid JOIN topics t ON t.id = q.topic_id "
	"WHERE q.status = 'published' AND q.id <> $2 ORDER BY m.score DESC, q.id DESC LIMIT $3"};

static bool small_word(const char *w)
{
	static const char *const stop[] = {
	    "a", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
	    "does", "for", "from", "get", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
	    "just", "me", "my", "no", "not", "of", "on", "or", "should", "so", "that", "the", "their", "them",
	    "then", "there", "this", "to", "was", "we", "what", "when", "which", "who", "why", "will", "with",
	    "would", "you", "your", "anyone", "else", "s", "t", "m", "ve", "ll", "d", "re"};
	for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
		if (strcmp(w, stop[i]) == 0)
			return true;
	return false;
}

int search_similar(dbc *c, arena *a, const char *text, int64_t exclude_id, int limit, search_hit **out)
{
	*out = NULL;
	const char *words[SEARCH_MAX_TERMS];
	int n = vocab_words(a, text, strlen(text), words, SEARCH_MAX_TERMS);
	buf b;
	buf_init(&b, a, 128, 2048);
	for (int i = 0; i < n; i++) {
		if (small_word(words[i]))
			continue;
		if (b.len)
			buf_putc(&b, ' ');
		buf_puts(&b, words[i]);
	}
	if (b.err || !b.len)
		return 0;
	char *fts = search_query(a, vocab_builtin(), b.p, true, db_conn_is_postgres(c));
	if (!*fts)
		return 0;
	dbrows r;
	int rc = db_query(c, &q_similar, DBP(dbs(fts), dbi(exclude_id), dbi(limit), dbi(SEARCH_CANDIDATES)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, search_hit, rc);
	read_hits(&r, rc, *out);
	return rc;
}
