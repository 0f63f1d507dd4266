/* markdown.h: CommonMark to HTML through cmark in safe mode (no raw HTML, no unsafe URLs). */
#ifndef CC_MARKDOWN_H
#define CC_MARKDOWN_H
#include <stddef.h>

#include "core/arena.h"

/* Renders user markdown. Raw HTML is shown as the text typed (escaped), javascript: links are removed,
 * every link gets rel="nofollow ugc noopener". The result lives in a. */
char *md_render(arena *a, const char *md, size_t n);
/* Auto-linking of names (conditions, medications) while rendering. match gets up to 8 lowercase
 * words and returns how many of them, from the first, form a name to link, setting *url to a local
 * path; 0 when none. The linker keeps its own state (for "first mention only"). */
typedef struct md_linker {
	int (*match)(void *ctx, const char *const *words, int nwords, const char **url);
	void *ctx;
} md_linker;
/* As md_render, and wraps names that l matches in links: never inside code, code blocks,
 * headings or existing links, at most 12 links a post. A name shorter than 4 characters is
 * linked only when written in capitals ("BP", not "bp"). Local links carry no rel. */
char *md_render_linked(arena *a, const char *md, size_t n, const md_linker *l);
/* Plain-text excerpt of markdown (no markup), at most max code points, ending in … when cut. */
char *md_excerpt(arena *a, const char *md, size_t n, size_t max);

#endif
