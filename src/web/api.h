/* api.h: the JSON API under /api/v1: shared helpers (JSON replies, error objects, bearer-token
 * auth, JSON bodies, cursors, ETags) and the handlers named in the route table.
 *
 * A new resource is a handler built from these helpers plus a row in routes.c and its path in
 * data/openapi.json (test_openapi checks that every /api/v1 route is documented). */
#ifndef CC_API_H
#define CC_API_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "http/request.h"
#include "model/author.h"
#include "model/question.h"
#include "model/topic.h"
#include "web/safety.h"
#include "web/web.h"

enum {
	API_LIMIT_DEFAULT = 20,
	API_LIMIT_MAX = 100,
	API_WRITE_MAX = 60,     /* posts per member … */
	API_WRITE_WINDOW = 600, /* … in this many seconds, through the API */
};

/* Sends j as the response (takes the reference). GET 200 replies carry an ETag, and a request
 * whose If-None-Match matches gets 304 with no body. */
void api_send(req *r, int status, json_t *j);
/* {"error":{"code":…,"message":…,"field":…}}; field may be NULL. */
void api_error(req *r, int status, const char *code, const char *msg, const char *field);
/* 422 with the first error as the error object and every error under "errors". */
void api_errors(req *r, const ferrs *e);
void api_db_error(req *r, int rc);
/* A post that safety_check_post (or its write, DB_OVER) turned away, the API way: status is
 * what the form would answer (403 locked, 422 refused or personal details to confirm, 429 rate
 * limit with Retry-After, 503), with the form's message and field from e. */
void api_refused(req *r, int status, const ferrs *e, const post_verdict *v);
/* This thread's connection; NULL after answering 503. */
dbc *api_db(req *r);
/* Reads "Authorization: Bearer cc_…" when present (it replaces any cookie identity).
 * need_user: answer 401 unless someone is signed in (token or cookie).
 * write: answer 401/403 unless a token with write scope was given (cookies never write,
 * so the API needs no CSRF token). Returns false after answering. */
bool api_auth(req *r, bool need_user, bool write);
/* Parses a JSON object body and copies its string fields into r->form so the pages'
 * validation (web_text) runs unchanged. Returns the object (freed with the request) or NULL
 * after answering 400/415. */
json_t *api_body(req *r);
/* The same, but fields named in keep (a NULL-ended list) may hold any JSON value: the handler
 * reads those from the returned object itself. */
json_t *api_body_keep(req *r, const char *const *keep);
/* ?limit= (1…100, default 20); false after answering 400. */
bool api_limit(req *r, int *limit);
/* Opaque cursors carrying two integers. */
char *api_cursor(req *r, int64_t a, int64_t b);
/* Reads ?cursor=; absent leaves a and b unchanged. False after answering 400. */
bool api_cursor_arg(req *r, int64_t *a, int64_t *b);
/* Short lists page by offset: the cursor carries (kind, offset); kinds tell lists apart
 * (1 answers, 2 search, 3 articles, 4 subscriptions). Reads ?limit= and ?cursor=; false
 * after answering 400. */
bool api_offset_page(req *r, int64_t kind, int64_t max_offset, int *limit, int64_t *offset);
/* The envelope of such a page whose items end before index end of total (takes items). */
json_t *api_offset_list(req *r, json_t *items, int64_t kind, int64_t end, int64_t total);
/* A list envelope {"data": items, "next_cursor": cursor or null} (takes items). */
json_t *api_list(json_t *items, const char *next_cursor);
/* ISO 8601 string, or null for 0. */
json_t *api_time(req *r, int64_t t);
/* The public view of a post author: a member's name and role, or a guest/anonymous label. */
json_t *api_author(const author *au);

/* Load {slug} / {id} from params[0]; false after answering 404 or a database error. */
bool api_load_topic(req *r, dbc *c, topic *t);
bool api_load_question(req *r, dbc *c, question *q);

/* Handlers (routes.c). */
void api_me(req *r);
void api_topics(req *r);
void api_topic(req *r);
void api_topic_questions(req *r);
void api_questions(req *r);
void api_question(req *r);
void api_answers(req *r);
void api_search(req *r);
void api_openapi(req *r);
/* api_engage.c */
void api_articles(req *r);
void api_article(req *r);
void api_question_rating(req *r);
void api_answer_rating(req *r);
void api_subscriptions(req *r);
void api_subscription(req *r);

#endif
