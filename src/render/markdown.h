/* markdown.h: CommonMark to HTML through cmark in safe mode (no raw HTML, no unsafe URLs). */
#ifndef CC_MARKDOWN_H
#define CC_MARKDOWN_H
#include <stddef.h>

#include "core/arena.h"

/* Renders user markdown. Raw HTML is shown as the text typed (escaped), javascript: links are removed,
 * every link gets rel="nofollow ugc noopener". The result lives in a. */
char *md_render(arena *a, const char *md, size_t n);
/* Plain-text excerpt of markdown (no markup), at most max code points, ending in … when cut. */
char *md_excerpt(arena *a, const char *md, size_t n, size_t max);

#endif
