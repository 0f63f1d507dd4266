/* tmpl.h: the template engine: mustache-like templates that escape every value by default.
 *
 *   {{name}} {{a.b}} {{.}}     value, HTML-escaped (text and attributes alike)
 *   {{{body_html}}}            raw HTML: only for values set with tv_html(), whose keys
 *                              must end in _html; any other value is still escaped
 *   {{#name}}…{{/name}}        list: once per item; object: inside it; else: if truthy
 *   {{^name}}…{{/name}}        if missing, false, 0, "" or an empty list
 *   {{>partial}}               another template, same context
 *   {{! comment }}
 *
 * Templates are compiled into the binary and parsed once at start-up (tmpl_init).
 * Values live in the request arena. */
#ifndef CC_TMPL_H
#define CC_TMPL_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

typedef struct tval tval;

tval *tv_obj(arena *a);
tval *tv_list(arena *a);
void tv_str(tval *o, const char *key, const char *s); /* NULL leaves the key unset */
void tv_strn(tval *o, const char *key, const char *s, size_t n);
void tv_int(tval *o, const char *key, int64_t v);
void tv_bool(tval *o, const char *key, bool v);
/* Trusted HTML (markdown output or literals): key must end in "_html" or the value
 * is stored as plain text and so escaped. */
void tv_html(tval *o, const char *key, const char *html);
void tv_put(tval *o, const char *key, tval *v);
tval *tv_child(tval *o, const char *key);      /* new object under key */
tval *tv_childlist(tval *o, const char *key);  /* new list under key */
tval *tv_push(tval *list);                     /* new object appended to a list */
void tv_push_str(tval *list, const char *s);
int tv_len(const tval *list);
/* Looks up a direct key of an object (NULL when missing). */
const tval *tv_get(const tval *o, const char *key);
const char *tv_get_str(const tval *o, const char *key);

/* Parses every embedded template (templates/NAME.html). Returns 0, or -1 with a message. */
int tmpl_init(char *err, size_t errlen);
/* Parses one template from text under a name (tests); replaces any of that name. */
int tmpl_add(const char *name, const char *text, size_t len, char *err, size_t errlen);
bool tmpl_exists(const char *name);
/* Renders template name (e.g. "question") with ctx into out; false if no such template. */
bool tmpl_render(buf *out, const char *name, const tval *ctx);
void tmpl_shutdown(void);

#endif
