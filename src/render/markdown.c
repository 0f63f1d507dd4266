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

char *md_render(arena *a, const char *md, size_t n)
{
	cmark_node *doc = cmark_parse_document(md, n, MD_OPTS);
	if (!doc)
		return arena_strdup(a, "");
	html_to_text(doc);
	char *html = cmark_render_html(doc, MD_OPTS);
	cmark_node_free(doc);
	if (!html)
		return arena_strdup(a, "");
	/* Safe mode drops raw HTML and unsafe URLs, so every "<a href=" here came from cmark. */
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
		buf_puts(&b, "<a rel=\"nofollow ugc noopener\" href=\"");
		p = m + strlen(needle);
	}
	free(html);
	return b.p;
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
