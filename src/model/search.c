/* search.c: query building with vocabulary expansion, ranked search with highlighted snippets. */
#include "model/search.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

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

/* One token of a tsquery's text form, as PostgreSQL prints it: a quoted lexeme, an operator
 * (& | ! <-> <N>) or a parenthesis, separated by spaces. */
typedef struct tq_tok {
	char kind; /* 'l' lexeme, 'p' phrase operator, or the character itself: & | ! ( ) */
	const char *s;
	size_t len; /* lexeme: the text between the quotes, '' escapes kept */
	int dist;   /* phrase operator: 1 for <->, N for <N> */
} tq_tok;

/* Reads the token at *p; false at the end of the text or on something this reader does not
 * know (a weight or prefix mark after a lexeme, a stray character). */
static bool tq_next(const char **p, tq_tok *t, bool *bad)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	*bad = false;
	if (!*s)
		return false;
	if (*s == '\'') {
		const char *b = ++s;
		for (;; s++) {
			if (!*s) {
				*bad = true;
				return false;
			}
			if (*s == '\'' && s[1] == '\'') {
				s++;
				continue;
			}
			if (*s == '\'')
				break;
		}
		*t = (tq_tok){'l', b, (size_t)(s - b), 0};
		s++;
		if (*s && *s != ' ') { /* 'word':* or 'word':AB */
			*bad = true;
			return false;
		}
	} else if (*s == '<') {
		int d = 0;
		const char *e = s + 1;
		if (*e == '-') {
			d = 1;
			e++;
		} else {
			while (*e >= '0' && *e <= '9' && d < 100000)
				d = d * 10 + (*e++ - '0');
		}
		if (*e != '>' || d < 1) {
			*bad = true;
			return false;
		}
		*t = (tq_tok){'p', s, 0, d};
		s = e + 1;
	} else if (strchr("&|!()", *s)) {
		*t = (tq_tok){*s, s, 1, 0};
		s++;
	} else {
		*bad = true;
		return false;
	}
	*p = s;
	return true;
}

static void put_lexeme(buf *b, const char *s, size_t n)
{
	buf_putc(b, '\'');
	buf_add(b, s, n);
	buf_putc(b, '\'');
}

char *search_pg_pairs(arena *a, const char *tsq, bool *exact)
{
	*exact = true;
	buf b;
	buf_init(&b, a, 256, 16384);
	const char *p = tsq;
	tq_tok t, prev = {0};
	bool bad;
	while (tq_next(&p, &t, &bad)) {
		if (t.kind == 'p')
			return NULL; /* a phrase after a parenthesis: not a plain run of words */
		if (b.len)
			buf_putc(&b, ' ');
		if (t.kind != 'l') {
			buf_add(&b, t.s, 1);
			prev = t;
			continue;
		}
		/* A lexeme: gather the run of words it starts, joined by phrase operators. */
		tq_tok run[SEARCH_MAX_TERMS * 4];
		int dist[SEARCH_MAX_TERMS * 4];
		int n = 0;
		run[n++] = t;
		const char *q = p;
		tq_tok op, w;
		while (n < (int)(sizeof run / sizeof *run) && tq_next(&q, &op, &bad) && op.kind == 'p') {
			if (!tq_next(&q, &w, &bad) || w.kind != 'l')
				return NULL; /* a phrase of a group: ( a | b ) <-> c */
			dist[n] = op.dist;
			run[n++] = w;
			p = q;
		}
		if (bad)
			return NULL;
		if (n == 1) {
			put_lexeme(&b, t.s, t.len);
		} else {
			if (prev.kind == '!')
				return NULL; /* ! binds to the first word only */
			/* Neighbours become one pair lexeme; words further apart (a stop word between)
			 * are only both required, and the exact query decides. */
			buf_puts(&b, "( ");
			if (n > 2)
				*exact = false; /* a_b & b_c also holds for "a b … b c" */
			for (int i = 1; i < n; i++) {
				if (i > 1)
					buf_puts(&b, " & ");
				if (dist[i] == 1) {
					buf_putc(&b, '\'');
					buf_add(&b, run[i - 1].s, run[i - 1].len);
					buf_putc(&b, '_');
					buf_add(&b, run[i].s, run[i].len);
					buf_putc(&b, '\'');
				} else {
					*exact = false;
					put_lexeme(&b, run[i - 1].s, run[i - 1].len);
					buf_puts(&b, " & ");
					put_lexeme(&b, run[i].s, run[i].len);
				}
			}
			buf_puts(&b, " )");
		}
		prev = t;
	}
	if (bad || b.err)
		return NULL;
	return b.len ? b.p : NULL;
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
	/* PostgreSQL: the candidates were chosen first (pg_candidates): question ids $7, answer
	 * ids $8; their vectors are ranked here. */
	"WITH m AS ("
	" SELECT s.id AS qid, 0::bigint AS aid, ts_rank(s.search, to_tsquery('english', $1)) AS score"
	"  FROM question_search s WHERE s.id = ANY($7::bigint[])"
	" UNION ALL"
	" SELECT s.question_id, s.id, ts_rank(s.search, to_tsquery('english', $1)) * 0.6"
	"  FROM answer_search s WHERE s.id = ANY($8::bigint[])),"
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
	NULL};
static const dbq q_count_pg = {
	"SELECT 0",
	"WITH m AS (SELECT id AS qid FROM question_search WHERE id = ANY($1::bigint[])"
	" UNION SELECT question_id FROM answer_search WHERE id = ANY($2::bigint[]))"
	"SELECT count(*) FROM m JOIN questions q ON q.id = m.qid JOIN topics t ON t.id = q.topic_id "
	"WHERE q.status = 'published' AND ($3 = '' OR t.slug = $3) AND (q.members_only = 0 OR $4 = 1)"};

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

/* Search queries are planned with their values on PostgreSQL (db_plan_each_run): whether the GIN
 * index or the newest rows first is faster depends on how common the words are. */
static int planned(dbc *c, const dbq *q, const dbv *p, int np, arena *a, dbrows *out)
{
	db_plan_each_run(c, true);
	int rc = db_query(c, q, p, np, a, out);
	db_plan_each_run(c, false);
	return rc;
}

/* The query as the engine matches it. SQLite: fts itself. PostgreSQL: *pairs is fts normalised
 * with its phrases as pair lexemes (search_pg_pairs) and *loose says whether the rows it finds must
 * still be checked against fts (a phrase of three words, or words a stop word apart); when the
 * query has a shape search_pg_pairs does not handle, the normalised query itself. */
static const dbq q_normalise = {"SELECT ''", "SELECT to_tsquery('english', $1)::text"};

static int pg_match(dbc *c, arena *a, const char *fts, const char **pairs, int *loose)
{
	*pairs = fts;
	*loose = 0;
	if (!db_conn_is_postgres(c))
		return 0;
	dbrows r;
	int rc = db_query(c, &q_normalise, DBP(dbs(fts)), a, &r);
	if (rc < 0)
		return rc;
	const char *norm = rc > 0 ? db_text(&r, 0, 0) : "";
	bool exact = true;
	const char *p = search_pg_pairs(a, norm, &exact);
	*pairs = p ? p : norm;
	*loose = p && !exact;
	return 0;
}

/* PostgreSQL chooses the candidates itself, in steps whose plans it fixes: the planner cannot tell
 * how common the words are, and a wrong guess cost seconds either way (walking a million rows for
 * a word found once, or a bitmap of a hundred thousand rows for a common one).
 * 1. The newest PG_PROBE rows are checked one by one, newest first (the vectors inline in the
 *    narrow tables of migration 143). A common word finds its candidates here.
 * 2. Too few, but as many as the probe found mean the rest lie within PG_WALK more rows: the walk
 *    goes on through those.
 * 3. Whatever is still missing comes from the GIN index over the older rows: a bitmap, cheap
 *    because the words are rare there.
 * At most PG_CANDIDATES ids, newest first (PostgreSQL checks a row's vector more slowly than FTS5
 * walks its index, so it ranks fewer than SQLite's SEARCH_CANDIDATES). */
enum { PG_CANDIDATES = 1000, PG_PROBE = 4000, PG_WALK = 16000 };

/* $1 the query with pair lexemes, $2 the typed query, $3 also check $2, ids in ($4, $5], $6 rows. */
#define PG_CHECK(where) \
	where " AND ($3 = 0 OR ts_match_vq(search, to_tsquery('english', $2))) AND id > $4 AND id <= $5 " \
	      "ORDER BY id DESC LIMIT $6"
static const dbq q_pg_top[2] = {{"SELECT 0", "SELECT COALESCE(max(id), 0) FROM question_search"},
                                {"SELECT 0", "SELECT COALESCE(max(id), 0) FROM answer_search"}};
/* One row after another: ts_match_vq is no index operator, so the plan walks the primary key. */
static const dbq q_pg_walk[2] = {
	{"SELECT 0", PG_CHECK("SELECT id FROM question_search WHERE ts_match_vq(search, $1::tsquery)")},
	{"SELECT 0", PG_CHECK("SELECT id FROM answer_search WHERE ts_match_vq(search, $1::tsquery)")}};
/* The GIN index (with index scans and sequential scans switched off around it). */
static const dbq q_pg_bitmap[2] = {{"SELECT 0", PG_CHECK("SELECT id FROM question_search WHERE search @@ $1::tsquery")},
                                   {"SELECT 0", PG_CHECK("SELECT id FROM answer_search WHERE search @@ $1::tsquery")}};

/* Appends the ids of rows ids in (lo, hi] that match, at most want; returns how many or < 0. */
static int pg_step(dbc *c, arena *a, const dbq *q, const char *pairs, const char *fts, int loose, int64_t lo,
                   int64_t hi, int want, buf *ids)
{
	dbrows r;
	int rc = planned(c, q, DBP(dbs(pairs), dbs(fts), dbi(loose), dbi(lo), dbi(hi), dbi(want)), a, &r);
	for (int i = 0; i < rc; i++) {
		char num[24];
		snprintf(num, sizeof num, "%s%lld", ids->len > 1 ? "," : "", (long long)db_int(&r, i, 0));
		buf_puts(ids, num);
	}
	return rc;
}

/* The candidates of one table (answers or questions) as an array literal in *out. */
static int pg_candidates(dbc *c, arena *a, bool answers, const char *pairs, const char *fts, int loose,
                         const char **out)
{
	buf ids;
	buf_init(&ids, a, 1024, 32 * PG_CANDIDATES);
	buf_putc(&ids, '{');
	int rc;
	int64_t hi = db_scalar(c, &q_pg_top[answers], NULL, 0, 0, &rc);
	int64_t lo = hi > PG_PROBE ? hi - PG_PROBE : 0;
	int got = rc < 0 ? rc : pg_step(c, a, &q_pg_walk[answers], pairs, fts, loose, lo, hi, PG_CANDIDATES, &ids);
	if (got >= 0 && got < PG_CANDIDATES && lo > 0 && got > 0 &&
	    (int64_t)(PG_CANDIDATES - got) * PG_PROBE / got <= PG_WALK) {
		int64_t next = lo > PG_WALK ? lo - PG_WALK : 0;
		rc = pg_step(c, a, &q_pg_walk[answers], pairs, fts, loose, next, lo, PG_CANDIDATES - got, &ids);
		got = rc < 0 ? rc : got + rc;
		lo = next;
	}
	if (got >= 0 && got < PG_CANDIDATES && lo > 0) {
		rc = db_script(c, "SET enable_indexscan = off; SET enable_seqscan = off");
		if (rc >= 0)
			rc = pg_step(c, a, &q_pg_bitmap[answers], pairs, fts, loose, 0, lo, PG_CANDIDATES - got, &ids);
		int rrc = db_script(c, "RESET enable_indexscan; RESET enable_seqscan");
		got = rc < 0 ? rc : rrc < 0 ? rrc : got + rc;
	}
	buf_putc(&ids, '}');
	if (got < 0)
		return got;
	if (ids.err)
		return DB_ERR;
	*out = ids.p;
	return got;
}

/* Everything a search statement needs besides the text: the PostgreSQL query with pairs and the
 * candidates of both tables (SQLite finds its own). */
struct matching {
	const char *pairs;
	int loose;
	const char *qids, *aids;
};

static int prepare_match(dbc *c, arena *a, const char *fts, bool with_answers, struct matching *m)
{
	m->qids = m->aids = "{}";
	int rc = pg_match(c, a, fts, &m->pairs, &m->loose);
	if (rc < 0 || !db_conn_is_postgres(c) || !*m->pairs)
		return rc;
	rc = pg_candidates(c, a, false, m->pairs, fts, m->loose, &m->qids);
	if (rc >= 0 && with_answers)
		rc = pg_candidates(c, a, true, m->pairs, fts, m->loose, &m->aids);
	return rc < 0 ? rc : 0;
}

static const dbq q_queued = {"SELECT EXISTS (SELECT 1 FROM answers_fts_queue)", NULL};
static const dbq q_index_queued = {
	"INSERT INTO answers_fts (rowid, body_md) SELECT a.id, a.body_md FROM answers a "
	"WHERE a.id IN (SELECT id FROM answers_fts_queue ORDER BY id LIMIT $1)",
	NULL};
static const dbq q_unqueue = {
	"DELETE FROM answers_fts_queue WHERE id IN (SELECT id FROM answers_fts_queue ORDER BY id LIMIT $1)", NULL};

static int index_tx(dbc *c, void *p)
{
	int max = *(int *)p;
	int rc = db_exec(c, &q_index_queued, DBP(dbi(max)));
	if (rc >= 0)
		rc = db_exec(c, &q_unqueue, DBP(dbi(max)));
	return rc;
}

int search_index_queued(dbc *c, int max)
{
	if (db_conn_is_postgres(c))
		return 0;
	int rc;
	if (db_scalar(c, &q_queued, DBNOP, 0, &rc) != 1)
		return rc < 0 ? rc : 0;
	return db_tx(c, index_tx, &max);
}

int search_index_all(dbc *c)
{
	int n = 0, rc;
	while ((rc = search_index_queued(c, SEARCH_INDEX_BATCH)) > 0)
		n += rc;
	return rc < 0 ? rc : n;
}

static int run(dbc *c, arena *a, const char *fts, const char *topic, int limit, int offset, bool members,
               search_hit **out, int64_t *total)
{
	/* Answers posted in the last half second may wait to be indexed: a search finds them. */
	if (search_index_queued(c, SEARCH_INDEX_BATCH) < 0)
		log_warn("msg=\"queued answers not indexed\" err=\"%s\"", db_errmsg(c));
	struct matching m;
	int rc = prepare_match(c, a, fts, true, &m);
	if (rc < 0)
		return rc;
	if (!*m.pairs) /* nothing but stop words: PostgreSQL's query is empty */
		return 0;
	dbrows r;
	rc = planned(c, &q_search,
	             DBP(dbs(fts), dbs(topic), dbi(limit), dbi(offset), dbi(SEARCH_CANDIDATES), dbi(members), dbs(m.qids),
	                 dbs(m.aids)),
	             a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, search_hit, rc);
	read_hits(&r, rc, *out);
	if (rc > 0) {
		*total = db_int(&r, 0, 9);
	} else if (offset > 0) {
		dbrows n;
		int crc = db_conn_is_postgres(c)
		              ? db_query(c, &q_count_pg, DBP(dbs(m.qids), dbs(m.aids), dbs(topic), dbi(members)), a, &n)
		              : db_query(c, &q_count, DBP(dbs(fts), dbs(topic), dbi(SEARCH_CANDIDATES), dbi(members)), a, &n);
		if (crc < 0)
			return crc;
		*total = crc > 0 ? db_int(&n, 0, 0) : 0;
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
	int rc = planned(c, &q_articles, DBP(dbs(fts), dbs(topic), dbi(limit)), a, &r);
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
	"(SELECT id AS qid, ts_rank(search, to_tsquery('english', $1)) AS score FROM question_search "
	" WHERE id = ANY($5::bigint[])) m "
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
	struct matching m;
	int rc = prepare_match(c, a, fts, false, &m);
	if (rc < 0 || !*m.pairs)
		return rc;
	dbrows r;
	rc = planned(c, &q_similar, DBP(dbs(fts), dbi(exclude_id), dbi(limit), dbi(SEARCH_CANDIDATES), dbs(m.qids)), a,
	             &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, search_hit, rc);
	read_hits(&r, rc, *out);
	return rc;
}
