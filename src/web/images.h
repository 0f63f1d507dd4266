/* images.h: images on posts in the web layer: form uploads, display and serving. */
#ifndef CC_WEB_IMAGES_H
#define CC_WEB_IMAGES_H
#include <stdint.h>

#include "model/image.h"
#include "web/web.h"

/* Takes the form's images: those kept from an earlier try (keep_image) and new uploads
 * image1…image4 with descriptions alt1…alt4. Each valid one is re-encoded and stored at once
 * (pending), so a form shown again keeps it; problems go to e. Fills ids (room for
 * IMAGE_MAX_PER_POST) and v.images (for the form). Returns how many. Guests cannot add images. */
int images_take(req *r, dbc *c, ferrs *e, tval *v, int64_t *ids);
/* Attaches the taken images to the new post. */
void images_attach(req *r, dbc *c, const int64_t *ids, int n, const char *post_type, int64_t post_id);
/* Adds "image_slots" (file inputs still free) to a form's context; v holds kept images. */
void images_form(req *r, tval *ctx, tval *v);
/* Adds "images" (url, alt, width, height) of one post from a question's list to o. */
void images_show(req *r, tval *o, const image *imgs, int n, const char *post_type, int64_t post_id);

void page_image(req *r);

#endif
