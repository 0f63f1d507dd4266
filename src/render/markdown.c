/* markdown.c: cmark wrapper: safe HTML for posts and plain-text excerpts for lists. */
#include "render/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

enum { MD_OPTS = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8 };

/* Raw HTML in a post is shown as the text the person typed, not dropped: each HTML node
 * becomes a text node with the same characters, which the renderer then escapes. */
static void html_to_text(cmark_node *doc)
{
	/* Nodes cannot be replaced while iterating: collect a batch, replace it, repeat. */
	for (;;) {
		cmark_node *pending[256];
		int np = 0;
		cmark_iter *it = cmark_iter_new(doc);
		cmark_event_type ev;
		while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && np < 256) {
			cmark_node *node = cmark_iter_get_node(it);
			cmark_node_type t = cmark_node_get_type(node);
			if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_HTML_BLOCK))
				pending[np++] = node;
		}
		cmark_iter_free(it);
		if (np == 0)
			return;
		for (int i = 0; i < np; i++) {
			cmark_node *node = pending[i];
			cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
			cmark_node_set_literal(text, cmark_node_get_literal(node));
			if (cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK) {
				cmark_node *para = cmark_node_new(CMARK_NODE_PARAGRAPH);
				cmark_node_append_child(para, text);
				cmark_node_replace(node, para);
			} else {
				cmark_node_replace(node, text);
			}
			cmark_node_free(node);
		}
	}
}

/* Copies cmark's HTML into a, adding rel to every link that leaves the site. */
static char *finish(arena *a, char *html)
{
	if (!html)
		return arena_strdup(a, "");
	/* Safe mode escapes any raw HTML, so every "<a href=" here came from cmark itself. */
	buf b;
	size_t hl = strlen(html);
	buf_init(&b, a, hl + 256, 0);
	const char *p = html;
	const char *needle = "<a href=\"";
	for (;;) {
		const char *m = strstr(p, needle);
		if (!m) {
			buf_puts(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(m - p));
		p = m + strlen(needle);
		/* A local path ("/topic") is ours: no rel. "//host" is not local. */
		if (p[0] == '/' && p[1] != '/' && p[1] != '\\')
			buf_puts(&b, needle);
		else
			buf_puts(&b, "<a rel=\"nofollow ugc noopener\" href=\"");
	}
	free(html);
	return b.p;
}

char *md_render(arena *a, const char *md, size_t n)
{
	cmark_node *doc = cmark_parse_document(md, n, MD_OPTS);
	if (!doc)
		return arena_strdup(a, "");
	html_to_text(doc);
	char *html = cmark_render_html(doc, MD_OPTS);
	cmark_node_free(doc);
	return finish(a, html);
}

enum { LINK_MAX = 12, LINK_WORDS = 8, LINK_SCAN_MAX = 4096 };

static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool all_caps(const char *s, size_t n)
{
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			return false;
		letter = letter || (s[i] >= 'A' && s[i] <= 'Z');
	}
	return letter;
}

/* Links names in one text node; returns the links made. The node may be split in three. */
static int link_text(arena *a, cmark_node *node, const md_linker *l, int budget)
{
	int made = 0;
	while (node && made < budget) {
		const char *t = cmark_node_get_literal(node);
		size_t len = t ? strlen(t) : 0;
		if (len == 0 || len > LINK_SCAN_MAX)
			return made;
		size_t st[LINK_WORDS], en[LINK_WORDS];
		const char *words[LINK_WORDS];
		size_t i = 0;
		cmark_node *next = NULL;
		while (i < len && !next) {
			/* The next LINK_WORDS words from i. */
			int nw = 0;
			size_t j = i;
			while (nw < LINK_WORDS && j < len) {
				while (j < len && !word_byte((unsigned char)t[j]))
					j++;
				size_t s0 = j;
				while (j < len && word_byte((unsigned char)t[j]))
					j++;
				if (j == s0)
					break;
				st[nw] = s0;
				en[nw] = j;
				char *w = arena_strndup(a, t + s0, j - s0);
				for (char *p = w; *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				words[nw++] = w;
			}
			if (nw == 0)
				break;
			const char *url = NULL;
			int k = l->match(l->ctx, words, nw, &url);
			size_t ms = st[0], me = k > 0 ? en[k - 1] : 0;
			if (k > 0 && url && (me - ms >= 4 || all_caps(t + ms, me - ms))) {
				/* before | [match](url) | after */
				cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
				cmark_node *lt = cmark_node_new(CMARK_NODE_TEXT);
				char *mtext = arena_strndup(a, t + ms, me - ms);
				char *after = arena_strdup(a, t + me);
				char *before = arena_strndup(a, t, ms);
				cmark_node_set_url(link, url);
				cmark_node_set_literal(lt, mtext);
				cmark_node_append_child(link, lt);
				cmark_node_insert_after(node, link);
				if (*after) {
					next = cmark_node_new(CMARK_NODE_TEXT);
					cmark_node_set_literal(next, after);
					cmark_node_insert_after(link, next);
				}
				if (*before)
					cmark_node_set_literal(node, before);
				else
					cmark_node_free(node);
				made++;
				break;
			}
			i = en[0];
		}
		node = next;
	}
	return made;
}

char *md_render_linked(arena *a, const char *md, size_t n, const md_linker *l)
{
	if (!l)
		return md_render(a, md, n);
	cmark_node *doc = cmark_parse_document(md, n, MD_OPTS);
	if (!doc)
		return arena_strdup(a, "");
	html_to_text(doc);
	/* Collect first, change after: the iterator must not see a tree being rebuilt. */
	int cap = 64, nt = 0;
	cmark_node **texts = ARENA_ARRAY(a, cmark_node *, cap);
	int skip = 0; /* inside a link, image or heading */
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type ty = cmark_node_get_type(node);
		if (ty == CMARK_NODE_LINK || ty == CMARK_NODE_IMAGE || ty == CMARK_NODE_HEADING) {
			skip += ev == CMARK_EVENT_ENTER ? 1 : -1;
			continue;
		}
		if (ty == CMARK_NODE_TEXT && ev == CMARK_EVENT_ENTER && !skip) {
			if (nt == cap) {
				texts = arena_realloc(a, texts, sizeof *texts * (size_t)cap, sizeof *texts * (size_t)cap * 2);
				cap *= 2;
			}
			texts[nt++] = node;
		}
	}
	cmark_iter_free(it);
	int made = 0;
	for (int i = 0; i < nt && made < LINK_MAX; i++)
		made += link_text(a, texts[i], l, LINK_MAX - made);
	char *html = cmark_render_html(doc, MD_OPTS);
	cmark_node_free(doc);
	return finish(a, html);
}

static void text_of(cmark_node *root, buf *b)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)) {
			buf_puts(b, cmark_node_get_literal(node));
		} else if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)) {
			buf_putc(b, ' ');
		} else if (ev == CMARK_EVENT_EXIT &&
		           (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING || t == CMARK_NODE_ITEM)) {
			buf_putc(b, ' ');
		}
		if (b->len > 4096)
			break;
	}
	cmark_iter_free(it);
}

char *md_excerpt(arena *a, const char *md, size_t n, size_t max)
{
	cmark_node *doc = cmark_parse_document(md, n, MD_OPTS);
	buf b;
	buf_init(&b, a, 512, 0);
	if (doc) {
		text_of(doc, &b);
		cmark_node_free(doc);
	}
	/* Collapse runs of white space. */
	size_t o = 0;
	bool sp = true;
	for (size_t i = 0; i < b.len; i++) {
		char c = b.p[i];
		if (c == ' ' || c == '\n' || c == '\t') {
			if (!sp)
				b.p[o++] = ' ';
			sp = true;
		} else {
			b.p[o++] = c;
			sp = false;
		}
	}
	while (o && b.p[o - 1] == ' ')
		o--;
	b.p[o] = 0;
	size_t cut = utf8_prefix(b.p, o, max);
	if (cut < o) {
		/* Cut at the last space so no word is split. */
		size_t sp_at = cut;
		while (sp_at > cut / 2 && b.p[sp_at] != ' ')
			sp_at--;
		if (b.p[sp_at] == ' ')
			cut = sp_at;
		char *r = arena_alloc(a, cut + 4);
		memcpy(r, b.p, cut);
		memcpy(r + cut, "\xE2\x80\xA6", 4);
		return r;
	}
	return b.p;
}
