/* pages.h: every page handler, named in the route table (routes.c). */
#ifndef CC_PAGES_H
#define CC_PAGES_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "http/request.h"

bool web_parse_id(const char *s, int64_t *id);
struct question;
struct answer;
/* The published question of /{topic}/questions/{id}/… (its topic must match); answers 404 or,
 * for a guest and a members-only question, 403 itself and returns false. */
bool web_load_question(req *r, dbc *c, struct question *q);
/* Loads the published answer {aid} (third path parameter) of question q; on failure the
 * 404 or database error page is already in r. */
bool web_load_answer(req *r, dbc *c, const struct question *q, struct answer *a);

void page_home(req *r);
void page_topic(req *r);
void page_ask(req *r);
void page_question(req *r);
/* Counts a view of the question a cached page showed. */
void page_question_viewed(req *r);
/* GET /{topic}/questions/{id}/answers?page=N: one page of answers as an HTML fragment (site.js). */
void page_answers_more(req *r);
void page_answer_post(req *r);
void page_accept(req *r);
void page_question_edit(req *r);
/* datarights.c */
void page_account_export(req *r);
void page_account_delete(req *r);
void page_answer_edit(req *r);
void page_question_history(req *r);
void page_answer_history(req *r);
void page_search(req *r);
void page_login(req *r);
void page_register(req *r);
void page_logout(req *r);
void page_account(req *r);
void page_profile(req *r);
void page_terms(req *r);
void page_privacy(req *r);
void page_disclaimer(req *r);
void page_healthz(req *r);
void page_robots(req *r);

#endif
