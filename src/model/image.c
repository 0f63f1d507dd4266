/* image.c: storing, attaching, listing and fetching post images. */
#include "model/image.h"

#include "core/util.h"

static const dbq q_store = {
	"INSERT INTO images (owner_id, mime, width, height, alt, bytes, data, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
	NULL};

int64_t image_store(dbc *c, int64_t owner_id, const char *mime, int width, int height, const char *alt,
                    const void *data, size_t len)
{
	int rc;
	int64_t id = db_scalar(c, &q_store,
	                       DBP(dbi(owner_id), dbs(mime), dbi(width), dbi(height), dbs(alt), dbi((int64_t)len),
	                           dbblob(data, len), dbi(util_now())),
	                       -1, &rc);
	return rc < 0 ? rc : id;
}

static const dbq q_attach = {
	"UPDATE images SET post_type = $3, post_id = $4 WHERE id = $1 AND owner_id = $2 AND post_id IS NULL", NULL};

int image_attach(dbc *c, int64_t owner_id, const int64_t *ids, int n, const char *post_type, int64_t post_id)
{
	int done = 0;
	for (int i = 0; i < n; i++) {
		int rc = db_exec(c, &q_attach, DBP(dbi(ids[i]), dbi(owner_id), dbs(post_type), dbi(post_id)));
		if (rc < 0)
			return rc;
		done += rc;
	}
	return done;
}

#define IMG_COLS "i.id, i.owner_id, COALESCE(i.post_type, ''), COALESCE(i.post_id, 0), i.mime, i.alt, i.width, i.height"

static void read_img(const dbrows *r, int row, image *o)
{
	o->id = db_int(r, row, 0);
	o->owner_id = db_int(r, row, 1);
	o->post_type = db_text(r, row, 2);
	o->post_id = db_int(r, row, 3);
	o->mime = db_text(r, row, 4);
	o->alt = db_text(r, row, 5);
	o->width = (int)db_int(r, row, 6);
	o->height = (int)db_int(r, row, 7);
	o->data = NULL;
	o->len = 0;
	o->post_status = "";
	o->members_only = false;
}

static const dbq q_get = {
	"SELECT " IMG_COLS ", i.data, COALESCE(q.status, a.status, ''), "
	"COALESCE(q.members_only, (SELECT aq.members_only FROM questions aq WHERE aq.id = a.question_id), 0) "
	"FROM images i "
	"LEFT JOIN questions q ON i.post_type = 'question' AND q.id = i.post_id "
	"LEFT JOIN answers a ON i.post_type = 'answer' AND a.id = i.post_id WHERE i.id = $1",
	NULL};

int image_get(dbc *c, arena *a, int64_t id, image *out)
{
	dbrows r;
	int rc = db_query(c, &q_get, DBP(dbi(id)), a, &r);
	if (rc == 1) {
		read_img(&r, 0, out);
		const dbv *d = db_cell(&r, 0, 8);
		out->data = d->s;
		out->len = d->n;
		out->post_status = db_text(&r, 0, 9);
		out->members_only = db_int(&r, 0, 10) != 0;
	}
	return rc;
}

static const dbq q_pending = {
	"SELECT " IMG_COLS " FROM images i WHERE i.id = $1 AND i.owner_id = $2 AND i.post_id IS NULL", NULL};

int image_pending(dbc *c, arena *a, int64_t owner_id, int64_t id, image *out)
{
	dbrows r;
	int rc = db_query(c, &q_pending, DBP(dbi(id), dbi(owner_id)), a, &r);
	if (rc == 1)
		read_img(&r, 0, out);
	return rc;
}

static const dbq q_list = {
	"SELECT " IMG_COLS " FROM images i WHERE (i.post_type = 'question' AND i.post_id = $1) "
	"OR (i.post_type = 'answer' AND i.post_id IN (SELECT id FROM answers WHERE question_id = $1)) "
	"ORDER BY i.id",
	NULL};

int image_list_question(dbc *c, arena *a, int64_t question_id, image **out)
{
	dbrows r;
	int n = db_query(c, &q_list, DBP(dbi(question_id)), a, &r);
	if (n < 0)
		return n;
	image *v = ARENA_ARRAY(a, image, n ? n : 1);
	for (int i = 0; i < n; i++)
		read_img(&r, i, &v[i]);
	*out = v;
	return n;
}

static const dbq q_purge = {"DELETE FROM images WHERE post_id IS NULL AND created_at < $1", NULL};

int image_purge_pending(dbc *c, int64_t cutoff)
{
	return db_exec(c, &q_purge, DBP(dbi(cutoff)));
}
