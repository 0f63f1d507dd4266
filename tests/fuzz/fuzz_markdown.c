/* fuzz_markdown.c: md_render and md_excerpt on arbitrary bytes. The HTML holds only tags that
 * cmark writes for CommonMark (never <script>, never a javascript: URL), is valid UTF-8, and
 * the excerpt keeps to its length. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "render/markdown.h"

static const char *const tags[] = {"a",  "blockquote", "br", "code", "em", "h1", "h2",
                                   "h3", "h4",         "h5", "h6",   "hr", "img", "li",
                                   "ol", "p",          "pre", "strong", "ul"};

static bool allowed_tag(const char *p)
{
	if (*p == '/')
		p++;
	size_t l = 0;
	while (isalnum((unsigned char)p[l]))
		l++;
	if (!(p[l] == '>' || p[l] == ' ' || (p[l] == '/' && p[l + 1] == '>')))
		return false;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strlen(tags[i]) == l && strncmp(tags[i], p, l) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n > 64 * 1024)
		return 0;
	arena *a = arena_new(0);
	char *md = malloc(n ? n : 1);
	memcpy(md, d, n);
	char *html = md_render(a, md, n);
	size_t hl = strlen(html);
	FUZZ_CHECK(utf8_valid(html, hl));
	FUZZ_CHECK(!strcasestr(html, "<script"));
	FUZZ_CHECK(!strcasestr(html, "href=\"javascript:"));
	FUZZ_CHECK(!strcasestr(html, "src=\"javascript:"));
	FUZZ_CHECK(!strcasestr(html, "href=\"vbscript:"));
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		if (!allowed_tag(p + 1)) {
			fprintf(stderr, "unexpected tag at: %.40s\n", p);
			FUZZ_CHECK(!"tag cmark does not write");
		}
	}
	/* Every link that leaves the site carries rel="nofollow ugc noopener"; only a local
	 * path ("/topic", never "//host") may go without. */
	for (const char *p = strstr(html, "<a "); p; p = strstr(p + 1, "<a "))
		FUZZ_CHECK(strncmp(p, "<a rel=\"nofollow ugc noopener\" href=\"", 37) == 0 ||
		           (strncmp(p, "<a href=\"/", 10) == 0 && p[10] != '/' && p[10] != '\\'));

	size_t max = n ? d[0] % 200 : 10;
	char *ex = md_excerpt(a, md, n, max);
	size_t el = strlen(ex);
	FUZZ_CHECK(utf8_valid(ex, el));
	FUZZ_CHECK(utf8_count(ex, el) <= max + 1);
	FUZZ_CHECK(!strchr(ex, '\n'));
	free(md);
	arena_free(a);
	return 0;
}
