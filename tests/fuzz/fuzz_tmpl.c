/* fuzz_tmpl.c: the template engine parses arbitrary template text and renders it against a
 * fixed context. It must never crash, and markup from values reaches the output only through
 * a {{{…_html}}} tag with a value set by tv_html(). */
#include "fuzz.h"
#include "render/tmpl.h"

/* Values start with a control byte that the template text is checked not to hold, so
 * "\x01<" in the output can only be a value printed unescaped. */
#define EVIL "\x01<x-evil a=\"'&>"
#define RAW "\x02<x-raw>"

static tval *context(arena *a)
{
	tval *c = tv_obj(a);
	tv_str(c, "title", EVIL);
	tv_str(c, "name", "Zoë " EVIL);
	tv_str(c, "body_html", EVIL); /* a plain string under an _html key is still escaped */
	tv_html(c, "safe_html", RAW);
	tv_html(c, "title_raw", EVIL); /* tv_html refuses keys without _html */
	tv_int(c, "n", 42);
	tv_bool(c, "yes", true);
	tv_bool(c, "no", false);
	tv_str(c, "empty", "");
	tval *o = tv_child(c, "user");
	tv_str(o, "name", EVIL);
	tv_html(o, "bio_html", RAW);
	tval *l = tv_childlist(c, "items");
	for (int i = 0; i < 3; i++) {
		tval *it = tv_push(l);
		tv_str(it, "title", EVIL);
		tv_int(it, "n", i);
		tval *sub = tv_childlist(it, "items");
		tv_push_str(sub, EVIL);
	}
	tval *sl = tv_childlist(c, "tags");
	tv_push_str(sl, EVIL);
	tv_push_str(sl, "b");
	tv_childlist(c, "none");
	return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	const char *p = "<p>{{title}}{{#items}}[{{n}}]{{/items}}</p>";
	if (tmpl_add("part", p, strlen(p), err, sizeof err) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char err[256];
	/* The exact-size copy of the input: no NUL after it, so reads past len are caught. */
	char *text = malloc(n ? n : 1);
	memcpy(text, d, n);
	int rc = tmpl_add("t", text, n, err, sizeof err);
	free(text);
	if (rc != 0) {
		FUZZ_CHECK(strlen(err) < sizeof err);
		return 0;
	}
	arena *a = arena_new(0);
	buf out;
	buf_init(&out, a, 256, 1 << 20);
	FUZZ_CHECK(tmpl_render(&out, "t", context(a)));
	if (!out.err) {
		if (!memchr(d, 0x01, n))
			FUZZ_CHECK(!strstr(out.p, "\x01<"));
		if (!memchr(d, 0x02, n) && strstr(out.p, "\x02<"))
			FUZZ_CHECK(memmem(d, n, "{{{", 3)); /* only a raw tag can print it */
	}
	arena_free(a);
	return 0;
}
