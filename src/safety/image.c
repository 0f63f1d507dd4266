/* image.c: format sniffing, header dimensions, decode, scale and re-encode with libgd. */
#include "safety/image.h"

#include <gd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

enum fmt { F_NONE, F_JPEG, F_PNG, F_WEBP };

static enum fmt sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return F_JPEG;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return F_PNG;
	if (n >= 16 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBPVP8", 7) == 0)
		return F_WEBP;
	return F_NONE;
}

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le24(const unsigned char *p) { return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

/* Width and height from the header, without decoding; false when they cannot be found. */
static bool dims(enum fmt f, const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
	switch (f) {
	case F_PNG:
		if (n < 24 || memcmp(p + 12, "IHDR", 4) != 0)
			return false;
		*w = be32(p + 16);
		*h = be32(p + 20);
		return true;
	case F_JPEG:
		for (size_t i = 2; i + 9 < n;) {
			if (p[i] != 0xFF) {
				i++;
				continue;
			}
			unsigned m = p[i + 1];
			if (m == 0xFF) {
				i++;
				continue;
			}
			if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
				i += 2;
				continue;
			}
			uint32_t seglen = be16(p + i + 2);
			if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
				*h = be16(p + i + 5);
				*w = be16(p + i + 7);
				return true;
			}
			if (seglen < 2)
				return false;
			i += 2 + seglen;
		}
		return false;
	case F_WEBP:
		if (n >= 30 && memcmp(p + 12, "VP8 ", 4) == 0) {
			*w = le16(p + 26) & 0x3FFF;
			*h = le16(p + 28) & 0x3FFF;
			return true;
		}
		if (n >= 25 && memcmp(p + 12, "VP8L", 4) == 0) {
			uint32_t b = (uint32_t)p[21] | (uint32_t)p[22] << 8 | (uint32_t)p[23] << 16 | (uint32_t)p[24] << 24;
			*w = (b & 0x3FFF) + 1;
			*h = ((b >> 14) & 0x3FFF) + 1;
			return true;
		}
		if (n >= 30 && memcmp(p + 12, "VP8X", 4) == 0) {
			*w = le24(p + 24) + 1;
			*h = le24(p + 27) + 1;
			return true;
		}
		return false;
	default: return false;
	}
}

/* The EXIF orientation (1-8) of a JPEG, 1 when there is none. The picture is turned upright
 * before the metadata is dropped, or phone photos would show sideways. */
static int jpeg_orientation(const unsigned char *p, size_t n)
{
	for (size_t i = 2; i + 4 < n && p[i] == 0xFF;) {
		unsigned m = p[i + 1];
		size_t seglen = be16(p + i + 2);
		if (m == 0xDA || seglen < 2 || i + 2 + seglen > n)
			break;
		const unsigned char *s = p + i + 4;
		size_t sl = seglen - 2;
		if (m == 0xE1 && sl > 14 && memcmp(s, "Exif\0\0", 6) == 0) {
			const unsigned char *t = s + 6;
			size_t tl = sl - 6;
			bool le = t[0] == 'I' && t[1] == 'I';
			if (!le && !(t[0] == 'M' && t[1] == 'M'))
				return 1;
#define U16(q) (le ? (uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 : be16(q))
#define U32(q) (le ? (uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 | (uint32_t)(q)[3] << 24 : be32(q))
			uint64_t ifd = U32(t + 4);
			if (ifd + 2 > tl)
				return 1;
			uint64_t count = U16(t + ifd);
			for (uint64_t k = 0; k < count && ifd + 2 + 12 * (k + 1) <= tl; k++) {
				const unsigned char *e = t + ifd + 2 + 12 * k;
				if (U16(e) == 0x0112) {
					uint32_t v = U16(e + 8);
					return v >= 1 && v <= 8 ? (int)v : 1;
				}
			}
#undef U16
#undef U32
			return 1;
		}
		i += 2 + seglen;
	}
	return 1;
}

/* Turns im upright for EXIF orientation o; returns the new image (im itself for 1-4). */
static gdImagePtr orient(gdImagePtr im, int o)
{
	switch (o) {
	case 2: gdImageFlipHorizontal(im); return im;
	case 3: gdImageFlipBoth(im); return im;
	case 4: gdImageFlipVertical(im); return im;
	case 5:
	case 6:
	case 7:
	case 8: break;
	default: return im;
	}
	int w = gdImageSX(im), h = gdImageSY(im);
	gdImagePtr d = gdImageCreateTrueColor(h, w);
	if (!d)
		return im;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int px = gdImageGetTrueColorPixel(im, x, y);
			int dx = o == 5 ? y : o == 6 ? h - 1 - y : o == 7 ? h - 1 - y : y;
			int dy = o == 5 ? x : o == 6 ? x : o == 7 ? w - 1 - x : w - 1 - x;
			gdImageSetPixel(d, dx, dy, px);
		}
	gdImageDestroy(im);
	return d;
}

/* libgd prints every decoder complaint about a damaged upload to stderr; the poster already
 * gets a clear message, so the log is spared text an attacker chooses. */
static void gd_quiet(int priority, const char *fmt, va_list ap)
{
	(void)priority;
	(void)fmt;
	(void)ap;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void set_quiet(void)
{
	gdSetErrorMethod(gd_quiet);
}

enum image_result image_clean(arena *a, const void *data, size_t len, image_out *out)
{
	pthread_once(&quiet_once, set_quiet);
	const unsigned char *p = data;
	if (len > IMAGE_MAX_BYTES)
		return IMAGE_TOO_LARGE;
	enum fmt f = sniff(p, len);
	if (f == F_NONE)
		return IMAGE_UNKNOWN;
	uint32_t w = 0, h = 0;
	if (!dims(f, p, len, &w, &h) || w == 0 || h == 0)
		return IMAGE_BROKEN;
	if ((uint64_t)w * h > IMAGE_MAX_PIXELS || w > 30000 || h > 30000)
		return IMAGE_TOO_MANY_PIXELS;
	gdImagePtr im = NULL;
	int n = (int)len;
	switch (f) {
	case F_JPEG: im = gdImageCreateFromJpegPtrEx(n, (void *)p, 1); break;
	case F_PNG: im = gdImageCreateFromPngPtr(n, (void *)p); break;
	case F_WEBP: im = gdImageCreateFromWebpPtr(n, (void *)p); break;
	default: break;
	}
	if (!im)
		return IMAGE_BROKEN;
	enum image_result rc = IMAGE_FAILED;
	int sx = gdImageSX(im), sy = gdImageSY(im);
	if ((uint32_t)sx != w || (uint32_t)sy != h) {
		rc = IMAGE_BROKEN;
		goto out;
	}
	if (f == F_JPEG) {
		im = orient(im, jpeg_orientation(p, len));
		sx = gdImageSX(im);
		sy = gdImageSY(im);
	}
	if (sx > IMAGE_MAX_SIDE || sy > IMAGE_MAX_SIDE) {
		int nw = sx >= sy ? IMAGE_MAX_SIDE : (int)((int64_t)sx * IMAGE_MAX_SIDE / sy);
		int nh = sx >= sy ? (int)((int64_t)sy * IMAGE_MAX_SIDE / sx) : IMAGE_MAX_SIDE;
		if (nw < 1)
			nw = 1;
		if (nh < 1)
			nh = 1;
		gdImageSetInterpolationMethod(im, GD_BILINEAR_FIXED);
		gdImagePtr scaled = gdImageScale(im, (unsigned)nw, (unsigned)nh);
		if (!scaled)
			goto out;
		gdImageDestroy(im);
		im = scaled;
	}
	int size = 0;
	void *enc = NULL;
	switch (f) {
	case F_JPEG:
		enc = gdImageJpegPtr(im, &size, 85);
		out->mime = "image/jpeg";
		out->ext = "jpg";
		break;
	case F_PNG:
		gdImageSaveAlpha(im, 1);
		enc = gdImagePngPtrEx(im, &size, 9);
		out->mime = "image/png";
		out->ext = "png";
		break;
	case F_WEBP:
		enc = gdImageWebpPtrEx(im, &size, 85);
		out->mime = "image/webp";
		out->ext = "webp";
		break;
	default: break;
	}
	if (!enc || size <= 0)
		goto out;
	out->width = gdImageSX(im);
	out->height = gdImageSY(im);
	out->data = arena_alloc(a, (size_t)size);
	if (out->data) {
		memcpy(out->data, enc, (size_t)size);
		out->len = (size_t)size;
		rc = IMAGE_OK;
	}
	gdFree(enc);
out:
	gdImageDestroy(im);
	return rc;
}

const char *image_problem(enum image_result r)
{
	switch (r) {
	case IMAGE_OK: return "is fine";
	case IMAGE_TOO_LARGE: return "is larger than 5 MB";
	case IMAGE_UNKNOWN: return "is not a JPEG, PNG or WebP image";
	case IMAGE_TOO_MANY_PIXELS: return "has too many pixels (at most 40 megapixels)";
	case IMAGE_BROKEN: return "is damaged or not a valid image";
	default: return "could not be processed";
	}
}
