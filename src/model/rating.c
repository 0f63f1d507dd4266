/* rating.c: star ratings (one per member or guest browser, changeable) and helpful answers. */
#include "model/rating.h"

#include "core/util.h"

static const dbq q_mine = {
	"SELECT stars FROM ratings WHERE post_type = $1 AND post_id = $2 AND voter = $3", NULL};
static const dbq q_addr = {
	"SELECT COUNT(*) FROM ratings WHERE post_type = $1 AND post_id = $2 AND addr_hash = $3 "
	"AND day = $4 AND voter <> $5",
	NULL};
static const dbq q_upsert = {
	"INSERT INTO ratings (post_type, post_id, voter, addr_hash, day, stars, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
	"ON CONFLICT (post_type, post_id, voter) DO UPDATE SET stars = excluded.stars, "
	"updated_at = excluded.updated_at",
	NULL};

struct set_ctx {
	const char *type, *voter, *addr;
	int64_t id, day;
	int stars;
};

static int set_tx(dbc *c, void *p)
{
	struct set_ctx *x = p;
	int rc = 0;
	if (x->addr) {
		int64_t had = db_scalar(c, &q_mine, DBP(dbs(x->type), dbi(x->id), dbs(x->voter)), 0, &rc);
		if (rc < 0)
			return rc;
		int64_t others = db_scalar(c, &q_addr, DBP(dbs(x->type), dbi(x->id), dbs(x->addr), dbi(x->day), dbs(x->voter)), 0, &rc);
		if (rc < 0)
			return rc;
		if (!had && others > 0)
			return 0;
	}
	rc = db_exec(c, &q_upsert, DBP(dbs(x->type), dbi(x->id), dbs(x->voter), dbs(x->addr), dbi(x->day),
	                                dbi(x->stars), dbi(util_now())));
	return rc < 0 ? rc : 1;
}

int rating_set(dbc *c, const char *post_type, int64_t post_id, const char *voter, const char *addr_hash,
               int64_t day, int stars)
{
	struct set_ctx x = {post_type, voter, addr_hash, post_id, day, stars};
	return db_tx(c, set_tx, &x);
}

static const dbq q_sums = {
	"SELECT r.post_type, r.post_id, COUNT(*), SUM(r.stars), "
	"MAX(CASE WHEN r.voter = $2 THEN r.stars ELSE 0 END) FROM ratings r "
	"WHERE (r.post_type = 'question' AND r.post_id = $1) OR (r.post_type = 'answer' AND r.post_id IN "
	"(SELECT id FROM answers WHERE question_id = $1)) GROUP BY r.post_type, r.post_id",
	NULL};

int rating_for_question(dbc *c, arena *a, int64_t question_id, const char *voter, rating_sum **out)
{
	dbrows r;
	int rc = db_query(c, &q_sums, DBP(dbi(question_id), dbs(voter ? voter : "")), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, rating_sum, rc);
	for (int i = 0; i < rc; i++) {
		(*out)[i].post_type = db_text(&r, i, 0);
		(*out)[i].post_id = db_int(&r, i, 1);
		(*out)[i].count = db_int(&r, i, 2);
		(*out)[i].sum = db_int(&r, i, 3);
		(*out)[i].mine = db_int(&r, i, 4);
	}
	return rc;
}

static const dbq q_mine_q = {
	"SELECT r.post_type, r.post_id, r.stars FROM ratings r WHERE r.voter = $2 AND "
	"((r.post_type = 'question' AND r.post_id = $1) OR (r.post_type = 'answer' AND r.post_id IN "
	"(SELECT id FROM answers WHERE question_id = $1)))",
	NULL};

int rating_mine_for_question(dbc *c, arena *a, int64_t question_id, const char *voter, rating_sum **out)
{
	dbrows r;
	int rc = db_query(c, &q_mine_q, DBP(dbi(question_id), dbs(voter)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, rating_sum, rc);
	for (int i = 0; i < rc; i++)
		(*out)[i] = (rating_sum){.post_type = db_text(&r, i, 0), .post_id = db_int(&r, i, 1), .mine = db_int(&r, i, 2)};
	return rc;
}

int rating_recount(dbc *c)
{
	static const dbq q[] = {
		{"UPDATE questions SET "
		 "rating_count = (SELECT COUNT(*) FROM ratings r WHERE r.post_type = 'question' AND r.post_id = questions.id), "
		 "rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM ratings r WHERE r.post_type = 'question' AND r.post_id = questions.id)",
		 NULL},
		{"UPDATE answers SET "
		 "rating_count = (SELECT COUNT(*) FROM ratings r WHERE r.post_type = 'answer' AND r.post_id = answers.id), "
		 "rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM ratings r WHERE r.post_type = 'answer' AND r.post_id = answers.id)",
		 NULL},
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		int rc = db_exec(c, &q[i], DBNOP);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const dbq q_help_on = {
	"INSERT INTO helpful_answers (answer_id, question_id, marked_by, created_at) "
	"SELECT id, question_id, $3, $4 FROM answers WHERE id = $2 AND question_id = $1 "
	"AND status = 'published' ON CONFLICT (answer_id) DO NOTHING",
	NULL};
static const dbq q_help_off = {
	"DELETE FROM helpful_answers WHERE answer_id = $2 AND question_id = $1", NULL};
static const dbq q_answer_of = {
	"SELECT COUNT(*) FROM answers WHERE id = $2 AND question_id = $1 AND status = 'published'", NULL};

int helpful_set(dbc *c, int64_t question_id, int64_t answer_id, int64_t by, bool on)
{
	int rc = 0;
	int64_t n = db_scalar(c, &q_answer_of, DBP(dbi(question_id), dbi(answer_id)), 0, &rc);
	if (rc < 0)
		return rc;
	if (n == 0)
		return 0;
	rc = on ? db_exec(c, &q_help_on, DBP(dbi(question_id), dbi(answer_id), by ? dbi(by) : dbnull(), dbi(util_now())))
	        : db_exec(c, &q_help_off, DBP(dbi(question_id), dbi(answer_id)));
	return rc < 0 ? rc : 1;
}

static const dbq q_help_list = {
	"SELECT answer_id FROM helpful_answers WHERE question_id = $1 ORDER BY answer_id", NULL};

int helpful_list(dbc *c, arena *a, int64_t question_id, int64_t **ids)
{
	dbrows r;
	int rc = db_query(c, &q_help_list, DBP(dbi(question_id)), a, &r);
	if (rc < 0)
		return rc;
	*ids = ARENA_ARRAY(a, int64_t, rc + 1);
	for (int i = 0; i < rc; i++)
		(*ids)[i] = db_int(&r, i, 0);
	return rc;
}
