/* demo.c: loads the project's own demo content (data/demo/demo.json) into a database. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/app.h"
#include "core/embedded.h"
#include "core/util.h"
#include "model/search.h"
#include "model/verify.h"
#include "model/answer.h"
#include "model/credential.h"
#include "model/article.h"
#include "model/source.h"
#include "model/topic_related.h"
#include "model/question.h"
#include "model/topic.h"
#include "model/user.h"

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const dbq q_topics = {"SELECT count(*) FROM topics", NULL};

/* Users by username -> id, from the users array. */
static int64_t user_id_of(dbc *c, arena *a, const char *username)
{
	user u;
	return user_by_username(c, a, username, &u) == 1 ? u.id : 0;
}

static int load_users(dbc *c, arena *a, json_t *users, char *err, size_t errlen)
{
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) {
		const char *name = jstr(u, "username");
		if (user_id_of(c, a, name))
			continue;
		int role = role_parse(jstr(u, "role"));
		int64_t id = user_create(c, a, name, jstr(u, "email"), jstr(u, "password"),
		                         role < 0 ? ROLE_MEMBER : (enum role)role, jstr(u, "display_name"),
		                         jstr(u, "title"), jstr(u, "bio"));
		if (id < 0) {
			snprintf(err, errlen, "cannot create demo user %s: %s", name, db_strerror((int)id));
			return -1;
		}
		verify_mark(c, id); /* the demo's own addresses count as verified */
	}
	return 0;
}

/* Reads a "sources" array of {title, url}; entries with an unsafe URL are skipped. */
static int sources_of(arena *a, json_t *arr, post_source **out)
{
	size_t n = json_array_size(arr), i;
	*out = ARENA_ARRAY(a, post_source, n ? n : 1);
	int k = 0;
	json_t *s;
	json_array_foreach(arr, i, s) {
		if (k == SOURCES_MAX || !source_url_ok(jstr(s, "url")))
			continue;
		(*out)[k].title = *jstr(s, "title") ? jstr(s, "title") : jstr(s, "url");
		(*out)[k++].url = jstr(s, "url");
	}
	return k;
}

/* "2026-08-21" as unix seconds at midnight UTC; 0 when absent or malformed. */
static int64_t date_of(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	return end && !*end ? (int64_t)timegm(&tm) : 0;
}

static int load_articles(dbc *c, arena *a, int64_t topic_id, json_t *arts, int64_t now, char *err, size_t errlen)
{
	size_t i;
	json_t *ja;
	json_array_foreach(arts, i, ja) {
		int64_t reviewer = user_id_of(c, a, jstr(ja, "reviewed_by"));
		article_new n = {
			.topic_id = topic_id,
			.slug = jstr(ja, "slug"),
			.title = jstr(ja, "title"),
			.summary = jstr(ja, "summary"),
			.body_md = jstr(ja, "body"),
			.author_id = reviewer,
			.reviewer_id = reviewer,
			.reviewed_at = reviewer ? date_of(jstr(ja, "last_reviewed")) : 0,
			.created_at = now - 86400 * (int64_t)(60 - i),
		};
		n.nsources = sources_of(a, json_object_get(ja, "sources"), (post_source **)&n.sources);
		if (article_create(c, a, &n) < 0) {
			snprintf(err, errlen, "cannot create demo article %s", n.slug);
			return -1;
		}
	}
	return 0;
}

static int load_question(dbc *c, arena *a, int64_t topic_id, json_t *jq, int64_t now, int seq, char *err,
                         size_t errlen)
{
	const char *who = json_string_value(json_object_get(jq, "author"));
	int64_t days = json_integer_value(json_object_get(jq, "days_ago"));
	question_new qn = {
		.topic_id = topic_id,
		.user_id = who ? user_id_of(c, a, who) : 0,
		.guest_name = jstr(jq, "guest_name"),
		.anonymous = json_is_true(json_object_get(jq, "anonymous")),
		.title = jstr(jq, "title"),
		.body_md = jstr(jq, "body"),
		.created_at = now - days * 86400 - (seq * 3571) % 40000,
	};
	int64_t qid = question_create(c, a, &qn);
	if (qid < 0) {
		snprintf(err, errlen, "cannot create demo question \"%s\"", qn.title);
		return -1;
	}
	size_t i;
	json_t *ja;
	json_array_foreach(json_object_get(jq, "answers"), i, ja) {
		const char *aa = json_string_value(json_object_get(ja, "author"));
		int64_t adays = json_integer_value(json_object_get(ja, "days_ago"));
		int64_t when = now - adays * 86400 - (int64_t)(i * 1800);
		if (when <= qn.created_at)
			when = qn.created_at + 3600 * (int64_t)(i + 1);
		answer_new an = {
			.question_id = qid,
			.user_id = aa ? user_id_of(c, a, aa) : 0,
			.guest_name = jstr(ja, "guest_name"),
			.body_md = jstr(ja, "body"),
			.created_at = when,
		};
		an.nsources = sources_of(a, json_object_get(ja, "sources"), (post_source **)&an.sources);
		int64_t aid = answer_create(c, a, &an);
		if (aid < 0) {
			snprintf(err, errlen, "cannot create an answer to \"%s\"", qn.title);
			return -1;
		}
		if (json_is_true(json_object_get(ja, "accepted")) && question_accept(c, qid, aid) < 0) {
			snprintf(err, errlen, "cannot accept an answer to \"%s\"", qn.title);
			return -1;
		}
	}
	return 1;
}

/* Credentials of demo guides (data/demo/credentials.json), recorded by the admin named in each. */
static int load_credentials(dbc *c, arena *a, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find("data/demo/credentials.json");
	if (!f)
		return 0;
	json_error_t jerr;
	json_t *root = json_loadb(f->data, f->len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "credentials.json:%d: %s", jerr.line, jerr.text);
		return -1;
	}
	int rc = 0;
	size_t i;
	json_t *jc;
	json_array_foreach(json_object_get(root, "credentials"), i, jc) {
		credential cr = {
			.user_id = user_id_of(c, a, jstr(jc, "username")),
			.profession = jstr(jc, "profession"),
			.specialty = jstr(jc, "specialty"),
			.registration_number = jstr(jc, "registration_number"),
			.issuing_body = jstr(jc, "issuing_body"),
			.verified_at = date_of(jstr(jc, "verified_on")),
			.expires_at = date_of(jstr(jc, "expires_on")),
		};
		if (!cr.user_id || !cr.verified_at ||
		    credential_save(c, a, &cr, user_id_of(c, a, jstr(jc, "verified_by"))) < 0) {
			snprintf(err, errlen, "cannot record demo credentials of %s", jstr(jc, "username"));
			rc = -1;
			break;
		}
	}
	json_decref(root);
	return rc;
}

int demo_load(struct app *app, bool skip_if_content, char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find("data/demo/demo.json");
	if (!f) {
		snprintf(err, errlen, "demo content is not built into this binary");
		return -1;
	}
	dbc *c = db_conn(app->db);
	if (!c) {
		snprintf(err, errlen, "cannot connect to the database");
		return -1;
	}
	int qrc;
	if (skip_if_content && db_scalar(c, &q_topics, DBNOP, 0, &qrc) > 0)
		return 0;
	json_error_t jerr;
	json_t *root = json_loadb(f->data, f->len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "demo.json:%d: %s", jerr.line, jerr.text);
		return -1;
	}
	arena *a = arena_new(0);
	int count = -1;
	int64_t now = util_now();
	if (db_begin(c) < 0) {
		snprintf(err, errlen, "cannot start a transaction");
		goto out;
	}
	if (load_users(c, a, json_object_get(root, "users"), err, errlen) != 0 ||
	    load_credentials(c, a, err, errlen) != 0)
		goto fail;
	count = 0;
	size_t i;
	json_t *jt;
	int seq = 0;
	json_array_foreach(json_object_get(root, "topics"), i, jt) {
		int64_t tid = topic_upsert(c, a, jstr(jt, "slug"), jstr(jt, "name"), jstr(jt, "summary"),
		                           jstr(jt, "overview"));
		if (tid < 0) {
			snprintf(err, errlen, "cannot create topic %s", jstr(jt, "slug"));
			goto fail;
		}
		if (load_articles(c, a, tid, json_object_get(jt, "articles"), now, err, errlen) < 0)
			goto fail;
		size_t k;
		json_t *jq;
		json_array_foreach(json_object_get(jt, "questions"), k, jq) {
			if (load_question(c, a, tid, jq, now, seq++, err, errlen) < 0)
				goto fail;
			count++;
		}
		arena_reset(a);
	}
	/* Related topics once every topic exists. */
	json_array_foreach(json_object_get(root, "topics"), i, jt) {
		topic t;
		if (topic_by_slug(c, a, jstr(jt, "slug"), &t) != 1)
			continue;
		size_t k;
		json_t *js;
		json_array_foreach(json_object_get(jt, "related"), k, js) {
			if (topic_related_add(c, t.id, json_string_value(js) ? json_string_value(js) : "", (int)k) < 0) {
				snprintf(err, errlen, "cannot relate topic %s", t.slug);
				goto fail;
			}
		}
	}
	/* Its answers are searchable as soon as it is committed (migration 146's queue). */
	if (search_index_all(c) < 0) {
		snprintf(err, errlen, "cannot index the demo answers: %s", db_errmsg(c));
		goto fail;
	}
	if (db_commit(c) < 0) {
		snprintf(err, errlen, "cannot commit the demo content: %s", db_errmsg(c));
		count = -1;
	}
	goto out;
fail:
	db_rollback(c);
	count = -1;
out:
	arena_free(a);
	json_decref(root);
	return count;
}
