/* search_bench.c: search latency on a generated database (not part of `make test`).
 *
 *   cmake --build build --target search_bench
 *   build/search_bench [--db PATH|postgres://…] [--reuse] [--questions 100000] [--answers 1000000]
 *                      [--rounds 5] [--sql STATEMENT] [-v]
 *
 * Without --reuse it generates topics, questions and answers from the vocabulary and a pool of
 * everyday words (a skewed distribution, so common words match many posts). With --reuse it
 * searches an existing database, such as one made by `carecircle bench-data` (the documented
 * run: `make bench-search`, docs/performance.md "Search"). It runs a fixed mix of queries (lay
 * words the vocabulary expands, multi-word, rare words, no match, topic filter, later pages) as
 * /search runs them, on one thread, after one unmeasured warm-up pass, and prints a markdown table
 * of the median, 90th and 99th percentile per kind. -v prints each query's time and total; --sql runs
 * one statement on the connection first (an experiment, such as a PRAGMA). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The query mix: what people type into /search. Each kind is run as /search runs it: the
 * questions page (count + page + snippets) and, on page 1, the article hits. */
struct kind {
	const char *name, *topic;
	int page;
	const char *const *queries;
};
static const char *const lay[] = {"bp", "sugar", "water pills", "high blood pressure", "diabetic", "eye twitching",
                                  "thyroid", "losartan", "cozaar", "heartburn", "hypo", "inhaler", NULL};
static const char *const multi[] = {"morning headache", "tired after tablet", "sharp pain left shoulder",
                                    "coffee sleep night", "breathing exercise morning", "dizzy nausea appetite",
                                    "blood pressure cuff reading", "side effects dose", "walk knee pain stairs",
                                    "worse at night", NULL};
static const char *const rare[] = {"funeral", "humidity", "interview", "podcast", "wedding", "chocolate",
                                   "perfume", "neighbour", "wedding stress", "exam deadline", NULL};
static const char *const none[] = {"xylophone", "quasar nebula", "bp xylophone", "zebra crossing", NULL};
static const struct kind kinds[] = {
	{"lay (expanded)", NULL, 1, lay},
	{"multi-word", NULL, 1, multi},
	{"rare word", NULL, 1, rare},
	{"no match (any-word retry)", NULL, 1, none},
	{"lay + topic filter", "hypertension", 1, lay},
	{"multi-word + topic filter", "migraine", 1, multi},
	{"lay, page 2", NULL, 2, lay},
	{"multi-word, page 3", NULL, 3, multi},
};
enum { NKINDS = sizeof kinds / sizeof *kinds, PER_PAGE = 10 }; /* as /search (pages.c) */

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One search as /search makes it; *cpu gets the thread's CPU time, the result is wall time. */
static double one(dbc *c, arena *a, const char *q, const char *topic, int page, int64_t *total, double *cpu)
{
	search_hit *hits;
	article_hit *arts;
	double c0 = cpu_ms(), t0 = util_now_ms();
	int n = search_questions(c, a, q, topic, PER_PAGE, (page - 1) * PER_PAGE, &hits, total);
	if (n >= 0 && page == 1)
		n = search_articles(c, a, q, topic, 3, &arts);
	double ms = util_now_ms() - t0;
	*cpu = cpu_ms() - c0;
	if (n < 0) {
		fprintf(stderr, "query \"%s\" failed: %s\n", q, db_errmsg(c));
		exit(1);
	}
	arena_reset(a);
	return ms;
}

static void row(const char *name, double *ms, double *cpu, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	qsort(cpu, (size_t)n, sizeof *cpu, cmp);
	printf("| %-28s | %5d | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f |\n", name, n, cpu[n / 2],
	       cpu[n * 9 / 10], cpu[n * 99 / 100], ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100]);
}

int main(int argc, char **argv)
{
	const char *url = "search-bench.db";
	long nq = 100000, na = 1000000, rounds = 5;
	int reuse = 0, verbose = 0;
	const char *pragma = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reuse") == 0)
			reuse = 1;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--db") == 0)
			url = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--questions") == 0)
			nq = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--answers") == 0)
			na = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--rounds") == 0)
			rounds = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--sql") == 0)
			pragma = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--db PATH|postgres://…] [--reuse] [--questions N] [--answers N] "
			                "[--rounds N] [--sql STATEMENT] [-v]\n",
			        argv[0]);
			return 2;
		}
	}
	if (nq < 0 || na < 0 || rounds < 1 || rounds > 1000 || nq > 10000000 || na > 100000000) {
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
	if (pragma) { /* an experiment: a setting for this connection, e.g. "PRAGMA mmap_size=1000000000" */
		static dbq q_pragma; /* statements are cached by address: not on the stack */
		q_pragma = (dbq){pragma, pragma};
		arena *pa = arena_new(0);
		dbrows pr;
		if (db_query(c, &q_pragma, DBNOP, pa, &pr) < 0) {
			fprintf(stderr, "%s: %s\n", pragma, db_errmsg(c));
			return 1;
		}
		arena_free(pa);
	}
	static const dbq q_na = {"SELECT count(*) FROM answers", NULL};
	int64_t have_q = db_scalar(c, &q_nq, DBNOP, 0, &rc), have_a = db_scalar(c, &q_na, DBNOP, 0, &rc);
	arena *a = arena_new(0);
	/* One pass first, unmeasured: the timings are of a warm server (index pages in memory). */
	for (int k = 0; k < NKINDS; k++)
		for (const char *const *q = kinds[k].queries; *q; q++) {
			int64_t total;
			double cpu;
			one(c, a, *q, kinds[k].topic, kinds[k].page, &total, &cpu);
		}
	printf("engine=%s questions=%lld answers=%lld rounds=%ld (one thread; ms per /search: questions page with "
	       "snippets and count, plus article hits on page 1)\n\n",
	       db_engine_name(d), (long long)have_q, (long long)have_a, rounds);
	if (strcmp(db_engine_name(d), "sqlite") == 0)
		printf("CPU = the search thread's CPU time (what one core spends); wall = elapsed time, which also\n"
		       "counts waiting for a core on a busy machine. Milliseconds.\n\n");
	else /* the work is in the server process: only wall time means anything */
		printf("wall = elapsed time in milliseconds; the CPU columns are this client's only (the server does\n"
		       "the work) and mean nothing here.\n\n");
	printf("| %-28s | %5s | %8s | %8s | %8s | %8s | %8s | %8s |\n", "query kind", "runs", "CPU p50", "CPU p90",
	       "CPU p99", "wall p50", "wall p90", "wall p99");
	printf("|------------------------------|------:|---------:|---------:|---------:|---------:|---------:|---------:|\n");
	int cap = 0;
	for (int k = 0; k < NKINDS; k++)
		for (const char *const *q = kinds[k].queries; *q; q++)
			cap += (int)rounds;
	double *all = calloc((size_t)cap, sizeof *all), *ms = calloc((size_t)cap, sizeof *ms);
	double *allc = calloc((size_t)cap, sizeof *allc), *cpu = calloc((size_t)cap, sizeof *cpu);
	int nall = 0;
	for (int k = 0; k < NKINDS; k++) {
		int n = 0;
		for (long r = 0; r < rounds; r++)
			for (const char *const *q = kinds[k].queries; *q; q++) {
				int64_t total;
				ms[n] = one(c, a, *q, kinds[k].topic, kinds[k].page, &total, &cpu[n]);
				if (verbose && r == 0)
					fprintf(stderr, "%-28s %-30s %8.2f ms CPU %8.2f ms wall %7lld results\n", kinds[k].name, *q,
					        cpu[n], ms[n], (long long)total);
				allc[nall] = cpu[n];
				all[nall++] = ms[n++];
			}
		row(kinds[k].name, ms, cpu, n);
	}
	row("all", all, allc, nall);
	free(allc);
	free(cpu);
	free(all);
	free(ms);
	arena_free(a);
	db_close(d);
	return 0;
}
