/* search_bench.c: search latency on a generated database (not part of `make test`).
 *
 *   cmake --build build --target search_bench
 *   build/search_bench [--db PATH|postgres://…] [--questions 100000] [--answers 1000000]
 *                      [--queries 300] [--reuse]
 *
 * Generates topics, questions and answers from the vocabulary and a pool of everyday words (a
 * skewed distribution, so common words match many posts), then runs lay-language queries through
 * search_questions() (count + first page with snippets, as /search does) on one thread and prints
 * the median, 90th and 99th percentiles. --reuse keeps an existing database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "model/search.h"
#include "model/vocab.h"

static const char *const filler[] = {
    "the", "and", "my", "with", "when", "pain", "doctor", "started", "tablets", "morning", "night", "worse",
    "better", "week", "months", "years", "after", "since", "feel", "tired", "dizzy", "side", "effects", "dose",
    "taking", "stopped", "normal", "worried", "help", "advice", "anyone", "else", "same", "family", "work",
    "sleep", "stress", "diet", "exercise", "walking", "water", "coffee", "headache", "eye", "twitching",
    "blood", "pressure", "sugar", "readings", "test", "results", "appointment", "nurse", "clinic", "hospital",
    "left", "right", "face", "hands", "feet", "legs", "chest", "breath", "cough", "skin", "rash", "weight",
    "appetite", "mood", "anxious", "low", "high", "levels", "scan", "specialist", "referral", "months"};
enum { NFILLER = sizeof filler / sizeof *filler };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
/* Skewed pick: small indexes far more often. */
static int skew(int n)
{
	uint64_t a = next() % (uint64_t)n, b = next() % (uint64_t)n;
	return (int)(a < b ? a : b);
}

static const char *term(const vocab *v)
{
	int n = vocab_count(v, VOCAB_CONDITION) + vocab_count(v, VOCAB_MEDICATION);
	const vocab_entry *e = vocab_entry_at(v, skew(n));
	return e->raw[next() % (uint64_t)e->nterms];
}

static void text(buf *b, const vocab *v, int words)
{
	for (int i = 0; i < words; i++) {
		if (i)
			buf_putc(b, ' ');
		buf_puts(b, next() % 12 == 0 ? term(v) : filler[skew(NFILLER)]);
	}
}

static const dbq q_topic = {"INSERT INTO topics (slug, name, created_at) VALUES ($1, $2, $3) "
                            "ON CONFLICT (slug) DO NOTHING",
                            NULL};
static const dbq q_q = {
	"INSERT INTO questions (topic_id, title, slug, body_md, body_html, excerpt, created_at, terms_accepted_at, "
	"answer_count) SELECT id, $2, 'q', $3, $3, '', $4, $4, $5 FROM topics WHERE slug = $1 RETURNING id",
	NULL};
static const dbq q_a = {
	"INSERT INTO answers (question_id, body_md, body_html, created_at, terms_accepted_at) VALUES ($1, $2, $2, $3, $3)",
	NULL};
static const dbq q_nq = {"SELECT count(*) FROM questions", NULL};

static int generate(dbc *c, const vocab *v, int nq, int na)
{
	arena *a = arena_new(0);
	int64_t now = util_now();
	for (int t = 0; t < 20; t++) {
		char slug[32], name[32];
		snprintf(slug, sizeof slug, "topic-%d", t);
		snprintf(name, sizeof name, "Topic %d", t);
		if (db_exec(c, &q_topic, DBP(dbs(slug), dbs(name), dbi(now))) < 0)
			return -1;
	}
	int per = nq ? na / nq : 0, extra = nq ? na % nq : 0;
	for (int i = 0; i < nq; i++) {
		if (i % 5000 == 0) {
			if (i && db_commit(c) < 0)
				return -1;
			if (db_begin(c) < 0)
				return -1;
			arena_reset(a);
			fprintf(stderr, "\r%d questions", i);
		}
		char slug[32];
		snprintf(slug, sizeof slug, "topic-%d", skew(20));
		buf title, body;
		buf_init(&title, a, 128, 0);
		buf_init(&body, a, 1024, 0);
		text(&title, v, 6 + (int)(next() % 6));
		text(&body, v, 40 + (int)(next() % 80));
		int answers = per + (i < extra);
		dbrows r;
		if (db_query(c, &q_q, DBP(dbs(slug), dbs(title.p), dbs(body.p), dbi(now - i), dbi(answers)), a, &r) != 1)
			return -1;
		int64_t qid = db_int(&r, 0, 0);
		for (int k = 0; k < answers; k++) {
			buf ab;
			buf_init(&ab, a, 512, 0);
			text(&ab, v, 20 + (int)(next() % 60));
			if (db_exec(c, &q_a, DBP(dbi(qid), dbs(ab.p), dbi(now - i + k + 1))) < 0)
				return -1;
		}
	}
	if (nq && db_commit(c) < 0)
		return -1;
	fprintf(stderr, "\r%d questions, %d answers\n", nq, na);
	arena_free(a);
	return 0;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	const char *url = "search-bench.db";
	long nq = 100000, na = 1000000, nqueries = 300;
	int reuse = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reuse") == 0)
			reuse = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--db") == 0)
			url = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--questions") == 0)
			nq = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--answers") == 0)
			na = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--queries") == 0)
			nqueries = strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: %s [--db PATH] [--questions N] [--answers N] [--queries N] [--reuse]\n",
			        argv[0]);
			return 2;
		}
	}
	if (nq < 0 || na < 0 || nqueries < 1 || nq > 10000000 || na > 100000000) {
		fprintf(stderr, "sizes out of range\n");
		return 2;
	}
	log_set_level(LOG_WARN);
	const vocab *v = vocab_builtin();
	if (!v)
		return 1;
	if (!reuse && strncmp(url, "postgres", 8) != 0)
		unlink(url);
	char err[256];
	db *d = db_open(url, "NORMAL", err, sizeof err);
	if (!d || db_migrate(d, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dbc *c = db_conn(d);
	int rc;
	if (!reuse || db_scalar(c, &q_nq, DBNOP, 0, &rc) == 0) {
		double t0 = util_now_ms();
		if (generate(c, v, (int)nq, (int)na) < 0) {
			fprintf(stderr, "generating failed: %s\n", db_errmsg(c));
			return 1;
		}
		fprintf(stderr, "generated in %.1f s\n", (util_now_ms() - t0) / 1000);
	}
	static const char *const fixed[] = {"bp", "sugar", "eye twitching", "losartan", "water pills",
	                                    "blood pressure medicine", "migraine aura", "dizzy after tablets",
	                                    "cozaar cough", "tired all the time"};
	double *ms = calloc((size_t)nqueries, sizeof *ms);
	arena *a = arena_new(0);
	char q[256];
	for (long i = 0; i < nqueries; i++) {
		if (i < (long)(sizeof fixed / sizeof *fixed)) {
			snprintf(q, sizeof q, "%s", fixed[i]);
		} else {
			/* A lay term, sometimes with an everyday word. */
			snprintf(q, sizeof q, "%s%s%s", term(v), next() % 2 ? " " : "", next() % 2 ? filler[skew(NFILLER)] : "");
		}
		search_hit *hits;
		int64_t total;
		double t0 = util_now_ms();
		int n = search_questions(c, a, q, NULL, 10, 0, &hits, &total);
		ms[i] = util_now_ms() - t0;
		if (n < 0) {
			fprintf(stderr, "query \"%s\" failed: %s\n", q, db_errmsg(c));
			return 1;
		}
		arena_reset(a);
	}
	qsort(ms, (size_t)nqueries, sizeof *ms, cmp);
	printf("engine=%s questions=%ld answers=%ld queries=%ld median_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
	       db_engine_name(d), nq, na, nqueries, ms[nqueries / 2], ms[nqueries * 9 / 10], ms[nqueries * 99 / 100],
	       ms[nqueries - 1]);
	free(ms);
	arena_free(a);
	db_close(d);
	return 0;
}
