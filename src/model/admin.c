/* admin.c: account administration, topic checks, cached site settings and dashboard numbers. */
#include "model/admin.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/util.h"
#include "http/form.h"
#include "model/session.h"
#include "model/settings.h"
#include "model/topic.h"

/* ---- accounts ---- */

static const dbq q_users = {
	"SELECT u.id, u.username, u.email, u.role, u.display_name, u.title, u.bio, u.status, u.created_at, "
	"(SELECT count(*) FROM questions q WHERE q.user_id = u.id), "
	"(SELECT count(*) FROM answers x WHERE x.user_id = u.id) "
	"FROM users u WHERE $1 = '' OR u.username LIKE $2 OR lower(u.display_name) LIKE $2 OR u.email LIKE $2 "
	"ORDER BY u.id DESC LIMIT $3 OFFSET $4",
	NULL};

int admin_user_list(dbc *c, arena *a, const char *q, int limit, int offset, admin_user **out)
{
	/* LIKE wildcards in what was typed are taken literally by dropping them. */
	char *pat = util_lower(a, arena_printf(a, "%%%s%%", q ? q : ""));
	for (char *p = pat + 1; p[1]; p++)
		if (*p == '%' || *p == '_' || *p == '\\')
			*p = ' ';
	dbrows r;
	int rc = db_query(c, &q_users, DBP(dbs(q ? q : ""), dbs(pat), dbi(limit), dbi(offset)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, admin_user, rc);
	for (int i = 0; i < rc; i++) {
		user *u = &(*out)[i].u;
		u->id = db_int(&r, i, 0);
		u->username = db_text(&r, i, 1);
		u->email = db_text(&r, i, 2);
		int role = role_parse(db_text(&r, i, 3));
		u->role = role < 0 ? ROLE_MEMBER : (enum role)role;
		u->display_name = db_text(&r, i, 4);
		u->title = db_text(&r, i, 5);
		u->bio = db_text(&r, i, 6);
		u->status = db_text(&r, i, 7);
		u->created_at = db_int(&r, i, 8);
		(*out)[i].questions = db_int(&r, i, 9);
		(*out)[i].answers = db_int(&r, i, 10);
	}
	return rc;
}

static const dbq q_other_admins = {
	"SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND id <> $1", NULL};
static const dbq q_is_admin = {"SELECT count(*) FROM users WHERE id = $1 AND role = 'admin'", NULL};
static const dbq q_set_role = {"UPDATE users SET role = $2 WHERE id = $1", NULL};
static const dbq q_set_status = {"UPDATE users SET status = $2 WHERE id = $1 AND status <> 'deleted'", NULL};

/* True when taking user_id away would leave no active admin. */
static int last_admin(dbc *c, int64_t user_id)
{
	int rc;
	int64_t is = db_scalar(c, &q_is_admin, DBP(dbi(user_id)), 0, &rc);
	if (rc < 0)
		return rc;
	int64_t others = db_scalar(c, &q_other_admins, DBP(dbi(user_id)), 0, &rc);
	if (rc < 0)
		return rc;
	return is && others == 0;
}

static const dbq q_has_role = {"SELECT count(*) FROM users WHERE id = $1 AND role = $2", NULL};

int admin_set_role(dbc *c, int64_t user_id, enum role role)
{
	int qrc = 0;
	int64_t same = db_scalar(c, &q_has_role, DBP(dbi(user_id), dbs(role_name(role))), 0, &qrc);
	if (qrc < 0)
		return qrc;
	if (role != ROLE_ADMIN) {
		int la = last_admin(c, user_id);
		if (la != 0)
			return la < 0 ? la : 0;
	}
	int rc = db_exec(c, &q_set_role, DBP(dbi(user_id), dbs(role_name(role))));
	/* A change of powers ends every session of the account (privilege change rotates the
	 * session): whoever held one of its cookies must sign in again to use the new role, and
	 * a demoted account keeps no session opened under the old one. */
	if (rc > 0 && !same) {
		int d = session_delete_user(c, user_id);
		if (d < 0)
			return d;
	}
	return rc;
}

int admin_set_suspended(dbc *c, int64_t user_id, bool suspended)
{
	if (suspended) {
		int la = last_admin(c, user_id);
		if (la != 0)
			return la < 0 ? la : 0;
	}
	int rc = db_exec(c, &q_set_status, DBP(dbi(user_id), dbs(suspended ? "suspended" : "active")));
	if (rc > 0 && suspended)
		session_delete_user(c, user_id);
	return rc;
}

/* ---- topics ---- */

static bool text_ok(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return false;
	size_t cp = utf8_count(s, n);
	return cp >= min && cp <= max;
}

const char *admin_topic_check(const char *slug, const char *name, const char *summary, const char *overview,
                              const char **field)
{
	if (!slug || !topic_slug_valid(slug)) {
		*field = "slug";
		return slug && topic_slug_reserved(slug)
		               ? "That slug is a reserved address on this site. Choose another."
		               : "The slug must be 2-60 characters of a-z, 0-9 and single dashes, not starting or ending with a dash.";
	}
	if (!name || !text_ok(name, 1, TOPIC_NAME_MAX)) {
		*field = "name";
		return "Enter a name of at most 80 characters.";
	}
	if (summary && !text_ok(summary, 0, TOPIC_SUMMARY_MAX)) {
		*field = "summary";
		return "The summary must be at most 300 characters.";
	}
	if (overview && !text_ok(overview, 0, TOPIC_OVERVIEW_MAX)) {
		*field = "overview";
		return "The overview must be at most 50,000 characters of text.";
	}
	*field = NULL;
	return NULL;
}

/* ---- site settings ---- */

const site_setting site_settings[] = {
	{"site.name", "Site name", "Shown in the header and page titles.", 60, false},
	{"site.logo_url", "Logo", "Address of an image on this site (starting with /), shown beside the name. "
	                          "Images from other sites are not allowed.", 300, false},
	{"site.emergency", "Emergency resources", "Shown at the foot of every page, e.g. the local emergency "
	                                          "number and a helpline.", 1000, true},
	{"site.disclaimer", "Disclaimer", "Added to the medical disclaimer at the foot of every page.", 2000, true},
	{NULL, NULL, NULL, 0, false},
};

const site_setting *site_setting_find(const char *key)
{
	for (int i = 0; key && site_settings[i].key; i++)
		if (strcmp(site_settings[i].key, key) == 0)
			return &site_settings[i];
	return NULL;
}

const char *site_setting_check(const site_setting *s, const char *value)
{
	if (!text_ok(value, 0, s->max))
		return strcmp(s->key, "site.name") == 0 ? "The site name must be at most 60 characters."
		                                        : "That is too long, or it is not valid text.";
	if (!s->multiline && strpbrk(value, "\r\n"))
		return "This setting is one line.";
	if (strcmp(s->key, "site.logo_url") == 0 && *value && (!url_is_local(value) || strpbrk(value, " \"'<>")))
		return "The logo must be an address on this site starting with / (no other sites: pages make no "
		       "third-party requests).";
	return NULL;
}

enum { SITE_TTL_MS = 5000 };
static pthread_mutex_t site_lock = PTHREAD_MUTEX_INITIALIZER;
static site_info site_cache;
static double site_loaded_at = -1e18;

static void set_cached(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v ? v : "");
}

void site_info_get(dbc *c, arena *a, const char *fallback_name, site_info *out)
{
	pthread_mutex_lock(&site_lock);
	double now = util_now_ms();
	if (now - site_loaded_at > SITE_TTL_MS && c) {
		arena *t = arena_new(0);
		set_cached(&site_cache.name, settings_get(c, t, "site.name"));
		set_cached(&site_cache.logo_url, settings_get(c, t, "site.logo_url"));
		set_cached(&site_cache.emergency, settings_get(c, t, "site.emergency"));
		set_cached(&site_cache.disclaimer, settings_get(c, t, "site.disclaimer"));
		arena_free(t);
		site_loaded_at = now;
	}
	out->name = arena_strdup(a, site_cache.name && *site_cache.name ? site_cache.name : fallback_name);
	out->logo_url = arena_strdup(a, site_cache.logo_url ? site_cache.logo_url : "");
	out->emergency = arena_strdup(a, site_cache.emergency ? site_cache.emergency : "");
	out->disclaimer = arena_strdup(a, site_cache.disclaimer ? site_cache.disclaimer : "");
	pthread_mutex_unlock(&site_lock);
}

void site_info_forget(void)
{
	pthread_mutex_lock(&site_lock);
	site_loaded_at = -1e18;
	pthread_mutex_unlock(&site_lock);
}

int site_setting_set(dbc *c, const char *key, const char *value)
{
	int rc = settings_set(c, key, value);
	pthread_mutex_lock(&site_lock);
	site_loaded_at = -1e18; /* reload on next use */
	pthread_mutex_unlock(&site_lock);
	return rc;
}

/* ---- dashboard numbers ---- */

static const dbq q_stats = {
	"SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM topics), "
	"(SELECT count(*) FROM questions WHERE status = 'published'), "
	"(SELECT count(*) FROM answers WHERE status = 'published'), "
	"(SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL), "
	"(SELECT count(*) FROM questions WHERE status = 'published' AND created_at >= $1), "
	"(SELECT count(*) FROM answers WHERE status = 'published' AND created_at >= $1), "
	"(SELECT count(*) FROM users WHERE created_at >= $1), "
	"(SELECT count(*) FROM questions WHERE status = 'published' AND answer_count = 0)",
	NULL};

int admin_stats(dbc *c, site_stats *s)
{
	arena *a = arena_new(0);
	dbrows r;
	int rc = db_query(c, &q_stats, DBP(dbi(util_now() - 7 * 86400)), a, &r);
	if (rc == 1) {
		s->users = db_int(&r, 0, 0);
		s->topics = db_int(&r, 0, 1);
		s->questions = db_int(&r, 0, 2);
		s->answers = db_int(&r, 0, 3);
		s->tokens = db_int(&r, 0, 4);
		s->questions_7d = db_int(&r, 0, 5);
		s->answers_7d = db_int(&r, 0, 6);
		s->users_7d = db_int(&r, 0, 7);
		s->unanswered = db_int(&r, 0, 8);
	}
	arena_free(a);
	return rc < 0 ? rc : 0;
}

static const dbq q_activity = {
	"SELECT t.slug, t.name, "
	"(SELECT count(*) FROM questions q WHERE q.topic_id = t.id AND q.status = 'published' AND q.created_at >= $1), "
	"(SELECT count(*) FROM answers x JOIN questions q ON q.id = x.question_id WHERE q.topic_id = t.id "
	"AND x.status = 'published' AND x.created_at >= $1), "
	"(SELECT count(*) FROM questions q WHERE q.topic_id = t.id AND q.status = 'published' AND q.answer_count = 0), "
	"(SELECT coalesce(sum(q.view_count), 0) FROM questions q WHERE q.topic_id = t.id) "
	"FROM topics t ORDER BY 3 DESC, 4 DESC, t.name",
	NULL};

int admin_topic_activity(dbc *c, arena *a, topic_activity **out)
{
	dbrows r;
	int rc = db_query(c, &q_activity, DBP(dbi(util_now() - 30 * 86400)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, topic_activity, rc);
	for (int i = 0; i < rc; i++) {
		topic_activity *t = &(*out)[i];
		t->slug = db_text(&r, i, 0);
		t->name = db_text(&r, i, 1);
		t->questions_30d = db_int(&r, i, 2);
		t->answers_30d = db_int(&r, i, 3);
		t->unanswered = db_int(&r, i, 4);
		t->views = db_int(&r, i, 5);
	}
	return rc;
}
