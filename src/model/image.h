/* image.h: images attached to posts, stored in the database (re-encoded, see safety/image.h). */
#ifndef CC_MODEL_IMAGE_H
#define CC_MODEL_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

typedef struct image {
	int64_t id, owner_id, post_id;
	const char *post_type, *mime, *alt, *post_status;
	bool members_only; /* on a members-only question or an answer under one (image_get) */
	int width, height;
	const void *data;
	size_t len;
} image;

/* Stores a pending image (not yet on a post). Returns the id or < 0. */
int64_t image_store(dbc *c, int64_t owner_id, const char *mime, int width, int height, const char *alt,
                    const void *data, size_t len);
/* Attaches the owner's pending images to a post. Returns how many were attached or < 0. */
int image_attach(dbc *c, int64_t owner_id, const int64_t *ids, int n, const char *post_type, int64_t post_id);
/* One image with its bytes and the status of its post ("" when pending). 1 / 0 / < 0. */
int image_get(dbc *c, arena *a, int64_t id, image *out);
/* A pending image of owner, without its bytes. 1 / 0 / < 0. */
int image_pending(dbc *c, arena *a, int64_t owner_id, int64_t id, image *out);
/* Images of a question and of its answers, oldest first, without their bytes. */
int image_list_question(dbc *c, arena *a, int64_t question_id, image **out);
/* Drops pending images older than cutoff. */
int image_purge_pending(dbc *c, int64_t cutoff);

#endif
