/* account_data.c: export everything about a member as JSON, and close an account (account_data.h). */
#include "model/account_data.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

/* ---- Export ---- */

/* One exported section: a query with one row per item and a name per column. Columns named
 * *_at hold Unix times and are written as ISO 8601. */
/* Which parameters a query takes ($1, $2 in this order). */
enum params { P_ID, P_VOTER, P_EMAIL, P_ID_EMAIL, P_ID_HASH };

struct section {
	const char *key;
	dbq q;
	const char *const *names;
	enum params p;
};

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct section sections[] = {
	{"drafts",
	 {"SELECT t.slug, d.title, d.body_md, d.anonymous, d.updated_at FROM drafts d JOIN topics t ON "
	  "t.id = d.topic_id WHERE d.user_id = $1 ORDER BY d.updated_at",
	  NULL},
	 NAMES("topic", "title", "body_markdown", "anonymous", "updated_at"), P_ID},
	{"ratings",
	 {"SELECT post_type, post_id, stars, created_at, updated_at FROM ratings WHERE voter = $1 ORDER BY id", NULL},
	 NAMES("post_type", "post_id", "stars", "created_at", "updated_at"), P_VOTER},
	{"helpful_marks",
	 {"SELECT answer_id, question_id, created_at FROM helpful_answers WHERE marked_by = $1 ORDER BY created_at",
	  NULL},
	 NAMES("answer_id", "question_id", "created_at"), P_ID},
	{"subscriptions",
	 {"SELECT kind, target_id, email, mode, confirmed_at, created_at FROM subscriptions "
	  "WHERE user_id = $1 OR email = $2 ORDER BY id",
	  NULL},
	 NAMES("kind", "target_id", "email", "mode", "confirmed_at", "created_at"), P_ID_EMAIL},
	{"sessions",
	 {"SELECT created_at, expires_at, last_seen, CASE WHEN token_hash = $2 THEN 1 ELSE 0 END FROM sessions "
	  "WHERE user_id = $1 ORDER BY created_at",
	  NULL},
	 NAMES("created_at", "expires_at", "last_seen_at", "this_session"), P_ID_HASH},
	{"api_tokens",
	 {"SELECT id, name, prefix, scope, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 "
	  "ORDER BY id",
	  NULL},
	 NAMES("id", "name", "first_characters", "scope", "created_at", "last_used_at", "revoked_at"), P_ID},
	{"reports_filed",
	 {"SELECT post_type, post_id, reason, note, created_at, resolved_at FROM flags WHERE user_id = $1 ORDER BY id",
	  NULL},
	 NAMES("post_type", "post_id", "reason", "note", "created_at", "resolved_at"), P_ID},
	{"images",
	 {"SELECT id, post_type, post_id, mime, width, height, alt, bytes, created_at FROM images "
	  "WHERE owner_id = $1 ORDER BY id",
	  NULL},
	 NAMES("id", "post_type", "post_id", "mime", "width", "height", "alt", "bytes", "created_at"), P_ID},
	{"guide_credentials",
	 {"SELECT profession, specialty, registration_number, issuing_body, verified_at, expires_at, revoked_at, "
	  "revoked_reason, updated_at FROM guide_credentials WHERE user_id = $1",
	  NULL},
	 NAMES("profession", "specialty", "registration_number", "issuing_body", "verified_at", "expires_at",
	       "revoked_at", "revoked_reason", "updated_at"), P_ID},
	{"credential_events",
	 {"SELECT action, detail, created_at FROM credential_events WHERE user_id = $1 ORDER BY id", NULL},
	 NAMES("action", "detail", "created_at"), P_ID},
	{"followed_topics",
	 {"SELECT t.slug, g.notify, g.created_at FROM guide_topics g JOIN topics t ON t.id = g.topic_id "
	  "WHERE g.user_id = $1 ORDER BY t.slug",
	  NULL},
	 NAMES("topic", "notify", "created_at"), P_ID},
	{"articles",
	 {"SELECT ar.id, t.slug, ar.slug, ar.title, ar.status, ar.created_at, ar.updated_at FROM articles ar "
	  "JOIN topics t ON t.id = ar.topic_id WHERE ar.author_id = $1 ORDER BY ar.id",
	  NULL},
	 NAMES("id", "topic", "slug", "title", "status", "created_at", "updated_at"), P_ID},
	{"edits_of_other_posts",
	 {"SELECT r.post_type, r.post_id, r.note, r.created_at FROM revisions r WHERE r.editor_id = $1 AND NOT EXISTS "
	  "(SELECT 1 FROM questions q WHERE r.post_type = 'question' AND q.id = r.post_id AND q.user_id = $1) "
	  "AND NOT EXISTS (SELECT 1 FROM answers x WHERE r.post_type = 'answer' AND x.id = r.post_id "
	  "AND x.user_id = $1) ORDER BY r.id",
	  NULL},
	 NAMES("post_type", "post_id", "note", "created_at"), P_ID},
	{"moderation_about_me",
	 {"SELECT action, post_type, post_id, reason, created_at FROM mod_log WHERE target_user_id = $1 ORDER BY id",
	  NULL},
	 NAMES("action", "post_type", "post_id", "reason", "created_at"), P_ID},
	{"recent_mail",
	 {"SELECT kind, subject, status, created_at, sent_at FROM outbox WHERE to_addr = $1 ORDER BY id", NULL},
	 NAMES("kind", "subject", "status", "created_at", "sent_at"), P_EMAIL},
};

static const dbq q_profile = {
	"SELECT id, username, email, role, display_name, title, bio, status, email_verified, created_at "
	"FROM users WHERE id = $1",
	NULL};
static const char *const profile_names[] = {"id", "username", "email", "role", "display_name", "title",
                                            "bio", "status", "email_verified", "created_at", NULL};
static const dbq q_questions = {
	"SELECT q.id, t.slug, q.title, q.slug, q.body_md, q.anonymous, q.members_only, q.status, q.created_at, "
	"q.edited_at, q.view_count, q.answer_count FROM questions q JOIN topics t ON t.id = q.topic_id "
	"WHERE q.user_id = $1 ORDER BY q.id",
	NULL};
static const char *const question_names[] = {"id", "topic", "title", "slug", "body_markdown", "anonymous",
                                             "members_only", "status", "created_at", "edited_at",
                                             "view_count", "answer_count", NULL};
static const dbq q_answers = {
	"SELECT a.id, a.question_id, q.title, a.body_md, a.anonymous, a.status, a.created_at, a.edited_at "
	"FROM answers a JOIN questions q ON q.id = a.question_id WHERE a.user_id = $1 ORDER BY a.id",
	NULL};
static const char *const answer_names[] = {"id", "question_id", "question_title", "body_markdown", "anonymous",
                                           "status", "created_at", "edited_at", NULL};
/* Earlier versions of the member's own posts (who edited is left out: it may be a moderator). */
static const dbq q_revisions = {
	"SELECT r.post_type, r.post_id, r.title, r.body_md, r.note, r.created_at FROM revisions r "
	"WHERE (r.post_type = 'question' AND r.post_id IN (SELECT id FROM questions WHERE user_id = $1)) "
	"OR (r.post_type = 'answer' AND r.post_id IN (SELECT id FROM answers WHERE user_id = $1)) ORDER BY r.id",
	NULL};
static const char *const revision_names[] = {"post_type", "post_id", "title", "body_markdown", "note",
                                             "created_at", NULL};

static int bind(enum params k, dbv p[2], int64_t id, const char *voter, const char *email, const char *hash)
{
	switch (k) {
	case P_VOTER:
		p[0] = dbs(voter);
		return 1;
	case P_EMAIL:
		p[0] = dbs(email);
		return 1;
	case P_ID_EMAIL:
		p[0] = dbi(id);
		p[1] = dbs(email);
		return 2;
	case P_ID_HASH:
		p[0] = dbi(id);
		p[1] = dbs(hash);
		return 2;
	case P_ID:
		break;
	}
	p[0] = dbi(id);
	return 1;
}

static bool ends_with_at(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, "_at") == 0;
}

static json_t *cell(arena *a, const char *name, const dbv *v)
{
	switch (v->t) {
	case DBT_NULL:
		return json_null();
	case DBT_INT:
		if (ends_with_at(name))
			return v->i ? json_string(util_iso8601(a, v->i)) : json_null();
		return json_integer(v->i);
	case DBT_REAL:
		return json_real(v->d);
	case DBT_TEXT: {
		json_t *s = json_stringn(v->s, v->n);
		return s ? s : json_string("");
	}
	case DBT_BLOB:
		break;
	}
	return json_null();
}

static json_t *row_obj(arena *a, const dbrows *r, int row, const char *const *names)
{
	json_t *o = json_object();
	for (int col = 0; names[col] && col < r->cols; col++)
		json_object_set_new(o, names[col], cell(a, names[col], db_cell(r, row, col)));
	return o;
}

static int rows_array(dbc *c, arena *a, const dbq *q, const dbv *p, int np, const char *const *names,
                      json_t **out)
{
	dbrows r;
	int rc = db_query(c, q, p, np, a, &r);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; i < r.n; i++)
		json_array_append_new(arr, row_obj(a, &r, i, names));
	*out = arr;
	return rc;
}

/* Puts each revision into the "history" list of its post. */
static void attach_history(json_t *posts, const char *type, json_t *revs)
{
	size_t i, k;
	json_t *p, *rv;
	json_array_foreach(posts, i, p)
	{
		json_t *h = json_array();
		json_int_t id = json_integer_value(json_object_get(p, "id"));
		json_array_foreach(revs, k, rv)
		{
			if (strcmp(json_string_value(json_object_get(rv, "post_type")), type) == 0 &&
			    json_integer_value(json_object_get(rv, "post_id")) == id) {
				json_t *copy = json_deep_copy(rv);
				json_object_del(copy, "post_type");
				json_object_del(copy, "post_id");
				json_array_append_new(h, copy);
			}
		}
		json_object_set_new(p, "earlier_versions", h);
	}
}

json_t *account_export(dbc *c, arena *a, int64_t user_id, const char *session_hash, int *rc)
{
	json_t *root = json_object(), *arr = NULL, *qs = NULL, *as = NULL, *revs = NULL;
	dbrows pr;
	*rc = db_query(c, &q_profile, DBP(dbi(user_id)), a, &pr);
	if (*rc <= 0) {
		if (*rc == 0)
			*rc = DB_ERR;
		goto fail;
	}
	const char *email = db_text(&pr, 0, 2);
	json_object_set_new(root, "format", json_string("carecircle-export-1"));
	json_object_set_new(root, "exported_at", json_string(util_iso8601(a, util_now())));
	json_object_set_new(root, "profile", row_obj(a, &pr, 0, profile_names));
	if ((*rc = rows_array(c, a, &q_questions, DBP(dbi(user_id)), question_names, &qs)) < 0 ||
	    (*rc = rows_array(c, a, &q_answers, DBP(dbi(user_id)), answer_names, &as)) < 0 ||
	    (*rc = rows_array(c, a, &q_revisions, DBP(dbi(user_id)), revision_names, &revs)) < 0)
		goto fail;
	attach_history(qs, "question", revs);
	attach_history(as, "answer", revs);
	json_decref(revs);
	revs = NULL;
	json_object_set_new(root, "questions", qs);
	json_object_set_new(root, "answers", as);
	qs = as = NULL;
	const char *voter = arena_printf(a, "u:%lld", (long long)user_id);
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		const struct section *s = &sections[i];
		dbv p[2];
		int np = bind(s->p, p, user_id, voter, email, session_hash ? session_hash : "");
		*rc = rows_array(c, a, &s->q, p, np, s->names, &arr);
		if (*rc < 0)
			goto fail;
		json_object_set_new(root, s->key, arr);
	}
	*rc = 1;
	return root;
fail:
	json_decref(qs);
	json_decref(as);
	json_decref(revs);
	json_decref(root);
	return NULL;
}

/* ---- Closing an account ---- */

/* Rows attached to posts, for a set of post ids given as a subquery over $1 (the user). */
#define MY_ANSWERS "(SELECT id FROM answers WHERE user_id = $1)"
#define MY_QUESTIONS "(SELECT id FROM questions WHERE user_id = $1)"
#define ANSWERS_UNDER_MINE "(SELECT id FROM answers WHERE question_id IN " MY_QUESTIONS ")"
#define POST_ROWS(type, set)                                                                        \
	{{"DELETE FROM post_mod WHERE post_type = '" type "' AND post_id IN " set, NULL}, P_ID},           \
	    {{"DELETE FROM ratings WHERE post_type = '" type "' AND post_id IN " set, NULL}, P_ID},        \
	    {{"DELETE FROM revisions WHERE post_type = '" type "' AND post_id IN " set, NULL}, P_ID},      \
	    {{"DELETE FROM flags WHERE post_type = '" type "' AND post_id IN " set, NULL}, P_ID},          \
	    {{"DELETE FROM images WHERE post_type = '" type "' AND post_id IN " set, NULL}, P_ID}

/* Removing the posts: counts first, then what hangs on the posts, then the posts. The
 * answers others wrote under the member's questions go with those questions. */
struct step {
	dbq q;
	enum params p;
};

static const struct step remove_steps[] = {
	{{"UPDATE questions SET answer_count = answer_count - (SELECT count(*) FROM answers a WHERE "
	  "a.question_id = questions.id AND a.user_id = $1 AND a.status = 'published') "
	  "WHERE id IN (SELECT question_id FROM answers WHERE user_id = $1)",
	  NULL},
	 P_ID},
	{{"UPDATE questions SET accepted_answer_id = NULL WHERE accepted_answer_id IN " MY_ANSWERS, NULL}, P_ID},
	POST_ROWS("answer", MY_ANSWERS),
	{{"DELETE FROM post_sources WHERE post_type = 'answer' AND post_id IN " MY_ANSWERS, NULL}, P_ID},
	{{"DELETE FROM answers WHERE user_id = $1", NULL}, P_ID},
	{{"UPDATE topics SET question_count = question_count - (SELECT count(*) FROM questions q WHERE "
	  "q.topic_id = topics.id AND q.user_id = $1 AND q.status = 'published') "
	  "WHERE id IN (SELECT topic_id FROM questions WHERE user_id = $1)",
	  NULL},
	 P_ID},
	POST_ROWS("answer", ANSWERS_UNDER_MINE),
	{{"DELETE FROM post_sources WHERE post_type = 'answer' AND post_id IN " ANSWERS_UNDER_MINE, NULL}, P_ID},
	POST_ROWS("question", MY_QUESTIONS),
	{{"DELETE FROM subscriptions WHERE kind = 'question' AND target_id IN " MY_QUESTIONS, NULL}, P_ID},
	{{"DELETE FROM questions WHERE user_id = $1", NULL}, P_ID},
};

/* Keeping the posts: they lose every link to the member and read "Anonymous". */
static const struct step anon_steps[] = {
	{{"UPDATE questions SET user_id = NULL, guest_name = NULL, anonymous = 0 WHERE user_id = $1", NULL}, P_ID},
	{{"UPDATE answers SET user_id = NULL, guest_name = NULL, anonymous = 0 WHERE user_id = $1", NULL}, P_ID},
};

/* Both: what is about the member rather than their posts. */
static const struct step common_steps[] = {
	{{"DELETE FROM ratings WHERE voter = $1", NULL}, P_VOTER},
	{{"UPDATE flags SET client = '', user_id = NULL WHERE user_id = $1", NULL}, P_ID},
	{{"DELETE FROM subscriptions WHERE user_id = $1 OR email = $2", NULL}, P_ID_EMAIL},
	{{"DELETE FROM outbox WHERE to_addr = $1", NULL}, P_EMAIL},
	{{"DELETE FROM account_tokens WHERE user_id = $1", NULL}, P_ID},
	{{"DELETE FROM api_tokens WHERE user_id = $1", NULL}, P_ID},
	{{"DELETE FROM sessions WHERE user_id = $1", NULL}, P_ID},
	{{"DELETE FROM drafts WHERE user_id = $1", NULL}, P_ID},
	{{"DELETE FROM images WHERE owner_id = $1", NULL}, P_ID},
	{{"DELETE FROM rate_counts WHERE client = $1", NULL}, P_VOTER},
	{{"DELETE FROM users WHERE id = $1", NULL}, P_ID},
};

static const dbq q_email = {"SELECT email FROM users WHERE id = $1", NULL};

struct del_ctx {
	int64_t id;
	bool remove;
	char voter[32];
};

static int run_steps(dbc *c, const struct step *steps, size_t n, int64_t id, const char *voter, const char *email)
{
	for (size_t i = 0; i < n; i++) {
		dbv p[2];
		int np = bind(steps[i].p, p, id, voter, email, "");
		int rc = db_exec(c, &steps[i].q, p, np);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int delete_tx(dbc *c, void *p)
{
	struct del_ctx *x = p;
	arena *a = arena_new(0);
	if (!a)
		return DB_ERR;
	dbrows r;
	int rc = db_query(c, &q_email, DBP(dbi(x->id)), a, &r);
	if (rc <= 0)
		goto out;
	const char *email = db_text(&r, 0, 0);
	if (x->remove)
		rc = run_steps(c, remove_steps, sizeof remove_steps / sizeof *remove_steps, x->id, x->voter, email);
	else
		rc = run_steps(c, anon_steps, sizeof anon_steps / sizeof *anon_steps, x->id, x->voter, email);
	if (rc >= 0)
		rc = run_steps(c, common_steps, sizeof common_steps / sizeof *common_steps, x->id, x->voter, email);
	if (rc >= 0)
		rc = 1;
out:
	arena_free(a);
	return rc;
}

int account_delete(dbc *c, int64_t user_id, bool remove_posts)
{
	struct del_ctx x = {.id = user_id, .remove = remove_posts};
	snprintf(x.voter, sizeof x.voter, "u:%lld", (long long)user_id);
	return db_tx(c, delete_tx, &x);
}

static const dbq q_other_admins = {
	"SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND id <> $1", NULL};

int64_t account_other_admins(dbc *c, int64_t user_id)
{
	int rc;
	int64_t n = db_scalar(c, &q_other_admins, DBP(dbi(user_id)), 0, &rc);
	return rc < 0 ? rc : n;
}
