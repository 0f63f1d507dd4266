/* similar.c: GET /{topic}/similar?title=…: questions like the title someone is typing on the
 * ask form, as JSON for static/js/site.js. Read-only, no cookies needed. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "model/search.h"
#include "model/topic.h"
#include "web/frontend.h"
#include "web/web.h"

enum { SIMILAR_MAX = 5, SIMILAR_TITLE_MAX = 200 };

static void send_json(req *r, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	r->status = status;
	r->ctype = "application/json";
	res_header(r, "Cache-Control", "private, max-age=60");
	res_header(r, "X-Robots-Tag", "noindex");
	if (s) {
		buf_puts(&r->out, s);
		free(s);
	}
}

void page_similar(req *r)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	topic t;
	int rc = topic_by_slug(c, r->a, r->params[0], &t);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		send_json(r, 404, json_pack("{s:s}", "error", "no such topic"));
		return;
	}
	ferrs e = {0};
	kvlist saved = r->form;
	r->form = r->query;
	const char *title = web_text(r, &e, "title", "The title", 0, SIMILAR_TITLE_MAX);
	r->form = saved;
	json_t *list = json_array();
	if (e.n == 0 && strlen(title) >= 3) {
		search_hit *hits;
		int64_t total;
		int n = search_questions(c, r->a, title, t.slug, SIMILAR_MAX, 0, &hits, &total);
		if (n < 0) {
			json_decref(list);
			send_json(r, 503, json_pack("{s:s}", "error", "search is not available right now"));
			return;
		}
		for (int i = 0; i < n; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "title", hits[i].title, "url",
			                                      web_question_url(r, hits[i].topic_slug, hits[i].id, hits[i].slug),
			                                      "answers", (json_int_t)hits[i].answer_count));
	}
	send_json(r, 200, json_pack("{s:o}", "questions", list));
}
