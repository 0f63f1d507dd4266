/* topic_related.c: related topics of a condition guide. */
#include "model/topic_related.h"

static const dbq q_add = {
	"INSERT INTO topic_related (topic_id, related_id, position) "
	"SELECT $1, id, $3 FROM topics WHERE slug = $2 AND id <> $1 "
	"ON CONFLICT (topic_id, related_id) DO UPDATE SET position = excluded.position",
	NULL};
static const dbq q_list = {
	"SELECT t.id, t.slug, t.name, t.summary, t.question_count FROM topic_related r "
	"JOIN topics t ON t.id = r.related_id WHERE r.topic_id = $1 ORDER BY r.position, t.name",
	NULL};

int topic_related_add(dbc *c, int64_t topic_id, const char *related_slug, int position)
{
	return db_exec(c, &q_add, DBP(dbi(topic_id), dbs(related_slug), dbi(position)));
}

int topic_related_list(dbc *c, arena *a, int64_t topic_id, topic **out)
{
	dbrows r;
	int rc = db_query(c, &q_list, DBP(dbi(topic_id)), a, &r);
	if (rc < 0)
		return rc;
	*out = ARENA_ARRAY(a, topic, rc);
	for (int i = 0; i < rc; i++) {
		topic *t = &(*out)[i];
		t->id = db_int(&r, i, 0);
		t->slug = db_text(&r, i, 1);
		t->name = db_text(&r, i, 2);
		t->summary = db_text(&r, i, 3);
		t->question_count = db_int(&r, i, 4);
	}
	return rc;
}
