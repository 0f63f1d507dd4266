/* image.h: checks and re-encodes uploaded images with libgd.
 *
 * The format is told by the file's first bytes (never its name or declared type); the size is
 * read from the header before decoding, so a small file that expands to gigabytes is refused;
 * the picture is decoded, scaled down to IMAGE_MAX_SIDE, and encoded again in the same format.
 * libgd writes no metadata, so EXIF (GPS position, camera serial) is gone, and a file that is
 * two formats at once comes out as one plain image. */
#ifndef CC_IMAGE_H
#define CC_IMAGE_H
#include <stddef.h>

#include "core/arena.h"

enum {
	IMAGE_MAX_BYTES = 5 * 1024 * 1024,
	IMAGE_MAX_PER_POST = 4,
	IMAGE_MAX_SIDE = 2000,          /* longest side once stored */
	IMAGE_MAX_PIXELS = 40000000,    /* what we agree to decode */
	IMAGE_ALT_MAX = 300,
};

enum image_result {
	IMAGE_OK = 0,
	IMAGE_TOO_LARGE,      /* more than IMAGE_MAX_BYTES */
	IMAGE_UNKNOWN,        /* not JPEG, PNG or WebP */
	IMAGE_TOO_MANY_PIXELS,
	IMAGE_BROKEN,         /* looks like one but does not decode */
	IMAGE_FAILED,         /* encoding failed (out of memory) */
};

typedef struct image_out {
	const char *mime, *ext;
	int width, height;
	unsigned char *data; /* in the arena */
	size_t len;
} image_out;

enum image_result image_clean(arena *a, const void *data, size_t len, image_out *out);
/* A sentence for the poster, e.g. "is not a JPEG, PNG or WebP image". */
const char *image_problem(enum image_result r);

#endif
