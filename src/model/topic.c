/* topic.c: topic lookup, listing and creation. */
#include "model/topic.h"

#include <string.h>

#include "core/util.h"
#include "render/markdown.h"

static const char *const reserved[] = {
	"login", "register", "logout", "account", "u", "mod", "admin", "newsletter", "feeds",
	"terms", "privacy", "disclaimer", "captcha", "static", "healthz", "metrics", "api",
	"search", "guides", "sitemap.xml", "robots.txt", "favicon.ico", "about", "help",
	"topics", "drafts", "images", "unsubscribe", "subscriptions", "confirm", "reset", "verify", NULL};

bool topic_slug_reserved(const char *slug)
{
	for (int i = 0; reserved[i]; i++)
		if (strcmp(slug, reserved[i]) == 0)
			return true;
	return false;
}

bool topic_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n < 2 || n > 60 || slug[0] == '-' || slug[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && slug[i + 1] == '-')
			return false;
	}
	return !topic_slug_reserved(slug);
}

#define TOPIC_COLS "id, slug, name, summary, overview_md, overview_html, question_count"

static void read_topic(const dbrows *r, int row, topic *t)
{
	t->id = db_int(r, row, 0);
	t->slug = db_text(r, row, 1);
	t->name = db_text(r, row, 2);
	t->summary = db_text(r, row, 3);
	t->overview_md = db_text(r, row, 4);
	t->overview_html = db_text(r, row, 5);
	t->question_count = db_int(r, row, 6);
}

static const dbq q_by_slug = {"SELECT " TOPIC_COLS " FROM topics WHERE slug = $1", NULL};
static const dbq q_by_id = {"SELECT " TOPIC_COLS " FROM topics WHERE id = $1", NULL};
static const dbq q_list = {"SELECT " TOPIC_COLS " FROM topics ORDER BY name", NULL};

int topic_by_slug(dbc *c, arena *a, const char *slug, topic *out)
{
	dbrows r;
	int rc = db_query(c, &q_by_slug, DBP(dbs(slug)), a, &r);
	if (rc == 1)
		read_topic(&r, 0, out);
	return rc;
}

int topic_by_id(dbc *c, arena *a, int64_t id, topic *out)
{
	dbrows r;
	int rc = db_query(c, &q_by_id, DBP(dbi(id)), a, &r);
	if (rc == 1)
		read_topic(&r, 0, out);
	return rc;
}

int topic_list(dbc *c, arena *a, topic **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBNOP, a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, topic, rc);
	for (int i = 0; i < rc; i++)
		read_topic(&r, i, &(*out)[i]);
	return rc;
}

static const dbq q_slugs = {"SELECT id, slug FROM topics", NULL};

int topic_slugs(dbc *c, arena *a, topic **out)
{
	dbrows r;
	int rc = db_query(c, &q_slugs, DBNOP, a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, topic, rc ? rc : 1);
	for (int i = 0; i < rc; i++)
		(*out)[i] = (topic){.id = db_int(&r, i, 0), .slug = db_text(&r, i, 1)};
	return rc;
}

static const dbq q_upsert = {
	"INSERT INTO topics (slug, name, summary, overview_md, overview_html, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO UPDATE SET name = excluded.name, "
	"summary = excluded.summary, overview_md = excluded.overview_md, "
	"overview_html = excluded.overview_html RETURNING id",
	NULL};

int64_t topic_upsert(dbc *c, arena *a, const char *slug, const char *name, const char *summary,
                     const char *overview_md)
{
	char *html = md_render(a, overview_md, strlen(overview_md));
	dbrows r;
	int rc = db_query(c, &q_upsert,
	                  DBP(dbs(slug), dbs(name), dbs(summary), dbs(overview_md), dbs(html),
	                      dbi(util_now())),
	                  a, &r);
	if (rc < 0)
		return rc;
	return rc == 1 ? db_int(&r, 0, 0) : DB_ERR;
}
