/* question.c: the question page, answering, accepting, editing and edit history. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "safety/image.h"
#include "model/answer.h"
#include "model/moderation.h"
#include "model/question.h"
#include "model/search.h"
#include "model/source.h"
#include "model/topic.h"
#include "web/images.h"
#include "web/engage.h"
#include "web/pagecache.h"
#include "web/pages.h"
#include "web/safety.h"
#include "web/web.h"

/* Reads "123" or "123-some-slug" into an id. */
bool web_parse_id(const char *s, int64_t *id)
{
	char tmp[24];
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof tmp || (s[n] && s[n] != '-'))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return util_parse_i64(tmp, 1, INT64_MAX, id);
}

/* Members-only questions are closed to guests beyond the teaser (history, answering…). */
static bool members_gate(req *r, const question *q)
{
	if (!q->members_only || web_user(r))
		return true;
	web_error(r, 403, "members_only",
	          "This question is for members only. Log in or register to read it and take part.");
	return false;
}

/* Loads the question named by /{topic}/questions/{id}…; answers 404 itself when absent. */
static bool load_question(req *r, dbc *c, question *q, bool any_status)
{
	int64_t id;
	if (r->nparams < 2 || !web_parse_id(r->params[1], &id)) {
		web_error_page(r, 404);
		return false;
	}
	int rc = question_get(c, r->a, id, any_status, q);
	if (rc < 0) {
		web_db_error(r, rc);
		return false;
	}
	if (rc == 0) {
		web_error_page(r, 404);
		return false;
	}
	return members_gate(r, q);
}

bool web_load_question(req *r, dbc *c, question *q)
{
	if (!load_question(r, c, q, false))
		return false;
	if (strcmp(q->topic_slug, r->params[0]) != 0) {
		web_error_page(r, 404);
		return false;
	}
	return true;
}

/* A members-only question shown to a guest (or a search engine): the title, its first
 * characters and a prompt to log in; no answers. The page is noindex and may be cached for
 * guests, since it holds nothing more than the teaser. */
static void render_teaser(req *r, const question *q)
{
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cr = tv_push(crumbs);
	tv_str(cr, "name", q->topic_name);
	tv_str(cr, "url", arena_printf(r->a, "/%s", q->topic_slug));
	tv_str(tv_push(crumbs), "name", "Question");
	tval *qo = tv_child(ctx, "q");
	tv_str(qo, "title", q->title);
	tv_str(qo, "topic_name", q->topic_name);
	tv_str(qo, "teaser", web_teaser(r, q->excerpt));
	tv_str(qo, "comments", util_plural(r->a, q->answer_count, "answer", "answers"));
	tv_str(qo, "login_url",
	       arena_printf(r->a, "/login?next=%s", web_question_url(r, q->topic_slug, q->id, q->slug)));
	web_page(r, 200, "question_teaser", ctx, q->title);
}

/* The first characters of a members-only question's excerpt (about 200, on a word break). */
const char *web_teaser(req *r, const char *excerpt)
{
	enum { TEASER = 200 };
	size_t n = 0, cut = 0, cps = 0;
	while (excerpt[n] && cps < TEASER) {
		unsigned char ch = (unsigned char)excerpt[n];
		n++;
		while ((excerpt[n] & 0xC0) == 0x80)
			n++;
		cps++;
		if (ch == ' ')
			cut = n - 1;
	}
	if (!excerpt[n])
		return excerpt;
	if (cut == 0)
		cut = n;
	return arena_printf(r->a, "%.*s…", (int)cut, excerpt);
}

static bool is_author(req *r, const author *au)
{
	user *u = web_user(r);
	return u && au->user_id && au->user_id == u->id;
}

static bool can_edit(req *r, const author *au)
{
	return is_author(r, au) || web_role(r, ROLE_MODERATOR);
}

/* Similar questions of a question page, kept per question until content changes (the page
 * cache's generation) or ten minutes pass: the search costs more than the rest of the page. */
enum { SIM_SLOTS = 512, SIM_MAX = 5, SIM_TTL = 600 };
static struct sim_slot {
	int64_t qid, at;
	uint64_t gen;
	int n;
	search_hit hits[SIM_MAX];
} sims[SIM_SLOTS];
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;

static void sim_free(struct sim_slot *s)
{
	for (int i = 0; i < s->n; i++) {
		free((char *)s->hits[i].topic_slug);
		free((char *)s->hits[i].topic_name);
		free((char *)s->hits[i].slug);
		free((char *)s->hits[i].title);
	}
	s->n = 0;
	s->qid = 0;
}

static int similar_of(req *r, dbc *c, const question *q, search_hit **out)
{
	uint64_t gen = pagecache_gen();
	int64_t now = util_now();
	struct sim_slot *s = &sims[(uint64_t)q->id % SIM_SLOTS];
	pthread_mutex_lock(&sim_lock);
	if (s->qid == q->id && s->gen == gen && now - s->at < SIM_TTL) {
		int n = s->n;
		search_hit *h = ARENA_ARRAY(r->a, search_hit, n ? n : 1);
		for (int i = 0; i < n; i++) {
			h[i] = s->hits[i];
			h[i].topic_slug = arena_strdup(r->a, s->hits[i].topic_slug);
			h[i].topic_name = arena_strdup(r->a, s->hits[i].topic_name);
			h[i].slug = arena_strdup(r->a, s->hits[i].slug);
			h[i].title = arena_strdup(r->a, s->hits[i].title);
			h[i].snippet = "";
		}
		pthread_mutex_unlock(&sim_lock);
		*out = h;
		return n;
	}
	pthread_mutex_unlock(&sim_lock);
	int n = search_similar(c, r->a, q->title, q->id, SIM_MAX, out);
	if (n < 0)
		return n;
	pthread_mutex_lock(&sim_lock);
	sim_free(s);
	for (int i = 0; i < n && i < SIM_MAX; i++) {
		s->hits[i] = (*out)[i];
		s->hits[i].topic_slug = strdup((*out)[i].topic_slug);
		s->hits[i].topic_name = strdup((*out)[i].topic_name);
		s->hits[i].slug = strdup((*out)[i].slug);
		s->hits[i].title = strdup((*out)[i].title);
		s->hits[i].snippet = NULL;
		s->n = i + 1;
	}
	s->qid = q->id;
	s->gen = gen;
	s->at = now;
	pthread_mutex_unlock(&sim_lock);
	return n;
}

/* Answers come in pages of this many: the first page of a question (accepted and helpful
 * answers first) and each "more answers" page, with or without JavaScript. */
enum { ANSWERS_PER_PAGE = 20 };

/* The page of answers asked for in the query parameter name: 1 when absent, 0 when it is not
 * a page number at all. */
static int answers_page(req *r, const char *name)
{
	const char *s = kv_get(&r->query, name);
	int64_t v;
	if (!s)
		return 1;
	if (!util_parse_i64(s, 1, 1000000000, &v))
		return 0;
	return (int)v;
}

static int pages_of(int n)
{
	return n <= ANSWERS_PER_PAGE ? 1 : (n + ANSWERS_PER_PAGE - 1) / ANSWERS_PER_PAGE;
}

/* Answers 400 or 404 itself when page is not a page of this question's n answers. */
static bool page_ok(req *r, int page, int n)
{
	if (page < 1) {
		web_error(r, 400, "bad_page", "The page of answers must be a whole number, 1 or more.");
		return false;
	}
	if (page > pages_of(n)) {
		web_error(r, 404, "no_such_page",
		          n > ANSWERS_PER_PAGE ? arena_printf(r->a, "This question has only %d pages of answers.", pages_of(n))
		                               : "This question has only one page of answers.");
		return false;
	}
	return true;
}

static char *page_url(req *r, const char *url, int page)
{
	return page <= 1 ? arena_strdup(r->a, url) : arena_printf(r->a, "%s?answers=%d", url, page);
}

/* "21–40 of 57" */
static char *range_label(req *r, int page, int n)
{
	int first = (page - 1) * ANSWERS_PER_PAGE + 1, last = page * ANSWERS_PER_PAGE;
	return arena_printf(r->a, "%d\xE2\x80\x93%d of %d", first, last < n ? last : n, n);
}

/* The images of the question and its answers, and the sources of its answers: nothing to look
 * up unless has_media says there may be some (most questions have neither). A failed lookup
 * shows none. */
static int question_images(req *r, dbc *c, const question *q, image **out)
{
	*out = NULL;
	int n = q->has_media ? image_list_question(c, r->a, q->id, out) : 0;
	return n < 0 ? 0 : n;
}

static int question_sources(req *r, dbc *c, const question *q, post_source **out)
{
	*out = NULL;
	int n = q->has_media ? source_list_question(c, r->a, q->id, out) : 0;
	return n < 0 ? 0 : n;
}

/* The answers of page `page` (ans already in display order) into ctx: the "answers" list, and
 * "pager" with the range shown, the link back and the link (and fragment) for more. */
static void answers_ctx(req *r, dbc *c, const question *q, engage_info *ei, answer *ans, int n, int page,
                        image *imgs, int nimgs, tval *ctx)
{
	post_source *src;
	int nsrc = question_sources(r, c, q, &src);
	char *url = web_question_url(r, q->topic_slug, q->id, q->slug);
	int pages = pages_of(n), from = (page - 1) * ANSWERS_PER_PAGE;
	int to = from + ANSWERS_PER_PAGE < n ? from + ANSWERS_PER_PAGE : n;
	tval *pg = tv_child(ctx, "pager");
	if (pages > 1)
		tv_str(pg, "range", range_label(r, page, n));
	if (page > 1) {
		tv_int(pg, "start", from + 1);
		tv_str(pg, "prev_url", page_url(r, url, page - 1));
	}
	if (page < pages) {
		tval *m = tv_child(pg, "more");
		tv_str(m, "url", page_url(r, url, page + 1));
		tv_str(m, "fragment", arena_printf(r->a, "/%s/questions/%lld/answers?page=%d", q->topic_slug,
		                                   (long long)q->id, page + 1));
		tv_str(m, "label", range_label(r, page + 1, n));
	}
	bool asker = is_author(r, &q->by);
	bool mod = web_role(r, ROLE_MODERATOR);
	tval *list = tv_childlist(ctx, "answers");
	for (int i = from; i < to; i++) {
		answer *a = &ans[i];
		tval *o = tv_push(list);
		tv_int(o, "id", a->id);
		tv_html(o, "body_html", a->body_html);
		images_show(r, o, imgs, nimgs, "answer", a->id);
		web_author(r, o, &a->by);
		web_time(r, o, "created", a->created_at);
		if (a->edited_at) {
			web_time(r, o, "edited", a->edited_at);
			tv_str(o, "history_url", arena_printf(r->a, "/%s/questions/%lld/answers/%lld/history",
			                                      q->topic_slug, (long long)q->id, (long long)a->id));
		}
		bool accepted = q->accepted_answer_id == a->id;
		tv_bool(o, "accepted", accepted);
		bool edit = can_edit(r, &a->by);
		if (asker) {
			tv_bool(o, "can_accept", true);
			tv_str(o, "accept_url", arena_printf(r->a, "/%s/questions/%lld/accept", q->topic_slug, (long long)q->id));
			tv_int(o, "accept_value", accepted ? 0 : a->id);
			tv_str(o, "accept_label", accepted ? "Unmark: this did not help after all" : "Mark as the answer that helped");
		}
		if (edit) {
			tv_bool(o, "can_edit", true);
			tv_str(o, "edit_url", arena_printf(r->a, "/%s/questions/%lld/answers/%lld/edit",
			                                   q->topic_slug, (long long)q->id, (long long)a->id));
		}
		tval *sl = tv_childlist(o, "sources");
		for (int k = 0; k < nsrc; k++)
			if (src[k].post_id == a->id) {
				tval *so = tv_push(sl);
				tv_str(so, "title", src[k].title);
				tv_str(so, "url", src[k].url);
				tv_bool(o, "has_sources", true);
			}
		tv_str(o, "flag_url", arena_printf(r->a, "/%s/questions/%lld/flag?answer=%lld", q->topic_slug,
		                                   (long long)q->id, (long long)a->id));
		if (mod)
			tv_str(o, "mod_url", arena_printf(r->a, "/mod/post?type=answer&id=%lld", (long long)a->id));
		engage_answer(r, ei, q, a, o);
	}
}

/* Renders page `page` of the question; v and e carry a rejected answer form back. */
static void render_page(req *r, dbc *c, question *q, int page, tval *v, const ferrs *e, int status)
{
	answer *ans;
	int n = answer_list_shown(c, r->a, q->id, &ans);
	search_hit *sim = NULL;
	int nsim = n < 0 ? n : similar_of(r, c, q, &sim);
	if (nsim < 0) {
		web_db_error(r, nsim);
		return;
	}
	if (!page_ok(r, page, n))
		return;
	tval *ctx = web_ctx(r);
	char *url = web_question_url(r, q->topic_slug, q->id, q->slug);
	tv_str(ctx, "canonical", arena_printf(r->a, "%s%s", APP(r)->cfg->base_url, page_url(r, url, page)));
	tv_str(ctx, "description", q->excerpt);
	tval *crumbs = tv_childlist(tv_child(ctx, "crumbs"), "items");
	tval *cr = tv_push(crumbs);
	tv_str(cr, "name", q->topic_name);
	tv_str(cr, "url", arena_printf(r->a, "/%s", q->topic_slug));
	tv_str(tv_push(crumbs), "name", "Question");

	image *imgs;
	int nimgs = question_images(r, c, q, &imgs);
	tval *qo = tv_child(ctx, "q");
	images_show(r, qo, imgs, nimgs, "question", q->id);
	tv_str(qo, "title", q->title);
	tv_html(qo, "body_html", q->body_html);
	web_author(r, qo, &q->by);
	web_time(r, qo, "created", q->created_at);
	if (q->edited_at) {
		web_time(r, qo, "edited", q->edited_at);
		tv_str(qo, "history_url", arena_printf(r->a, "%s/history", url));
	}
	tv_str(qo, "views", util_plural(r->a, q->view_count + 1, "view", "views"));
	tv_str(qo, "flag_url", arena_printf(r->a, "/%s/questions/%lld/flag", q->topic_slug, (long long)q->id));
	if (web_role(r, ROLE_MODERATOR))
		tv_str(qo, "mod_url", arena_printf(r->a, "/mod/post?type=question&id=%lld", (long long)q->id));
	if (can_edit(r, &q->by)) {
		tv_bool(qo, "can_edit", true);
		tv_str(qo, "edit_url", arena_printf(r->a, "/%s/questions/%lld/edit", q->topic_slug, (long long)q->id));
	}
	/* Ratings, helpful answers first, email updates (web/engage.c). */
	engage_info *ei = engage_question(r, c, q, ans, n, ctx, qo);
	tv_str(ctx, "updates_text", "Get an email when someone answers this question.");
	tv_str(ctx, "comments_label", util_plural(r->a, n, "comment", "comments"));
	answers_ctx(r, c, q, ei, ans, n, page, imgs, nimgs, ctx);
	/* Later pages of answers are pages of their own for search engines too. */
	if (page > 1)
		tv_str(ctx, "prev_url", page_url(r, url, page - 1));
	if (page < pages_of(n))
		tv_str(ctx, "next_url", page_url(r, url, page + 1));
	tv_bool(ctx, "has_similar", nsim > 0);
	tval *siml = tv_childlist(ctx, "similar");
	for (int i = 0; i < nsim; i++) {
		tval *o = tv_push(siml);
		tv_str(o, "title", sim[i].title);
		tv_str(o, "url", web_question_url(r, sim[i].topic_slug, sim[i].id, sim[i].slug));
		tv_str(o, "topic_name", sim[i].topic_name);
		tv_str(o, "comments", util_plural(r->a, sim[i].answer_count, "comment", "comments"));
	}
	tv_bool(ctx, "can_cite", web_role(r, ROLE_GUIDE));
	tv_str(ctx, "feed_url", arena_printf(r->a, "/feeds/%s.atom", q->topic_slug));
	tv_str(ctx, "feed_title", arena_printf(r->a, "%s: new questions and articles", q->topic_name));
	tv_str(ctx, "answer_action", arena_printf(r->a, "/%s/questions/%lld/answers", q->topic_slug, (long long)q->id));
	if (v)
		tv_put(ctx, "v", v);
	images_form(r, ctx, v);
	if (e) {
		web_errors(ctx, e);
	}
	if (safety_locked(c, q->id))
		tv_bool(ctx, "locked", true);
	else
		safety_form(r, c, ctx, arena_printf(r->a, "%s#captcha", url));
	web_page(r, status, "question", ctx,
	         page > 1 ? arena_printf(r->a, "%s (answers %s)", q->title, range_label(r, page, n)) : q->title);
}

static void render(req *r, dbc *c, question *q, tval *v, const ferrs *e, int status)
{
	render_page(r, c, q, 1, v, e, status);
}

void page_question(req *r)
{
	/* Bulk reading is watched in web_dispatch, before the page cache. */
	dbc *c = web_db(r);
	question q;
	int64_t qid, into;
	if (!c)
		return;
	bool have = web_parse_id(r->params[1], &qid) && question_get(c, r->a, qid, false, &q) == 1;
	/* A duplicate merged into another question leads there. */
	if (!have && web_parse_id(r->params[1], &qid) && (into = mod_merged_into(c, qid)) > 0) {
		res_redirect(r, 301, arena_printf(r->a, "/%s/questions/%lld", r->params[0], (long long)into));
		return;
	}
	if (!have && !load_question(r, c, &q, false))
		return;
	/* One address per question: /{topic}/questions/{id}-{slug}, and ?answers=N (N > 1) for
	 * its later pages of answers. */
	int page = answers_page(r, "answers");
	char *canon = web_question_url(r, q.topic_slug, q.id, q.slug);
	if (page >= 1 && (strcmp(r->path, canon) != 0 || (page == 1 && kv_get(&r->query, "answers")))) {
		res_redirect(r, 301, page_url(r, canon, page));
		return;
	}
	if (q.members_only && !web_user(r)) {
		render_teaser(r, &q);
		return;
	}
	web_view(q.id);
	render_page(r, c, &q, page, NULL, NULL, 200);
}

/* GET /{topic}/questions/{id}/answers?page=N: only the answers of page N and the link to the
 * next page, as an HTML fragment for site.js's "Load more answers". */
void page_answers_more(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !load_question(r, c, &q, false))
		return;
	if (strcmp(q.topic_slug, r->params[0]) != 0) {
		web_error_page(r, 404);
		return;
	}
	int page = answers_page(r, "page");
	answer *ans;
	int n = answer_list_shown(c, r->a, q.id, &ans);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	if (!page_ok(r, page, n))
		return;
	tval *ctx = web_ctx(r);
	image *imgs;
	int nimgs = question_images(r, c, &q, &imgs);
	engage_info *ei = engage_question(r, c, &q, ans, n, tv_obj(r->a), tv_obj(r->a));
	answers_ctx(r, c, &q, ei, ans, n, page, imgs, nimgs, ctx);
	r->status = 200;
	r->ctype = "text/html; charset=utf-8";
	res_header(r, "Cache-Control", "private, no-cache");
	res_header(r, "X-Robots-Tag", "noindex");
	r->out.len = 0;
	tmpl_render(&r->out, "answers_more", ctx);
}

void page_question_viewed(req *r)
{
	int64_t id;
	if (r->nparams >= 2 && web_parse_id(r->params[1], &id))
		web_view(id);
}

void page_answer_post(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !load_question(r, c, &q, false))
		return;
	if (safety_locked(c, q.id)) {
		web_error(r, 403, "locked", "Moderators have locked this question: it takes no new answers.");
		return;
	}
	ferrs e = {0};
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *body = web_text(r, &e, "body", "Your answer", ABODY_MIN, ABODY_MAX);
	user *u = web_user(r);
	const char *guest = u ? "" : web_text(r, &e, "guest_name", "Your name", 0, GUEST_NAME_MAX);
	tval *v = tv_obj(r->a);
	tv_str(v, "body", body);
	tv_str(v, "guest_name", guest);
	/* Guides may list sources, shown as "Read more" links under the answer. */
	post_source *src = NULL;
	int nsrc = 0;
	if (web_role(r, ROLE_GUIDE)) {
		const char *st = web_text(r, &e, "sources", "The sources", 0, 12000);
		tv_str(v, "sources", st);
		const char *why = NULL;
		nsrc = source_parse(r->a, st, &src, &why);
		if (nsrc < 0) {
			ferr(&e, "sources", why);
			nsrc = 0;
		}
	}
	safety_check_form(r, c, &e);
	int64_t img_ids[IMAGE_MAX_PER_POST];
	int nimg = r->csrf_failed ? 0 : images_take(r, c, &e, v, img_ids);
	if (e.n) {
		render(r, c, &q, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	post_verdict verdict;
	int status = safety_check_post(r, c, &e, "answer", q.id, NULL, body, &verdict);
	if (status) {
		render(r, c, &q, v, &e, status);
		return;
	}
	answer_new n = {.status = verdict.status, .question_id = q.id, .user_id = u ? u->id : 0, .guest_name = guest,
	                .body_md = body, .sources = src, .nsources = nsrc, .also = &verdict.writes,
	                .then = safety_note_tx, .then_ctx = &verdict};
	int64_t id = answer_create(c, r->a, &n);
	if (id == DB_OVER) {
		ferr(&e, NULL, verdict.over_msg);
		render(r, c, &q, v, &e, 429);
		return;
	}
	if (id < 0) {
		ferr(&e, NULL, "Your answer could not be saved just now. It is kept below: please try again.");
		render(r, c, &q, v, &e, 503);
		return;
	}
	images_attach(r, c, img_ids, nimg, "answer", id);
	char *qurl = web_question_url(r, q.topic_slug, q.id, q.slug);
	char *aurl = arena_printf(r->a, "%s#answer-%lld", qurl, (long long)id);
	const char *to = safety_after_post(r, "answer", &verdict, aurl, qurl);
	if (to) {
		web_redirect(r, to);
		return;
	}
	web_flash(r, "answer");
	web_redirect(r, aurl);
}

void page_accept(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !load_question(r, c, &q, false))
		return;
	if (!is_author(r, &q.by)) {
		web_error(r, 403, "not_asker", "Only the person who asked can mark the answer that helped.");
		return;
	}
	int64_t aid = 0;
	const char *s = kv_get(&r->form, "answer");
	if (!s || (strcmp(s, "0") != 0 && !util_parse_i64(s, 1, INT64_MAX, &aid))) {
		web_error(r, 400, "bad_answer", "No answer was chosen.");
		return;
	}
	int rc = question_accept(c, q.id, aid);
	if (rc < 0) {
		web_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		web_error(r, 404, "no_such_answer", "That answer does not belong to this question.");
		return;
	}
	web_flash(r, aid ? "accepted" : "unaccepted");
	web_redirect(r, arena_printf(r->a, "%s#answer-%lld", web_question_url(r, q.topic_slug, q.id, q.slug),
	                             (long long)(aid ? aid : 0)));
}

static void edit_form(req *r, const char *heading, const char *action, const char *back, bool with_title,
                      tval *v, const ferrs *e, int status)
{
	tval *ctx = web_ctx(r);
	tv_str(ctx, "heading", heading);
	tv_str(ctx, "action", action);
	tv_str(ctx, "back_url", back);
	tv_bool(ctx, "with_title", with_title);
	tv_bool(ctx, "noindex", true);
	tval *l = tv_child(ctx, "limits");
	tv_int(l, "title_min", TITLE_MIN);
	tv_int(l, "title_max", TITLE_MAX);
	tv_put(ctx, "v", v);
	web_errors(ctx, e);
	web_page(r, status, "edit", ctx, heading);
}

void page_question_edit(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !load_question(r, c, &q, false))
		return;
	if (!can_edit(r, &q.by)) {
		web_error(r, 403, "not_author", "You can edit only your own posts.");
		return;
	}
	char *back = web_question_url(r, q.topic_slug, q.id, q.slug);
	const char *action = r->path;
	ferrs e = {0};
	tval *v = tv_obj(r->a);
	if (r->method != M_POST) {
		tv_str(v, "title", q.title);
		tv_str(v, "body", q.body_md);
		tv_bool(v, "members_only", q.members_only);
		edit_form(r, "Edit your question", action, back, true, v, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *title = web_text(r, &e, "title", "Your question", TITLE_MIN, TITLE_MAX);
	const char *body = web_text(r, &e, "body", "Details", QBODY_MIN, QBODY_MAX);
	const char *note = web_text(r, &e, "note", "The note", 0, 200);
	tv_str(v, "title", title);
	tv_str(v, "body", body);
	tv_str(v, "note", note);
	bool members_only = kv_get(&r->form, "members_only") != NULL;
	tv_bool(v, "members_only", members_only);
	if (e.n) {
		edit_form(r, "Edit your question", action, back, true, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	post_verdict verdict;
	int st = safety_check_edit(r, c, &e, "question", title, body, &verdict);
	if (st) {
		edit_form(r, "Edit your question", action, back, true, v, &e, st);
		return;
	}
	int rc = question_edit(c, r->a, q.id, web_user(r)->id, title, body, note, members_only ? 1 : 0);
	if (rc < 0) {
		ferr(&e, NULL, "Your changes could not be saved just now. They are kept below: please try again.");
		edit_form(r, "Edit your question", action, back, true, v, &e, 503);
		return;
	}
	safety_log_edit(r, c, "question", q.id, q.by.user_id, note);
	char *url = web_question_url(r, q.topic_slug, q.id, util_slugify(r->a, title, 80));
	const char *to = safety_after_edit(r, c, "question", q.id, &verdict, url, arena_printf(r->a, "/%s", q.topic_slug));
	if (!to)
		web_flash(r, "edited");
	web_redirect(r, to ? to : url);
}

/* Loads the answer {aid} of the loaded question q; answers 404 itself when absent. */
bool web_load_answer(req *r, dbc *c, const question *q, answer *a)
{
	int64_t aid;
	if (r->nparams < 3 || !util_parse_i64(r->params[2], 1, INT64_MAX, &aid)) {
		web_error_page(r, 404);
		return false;
	}
	int rc = answer_get(c, r->a, aid, a);
	if (rc < 0) {
		web_db_error(r, rc);
		return false;
	}
	if (rc == 0 || a->question_id != q->id || strcmp(a->status, "published") != 0) {
		web_error_page(r, 404);
		return false;
	}
	return true;
}

void page_answer_edit(req *r)
{
	dbc *c = web_db(r);
	question q;
	answer a;
	if (!c || !load_question(r, c, &q, false) || !web_load_answer(r, c, &q, &a))
		return;
	if (!can_edit(r, &a.by)) {
		web_error(r, 403, "not_author", "You can edit only your own posts.");
		return;
	}
	char *back = arena_printf(r->a, "%s#answer-%lld", web_question_url(r, q.topic_slug, q.id, q.slug),
	                          (long long)a.id);
	ferrs e = {0};
	tval *v = tv_obj(r->a);
	/* A guide's answer keeps its "Read more" sources editable (issue 5). */
	bool cite = web_role(r, ROLE_GUIDE) && a.by.role >= ROLE_GUIDE;
	tv_bool(v, "can_cite", cite);
	if (r->method != M_POST) {
		tv_str(v, "body", a.body_md);
		if (cite) {
			post_source *old;
			int no = source_list(c, r->a, "answer", a.id, &old);
			tv_str(v, "sources", no > 0 ? source_format(r->a, old, no) : "");
		}
		edit_form(r, "Edit your answer", r->path, back, false, v, &e, 200);
		return;
	}
	if (r->csrf_failed) {
		const char *why;
		web_csrf_check(r, &why);
		ferr(&e, NULL, why);
	}
	const char *body = web_text(r, &e, "body", "Your answer", ABODY_MIN, ABODY_MAX);
	const char *note = web_text(r, &e, "note", "The note", 0, 200);
	tv_str(v, "body", body);
	tv_str(v, "note", note);
	post_source *src = NULL;
	int nsrc = -1;
	if (cite) {
		const char *st = web_text(r, &e, "sources", "The sources", 0, 12000);
		tv_str(v, "sources", st);
		const char *why = NULL;
		nsrc = source_parse(r->a, st, &src, &why);
		if (nsrc < 0)
			ferr(&e, "sources", why);
	}
	if (e.n) {
		edit_form(r, "Edit your answer", r->path, back, false, v, &e, r->csrf_failed ? 403 : 422);
		return;
	}
	post_verdict verdict;
	int st = safety_check_edit(r, c, &e, "answer", NULL, body, &verdict);
	if (st) {
		edit_form(r, "Edit your answer", r->path, back, false, v, &e, st);
		return;
	}
	int rc = answer_edit_sources(c, r->a, a.id, web_user(r)->id, body, note, src, nsrc);
	if (rc < 0) {
		ferr(&e, NULL, "Your changes could not be saved just now. They are kept below: please try again.");
		edit_form(r, "Edit your answer", r->path, back, false, v, &e, 503);
		return;
	}
	safety_log_edit(r, c, "answer", a.id, a.by.user_id, note);
	const char *to = safety_after_edit(r, c, "answer", a.id, &verdict, back,
	                                   web_question_url(r, q.topic_slug, q.id, q.slug));
	if (!to)
		web_flash(r, "edited");
	web_redirect(r, to ? to : back);
}

static void history(req *r, const char *type, int64_t id, const char *title, const char *back)
{
	dbc *c = web_db(r);
	if (!c)
		return;
	revision *revs;
	int n = revision_list(c, r->a, type, id, &revs);
	if (n < 0) {
		web_db_error(r, n);
		return;
	}
	tval *ctx = web_ctx(r);
	tv_str(ctx, "post_title", title);
	tv_str(ctx, "back_url", back);
	tv_bool(ctx, "noindex", true);
	tval *list = tv_childlist(ctx, "revisions");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(list);
		web_time(r, o, "when", revs[i].created_at);
		tv_str(o, "editor", revs[i].editor_name);
		tv_str(o, "note", revs[i].note);
		tv_str(o, "title", revs[i].title);
		tv_str(o, "body", revs[i].body_md);
	}
	web_page(r, 200, "history", ctx, "Edit history");
}

void page_question_history(req *r)
{
	dbc *c = web_db(r);
	question q;
	if (!c || !load_question(r, c, &q, false))
		return;
	history(r, "question", q.id, q.title, web_question_url(r, q.topic_slug, q.id, q.slug));
}

void page_answer_history(req *r)
{
	dbc *c = web_db(r);
	question q;
	answer a;
	if (!c || !load_question(r, c, &q, false) || !web_load_answer(r, c, &q, &a))
		return;
	history(r, "answer", a.id, arena_printf(r->a, "an answer to “%s”", q.title),
	        arena_printf(r->a, "%s#answer-%lld", web_question_url(r, q.topic_slug, q.id, q.slug),
	                     (long long)a.id));
}
