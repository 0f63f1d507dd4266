/* images.c: images on posts: taking uploads from a form (kept across a re-render), showing
 * them on the question page, and serving them. */
#include "web/images.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "model/image.h"
#include "safety/image.h"

static const upload *upload_for(req *r, const char *field)
{
	for (int i = 0; i < r->nuploads; i++)
		if (strcmp(r->uploads[i].field, field) == 0 && (r->uploads[i].len > 0 || *r->uploads[i].filename))
			return &r->uploads[i];
	return NULL;
}

static void push_kept(req *r, tval *list, int64_t id, const char *alt, const char *ext)
{
	tval *o = tv_push(list);
	tv_int(o, "id", id);
	tv_str(o, "alt", alt);
	tv_str(o, "url", arena_printf(r->a, "/images/%lld.%s", (long long)id, ext));
}

static const char *ext_of(const char *mime)
{
	return strcmp(mime, "image/png") == 0 ? "png" : strcmp(mime, "image/webp") == 0 ? "webp" : "jpg";
}

int images_take(req *r, dbc *c, ferrs *e, tval *v, int64_t *ids)
{
	user *u = web_user(r);
	tval *kept = tv_childlist(v, "images");
	int n = 0;
	bool any_upload = false;
	for (int i = 1; i <= IMAGE_MAX_PER_POST; i++)
		any_upload |= upload_for(r, arena_printf(r->a, "image%d", i)) != NULL;
	if (!u) {
		if (any_upload)
			ferr(e, NULL, "Only members can add images. Log in or join to add them: your text is kept below.");
		return 0;
	}
	/* Images stored by an earlier try of this form. */
	for (int i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].k, "keep_image") != 0)
			continue;
		int64_t id;
		image im;
		if (!util_parse_i64(r->form.v[i].v, 1, INT64_MAX, &id) || image_pending(c, r->a, u->id, id, &im) != 1)
			continue;
		if (n == IMAGE_MAX_PER_POST)
			break;
		ids[n++] = id;
		push_kept(r, kept, id, im.alt, ext_of(im.mime));
	}
	for (int i = 1; i <= IMAGE_MAX_PER_POST; i++) {
		const char *field = arena_printf(r->a, "image%d", i);
		const char *altf = arena_printf(r->a, "alt%d", i);
		const upload *up = upload_for(r, field);
		const char *alt = web_text(r, e, altf, arena_printf(r->a, "The description of image %d", i), 0, IMAGE_ALT_MAX);
		if (!up)
			continue;
		const char *name = up->filename && *up->filename ? up->filename : arena_printf(r->a, "Image %d", i);
		if (n == IMAGE_MAX_PER_POST) {
			ferr(e, field, arena_printf(r->a, "A post can have at most %d images; “%s” was not added.",
			                            IMAGE_MAX_PER_POST, name));
			continue;
		}
		if (!*alt) {
			ferr(e, altf, arena_printf(r->a, "Describe image %d in a few words for people who cannot see it "
			                                 "(please choose the file again too).",
			                           i));
			continue;
		}
		image_out out;
		enum image_result rc = image_clean(r->a, up->data, up->len, &out);
		if (rc != IMAGE_OK) {
			ferr(e, field, arena_printf(r->a, "“%s” %s. Please choose a JPEG, PNG or WebP photo of at most 5 MB.",
			                            name, image_problem(rc)));
			continue;
		}
		int64_t id = image_store(c, u->id, out.mime, out.width, out.height, alt, out.data, out.len);
		if (id < 0) {
			ferr(e, field, arena_printf(r->a, "“%s” could not be saved just now. Please try again.", name));
			continue;
		}
		ids[n++] = id;
		push_kept(r, kept, id, alt, out.ext);
	}
	return n;
}

void images_attach(req *r, dbc *c, const int64_t *ids, int n, const char *post_type, int64_t post_id)
{
	user *u = web_user(r);
	if (!u || n == 0)
		return;
	if (image_attach(c, u->id, ids, n, post_type, post_id) < 0)
		log_warn("msg=\"images not attached\" type=%s id=%lld", post_type, (long long)post_id);
}

void images_form(req *r, tval *ctx, tval *v)
{
	const tval *kept = v ? tv_get(v, "images") : NULL;
	int k = kept ? tv_len(kept) : 0;
	tval *slots = tv_childlist(ctx, "image_slots");
	for (int i = 1; i <= IMAGE_MAX_PER_POST - k; i++) {
		tval *o = tv_push(slots);
		tv_int(o, "n", i);
	}
	tv_int(ctx, "image_max", IMAGE_MAX_PER_POST);
}

void images_show(req *r, tval *o, const image *imgs, int n, const char *post_type, int64_t post_id)
{
	tval *list = tv_childlist(o, "images"); /* set even when empty: nothing leaks in from outside */
	for (int i = 0; i < n; i++) {
		if (imgs[i].post_id != post_id || strcmp(imgs[i].post_type, post_type) != 0)
			continue;
		tval *x = tv_push(list);
		tv_str(x, "url", arena_printf(r->a, "/images/%lld.%s", (long long)imgs[i].id, ext_of(imgs[i].mime)));
		tv_str(x, "alt", imgs[i].alt);
		tv_int(x, "width", imgs[i].width);
		tv_int(x, "height", imgs[i].height);
	}
}

void page_image(req *r)
{
	const char *f = r->params[0];
	size_t dl = strspn(f, "0123456789");
	int64_t id;
	char num[24];
	if (dl == 0 || dl >= sizeof num || f[dl] != '.') {
		web_error_page(r, 404);
		return;
	}
	memcpy(num, f, dl);
	num[dl] = 0;
	dbc *c = web_db(r);
	if (!c)
		return;
	image im;
	int rc;
	if (!util_parse_i64(num, 1, INT64_MAX, &id) || (rc = image_get(c, r->a, id, &im)) == 0 ||
	    strcmp(f + dl + 1, ext_of(im.mime)) != 0) {
		web_error_page(r, 404);
		return;
	}
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	/* Public once its post is published; before that (or when hidden) only its owner and moderators. */
	bool public = strcmp(im.post_status, "published") == 0;
	user *u = web_user(r);
	if (!public && !(u && (u->id == im.owner_id || u->role >= ROLE_MODERATOR))) {
		web_error_page(r, 404);
		return;
	}
	/* An image of a members-only question (or an answer under one) is for members only. */
	if (im.members_only && !u) {
		web_error_page(r, 404);
		return;
	}
	public = public && !im.members_only;
	r->status = 200;
	r->ctype = im.mime;
	r->no_gzip = true;
	res_header(r, "Cache-Control", public ? "public, max-age=31536000, immutable" : "private, no-store");
	res_header(r, "Content-Disposition", "inline");
	r->out.len = 0;
	buf_add(&r->out, im.data, im.len);
}
