/* bench_data.c: `carecircle bench-data --questions N --answers M` fills a database with a
 * large, realistic-looking site for benchmarks: users, topics, questions and answers of
 * lifelike lengths, written in big transactions with a progress bar. Deterministic: the
 * same arguments give the same site. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/app.h"
#include "core/buf.h"
#include "core/util.h"
#include "model/search.h"
#include "model/topic.h"
#include "model/user.h"
#include "render/markdown.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int pick(int n)
{
	return (int)(next() % (uint64_t)n);
}

/* Index in [0, n) with a skewed distribution: a few words are common, most are rare. */
static int zipf(int n)
{
	double u = (double)(next() % 1000000) / 1000000.0;
	return (int)(u * u * u * n);
}

static const char *const words[] = {
	"pain", "morning", "tired", "doctor", "nurse", "tablet", "dose", "week", "month", "year",
	"better", "worse", "sleep", "walk", "breathing", "pressure", "sugar", "eye", "face", "side",
	"twitch", "headache", "light", "cold", "warm", "food", "water", "coffee", "stress", "work",
	"family", "reading", "appointment", "scan", "test", "result", "clinic", "pharmacy", "advice",
	"injection", "exercise", "diet", "weight", "heart", "chest", "muscle", "nerve", "feeling",
	"evening", "night", "weekend", "holiday", "symptom", "trigger", "routine", "diary", "app",
	"monitor", "cuff", "inhaler", "spray", "drops", "cream", "glasses", "screen", "noise", "worry",
	"hope", "change", "plan", "question", "answer", "help", "kind", "slow", "quick", "gentle",
	"steady", "sudden", "often", "sometimes", "rarely", "always", "usually", "mild", "strong",
	"sharp", "dull", "left", "right", "upper", "lower", "small", "large", "blood", "reading",
	"numbers", "machine", "arm", "wrist", "finger", "toe", "foot", "knee", "back", "neck", "shoulder",
	"jaw", "cheek", "eyelid", "mouth", "lip", "tongue", "throat", "voice", "cough", "wheeze", "fever",
	"chill", "sweat", "shake", "tremor", "spasm", "cramp", "ache", "burning", "tingling", "numbness",
	"dizzy", "faint", "nausea", "appetite", "thirst", "hunger", "bathroom", "kidney", "liver",
	"thyroid", "hormone", "insulin", "glucose", "meter", "strip", "needle", "pen", "pump", "patch",
	"capsule", "syrup", "label", "leaflet", "prescription", "refill", "repeat", "review",
	"specialist", "neurologist", "cardiologist", "optician", "dentist", "physio", "therapist",
	"counsellor", "helpline", "forum", "group", "friend", "partner", "daughter", "son", "mother",
	"father", "carer", "neighbour", "colleague", "manager", "school", "shift", "commute", "bus",
	"train", "car", "stairs", "garden", "kitchen", "shower", "bed", "pillow", "blanket", "window",
	"curtain", "phone", "laptop", "television", "radio", "book", "newspaper", "music", "podcast",
	"walking", "swimming", "cycling", "yoga", "stretching", "breathing", "meditation", "tea", "juice",
	"fruit", "vegetable", "bread", "rice", "pasta", "salt", "fat", "fibre", "protein", "alcohol",
	"smoking", "caffeine", "chocolate", "cheese", "wine", "beer", "sunlight", "winter", "summer",
	"spring", "autumn", "rain", "wind", "heat", "humidity", "pollen", "dust", "smoke", "perfume",
	"traffic", "crowd", "silence", "deadline", "exam", "interview", "wedding", "funeral", "birthday",
	"travel", "flight", "hotel", "queue", "waiting", "list", "letter", "referral",
};
static const char *const openers[] = {
	"Has anyone found that", "Is it normal that", "How long does it take before", "What helped you when",
	"Should I worry if", "Does anyone else notice that", "Can I ask my doctor whether", "Why does",
	"Is there a way to tell if", "What do you do when",
};

static void sentence(buf *b, int min, int max)
{
	int n = min + pick(max - min + 1);
	for (int i = 0; i < n; i++) {
		const char *w = words[zipf((int)(sizeof words / sizeof words[0]))];
		if (i == 0) {
			buf_putc(b, (char)(w[0] - 'a' + 'A'));
			buf_puts(b, w + 1);
		} else {
			buf_putc(b, ' ');
			buf_puts(b, w);
		}
	}
	buf_puts(b, pick(6) ? ". " : "? ");
}

/* Plain paragraphs of about len bytes; markdown of plain text is its own escaped HTML. */
static void paragraphs(buf *b, size_t len)
{
	size_t start = b->len;
	while (b->len - start < len) {
		int s = 2 + pick(4);
		for (int i = 0; i < s; i++)
			sentence(b, 6, 16);
		b->len--; /* the trailing space */
		b->p[b->len] = 0;
		buf_puts(b, "\n\n");
	}
}

static void progress(const char *what, int64_t done, int64_t total)
{
	if (!isatty(STDERR_FILENO)) {
		if (done == total)
			fprintf(stderr, "%s: %lld\n", what, (long long)total);
		return;
	}
	int width = 32, filled = total ? (int)(done * width / total) : width;
	fprintf(stderr, "\r%-10s [", what);
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%% %lld/%lld", total ? (int)(done * 100 / total) : 100, (long long)done,
	        (long long)total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static const dbq q_user = {
	"INSERT INTO users (username, email, pass_hash, role, display_name, title, bio, created_at) "
	"VALUES ($1, $2, $3, $4, $5, '', '', $6)",
	NULL};
static const dbq q_question = {
	"INSERT INTO questions (topic_id, user_id, guest_name, anonymous, title, slug, body_md, body_html, "
	"excerpt, created_at, terms_accepted_at, answer_count, view_count) "
	"VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING id",
	NULL};
static const dbq q_answer = {
	"INSERT INTO answers (question_id, user_id, guest_name, body_md, body_html, created_at, "
	"terms_accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
	NULL};
static const dbq q_topic_counts = {
	"UPDATE topics SET question_count = (SELECT count(*) FROM questions q WHERE q.topic_id = topics.id)",
	NULL};
static const dbq q_topic_ids = {"SELECT id FROM topics ORDER BY id", NULL};
static const dbq q_max_user = {"SELECT coalesce(max(id), 0) FROM users", NULL};

int cmd_bench_data(int argc, char **argv)
{
	const char *qs = app_flag(argc, argv, "questions"), *as = app_flag(argc, argv, "answers");
	int64_t nq = 10000, na = 100000;
	if ((qs && !util_parse_i64(qs, 1, 100000000, &nq)) || (as && !util_parse_i64(as, 0, 1000000000, &na))) {
		fprintf(stderr, "usage: carecircle bench-data --questions N --answers M [--db PATH]\n");
		return 2;
	}
	config cfg;
	char err[512];
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle bench-data: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	/* Generated data can be regenerated: write it without waiting for the disk. */
	free(cfg.sync);
	cfg.sync = strdup("OFF");
	struct app app;
	int rc = 1;
	arena *a = arena_new((size_t)256 << 20);    /* reset every batch */
	arena *keep = arena_new((size_t)16 << 20);  /* lives for the whole run */
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle bench-data: %s\n", err);
		goto out;
	}
	dbc *c = db_conn(app.db);
	/* Topics: the demo's conditions, so pages look like the real site. */
	if (demo_load(&app, true, err, sizeof err) < 0) {
		fprintf(stderr, "carecircle bench-data: %s\n", err);
		goto out;
	}
	dbrows tr;
	int nt = db_query(c, &q_topic_ids, DBNOP, keep, &tr);
	int64_t first_user = db_scalar(c, &q_max_user, DBNOP, 0, NULL) + 1;
	if (nt <= 0) {
		fprintf(stderr, "carecircle bench-data: no topics\n");
		goto out;
	}
	int64_t *topic_ids = ARENA_ARRAY(keep, int64_t, nt);
	for (int i = 0; i < nt; i++)
		topic_ids[i] = db_int(&tr, i, 0);

	/* Users: one per 10 questions. All share one password hash (hashing is not what we measure). */
	int64_t nu = nq / 10 + 10;
	char *hash = user_hash_password(keep, "bench-password-1");
	int64_t now = util_now();
	db_begin(c);
	for (int64_t i = 0; i < nu; i++) {
		char name[32], email[64];
		snprintf(name, sizeof name, "bench_%lld", (long long)i);
		snprintf(email, sizeof email, "bench_%lld@example.org", (long long)i);
		if (db_exec(c, &q_user, DBP(dbs(name), dbs(email), dbs(hash), dbs(i % 50 == 0 ? "guide" : "member"),
		                            dbs(name), dbi(now - 400 * 86400))) < 0) {
			fprintf(stderr, "\ncarecircle bench-data: cannot add users (run on an empty database)\n");
			db_rollback(c);
			goto out;
		}
		if (i % 1000 == 0 || i == nu - 1)
			progress("users", i + 1, nu);
	}
	db_commit(c);

	/* Questions and their answers, spread so some questions have many answers. */
	int64_t answers_left = na, done_a = 0;
	buf title, body;
	buf_init(&title, a, 256, 0);
	buf_init(&body, a, 8192, 0);
	db_begin(c);
	for (int64_t i = 0; i < nq; i++) {
		int64_t qs_left = nq - i;
		int64_t per = answers_left / qs_left;
		int64_t k = per ? per / 2 + pick((int)(per + 1)) : 0;
		if (i % 97 == 0)
			k = per * 4 + 20; /* a few long threads */
		if (k > answers_left)
			k = answers_left;
		title.len = 0;
		buf_puts(&title, openers[pick(10)]);
		for (int w = 0; w < 5 + pick(7); w++) {
			buf_putc(&title, ' ');
			buf_puts(&title, words[pick((int)(sizeof words / sizeof words[0]))]);
		}
		buf_putc(&title, '?');
		body.len = 0;
		paragraphs(&body, 300 + (size_t)pick(1200));
		char *rendered = md_render(a, body.p, body.len);
		char *excerpt = md_excerpt(a, body.p, body.len, 220);
		int64_t created = now - (nq - i) * 300 - 86400;
		int64_t uid = pick(3) ? first_user + pick((int)nu) : 0;
		dbrows qr;
		int r = db_query(c, &q_question,
		                 DBP(dbi(topic_ids[pick(nt)]), uid ? dbi(uid) : dbnull(), dbs(uid ? NULL : "Guest"),
		                     dbs(title.p), dbs(util_slugify(a, title.p, 80)), dbs(body.p), dbs(rendered),
		                     dbs(excerpt), dbi(created), dbi(k), dbi(pick(500))),
		                 a, &qr);
		if (r != 1) {
			fprintf(stderr, "\ncarecircle bench-data: question insert failed (uid %lld): %s\n", (long long)uid, db_errmsg(c));
			db_rollback(c);
			goto out;
		}
		int64_t qid = db_int(&qr, 0, 0);
		for (int64_t j = 0; j < k; j++) {
			body.len = 0;
			paragraphs(&body, 150 + (size_t)pick(900));
			char *ah = md_render(a, body.p, body.len);
			int64_t au = pick(4) ? first_user + pick((int)nu) : 0;
			if (db_exec(c, &q_answer, DBP(dbi(qid), au ? dbi(au) : dbnull(), dbs(au ? NULL : "Guest"), dbs(body.p),
			                              dbs(ah), dbi(created + 600 * (j + 1)))) < 0) {
				fprintf(stderr, "\ncarecircle bench-data: answer insert failed (qid %lld uid %lld): %s\n", (long long)qid, (long long)au, db_errmsg(c));
				db_rollback(c);
				goto out;
			}
		}
		answers_left -= k;
		done_a += k;
		if (i % 2000 == 1999) {
			db_commit(c);
			arena_reset(a);
			buf_init(&title, a, 256, 0);
			buf_init(&body, a, 8192, 0);
			db_begin(c);
		}
		if (i % 500 == 0 || i == nq - 1)
			progress("questions", i + 1, nq);
	}
	db_exec(c, &q_topic_counts, DBNOP);
	if (db_commit(c) < 0) {
		fprintf(stderr, "carecircle bench-data: commit failed: %s\n", db_errmsg(c));
		goto out;
	}
	/* The answers wait in the search index's queue (migration 146): index them now, as serve would. */
	int64_t indexed = 0;
	for (int q; (q = search_index_queued(c, SEARCH_INDEX_BATCH)) != 0;) {
		if (q < 0) {
			fprintf(stderr, "\ncarecircle bench-data: cannot index answers: %s\n", db_errmsg(c));
			goto out;
		}
		indexed += q;
		progress("search index", indexed, done_a);
	}
	printf("bench data: %lld users, %lld questions, %lld answers\n", (long long)nu, (long long)nq,
	       (long long)done_a);
	rc = 0;
out:
	app_close(&app);
	config_free(&cfg);
	arena_free(a);
	arena_free(keep);
	return rc;
}
