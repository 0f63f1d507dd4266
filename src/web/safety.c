/* safety.c: CAPTCHA, honeypot, fill time, rate limits, spam, personal details and crisis
 * language for the posting forms; the CAPTCHA image, the urgent-help page and reading watch. */
#include "web/safety.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"
#include "core/util.h"
#include "model/moderation.h"
#include "safety/captcha.h"
#include "safety/ipkey.h"
#include "safety/limits.h"
#include "safety/scan.h"

enum { LINKS_MAX_NEW = 2, HOUR = 3600 };

const char *safety_client(req *r)
{
	const char *ip = r->client_ip ? r->client_ip : "";
	return arena_printf(r->a, "ip:%s",
	                    ipkey_hash(r->a, db_conn(APP(r)->db), "client-ip", ip, util_now(), 16));
}

/* Counts at most $2 of each: on every page a member opens, so it must not read a prolific
 * member's whole history. */
static const dbq q_published = {
	"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM questions WHERE user_id = $1 AND status = 'published' "
	"LIMIT $2) q) + (SELECT COUNT(*) FROM (SELECT 1 FROM answers WHERE user_id = $1 AND "
	"status = 'published' LIMIT $2) a)",
	NULL};

/* Members who have been here a while and posted without trouble are trusted. */
static bool trusted(req *r, dbc *c)
{
	user *u = web_user(r);
	if (!u)
		return false;
	if (u->role >= ROLE_GUIDE)
		return true;
	config *cfg = APP(r)->cfg;
	if (util_now() - u->created_at < (int64_t)cfg->trust_days * 86400)
		return false;
	if (u->trusted) /* a form asks twice: for the CAPTCHA and for the post */
		return u->trusted > 0;
	int rc;
	int64_t n = db_scalar(c, &q_published, DBP(dbi(u->id), dbi(cfg->trust_posts)), 0, &rc);
	u->trusted = rc >= 0 && n >= cfg->trust_posts ? 1 : -1;
	return u->trusted > 0;
}

bool safety_needs_captcha(req *r, dbc *c)
{
	return !trusted(r, c);
}

void safety_form(req *r, dbc *c, tval *ctx, const char *page_url)
{
	if (!safety_needs_captcha(r, c))
		return;
	const unsigned char *key = APP(r)->key;
	int64_t now = util_now();
	char *tok = captcha_token(r->a, key, now);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t exp;
	captcha_parse(key, tok, now, nonce, &exp);
	int ans;
	tval *o = tv_child(ctx, "captcha");
	tv_str(o, "token", tok);
	tv_str(o, "img_url", arena_printf(r->a, "/captcha/%s.png", tok));
	tv_str(o, "question", captcha_question(r->a, key, nonce, &ans));
	tv_str(o, "new_url", page_url);
}

/* Seconds since the form's CSRF token was made, i.e. since the form was shown; -1 unknown. */
static int64_t form_age(req *r)
{
	const char *tok = kv_get(&r->form, "csrf");
	unsigned char raw[32];
	if (!tok || util_b64url_decode(tok, strlen(tok), raw, sizeof raw) != 24)
		return -1;
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = (ts << 8) | raw[i];
	return util_now() - (int64_t)ts;
}

void safety_check_form(req *r, dbc *c, ferrs *e)
{
	const char *hp = kv_get(&r->form, "website");
	if (hp && *hp) {
		log_info("msg=\"honeypot filled\" route=%s", r->route);
		ferr(e, NULL, "This form could not be accepted as it was sent. Please check it and send it again.");
		return;
	}
	int64_t age = form_age(r);
	int min = APP(r)->cfg->min_fill_seconds;
	if (!r->csrf_failed && age >= 0 && age < min) {
		ferr(e, NULL, "That was sent very quickly after the form opened, as automated spam does. "
		              "Your text is kept below: please check it and send it again.");
		return;
	}
	if (!safety_needs_captcha(r, c))
		return;
	const char *tok = kv_get(&r->form, "captcha_token");
	const char *given = kv_get(&r->form, "captcha_answer");
	switch (captcha_verify(c, r->a, APP(r)->key, tok, given, util_now())) {
	case CAPTCHA_OK: return;
	case CAPTCHA_MISSING:
		ferr(e, "captcha_answer", "Enter the characters shown in the image, or answer the question below it.");
		break;
	case CAPTCHA_WRONG:
		ferr(e, "captcha_answer", "The characters did not match the image. Here is a new image: please try again.");
		break;
	case CAPTCHA_USED:
		ferr(e, "captcha_answer", "That image was already used once. Here is a new one: please enter its characters.");
		break;
	case CAPTCHA_EXPIRED:
		ferr(e, "captcha_answer", "The image expired while the form was open. Here is a new one.");
		break;
	case CAPTCHA_FORGED:
		ferr(e, "captcha_answer", "The image check could not be read. Here is a new image: please try again.");
		break;
	case CAPTCHA_DBFAIL:
		/* The nonce could not be recorded (database read-only, full or busy). A right answer
		 * goes on to the write, which fails the same way and says so with the text kept. */
		if (captcha_answer_ok(APP(r)->key, tok, given, util_now()))
			return;
		ferr(e, "captcha_answer", "The characters did not match the image. Here is a new image: please try again.");
		break;
	}
}

/* ---- posts ---- */

static const dbq q_repeats = {"SELECT COUNT(*) FROM body_hashes WHERE hash = $1 AND created_at > $2", NULL};
static const dbq q_hash_add = {"INSERT INTO body_hashes (hash, created_at) VALUES ($1, $2)", NULL};
static const dbq q_hash_purge = {"DELETE FROM body_hashes WHERE created_at < $1", NULL};

enum { REPEAT_WINDOW = 7 * 86400, REPEAT_MIN_LEN = 40 };

/* A keyed hash of a body with case, spacing and punctuation ignored. */
static const char *body_hash(req *r, const char *body)
{
	const char *n = scan_normalise(r->a, body);
	return util_mac_hex(r->a, APP(r)->key, "body", n, strlen(n), 16);
}

/* Hourly, from serve's maintenance thread: a post's own write stays one small insert. */
int safety_purge_hashes(dbc *c, int64_t now)
{
	return db_exec(c, &q_hash_purge, DBP(dbi(now - REPEAT_WINDOW)));
}

static int check_post(req *r, dbc *c, ferrs *e, const char *kind, int64_t question_id,
                      const char *title, const char *body, post_verdict *v, bool edit)
{
	config *cfg = APP(r)->cfg;
	user *u = web_user(r);
	int64_t now = util_now();
	*v = (post_verdict){.kind = kind, .status = "published", .reason = ""};
	if (edit && web_role(r, ROLE_MODERATOR))
		return 0; /* moderators' edits are logged instead */
	if (question_id && safety_locked(c, question_id)) {
		ferr(e, NULL, "Moderators have locked this question: it takes no new answers.");
		return 403;
	}
	const char *full = arena_printf(r->a, "%s\n%s", title ? title : "", body);
	bool is_trusted = trusted(r, c);
	/* Links: guests and new members may add only a few. */
	int links = scan_links(full);
	if (!is_trusted && links > LINKS_MAX_NEW) {
		ferr(e, "body", arena_printf(r->a, "Guests and new members can include at most %d links (this has %d). "
		                                   "Please remove some: your text is kept below.",
		                             LINKS_MAX_NEW, links));
		return 422;
	}
	/* Personal details: ask once, then respect the poster's choice. */
	int pii = pii_scan(full);
	if (pii && !kv_get(&r->form, "pii_ok")) {
		ferr(e, "pii_ok",
		     arena_printf(r->a, "Your post seems to contain %s. Posts here are public and read by strangers "
		                        "for years: please remove it, or tick the box to post it as it is.",
		                  pii_describe(r->a, pii)));
		return 422;
	}
	/* Rate limits: per address for guests, per account for members (staff are not limited).
	 * The count so far decides at once; the post's own count is written with the post. */
	if (!edit && !web_role(r, ROLE_MODERATOR)) {
		const char *client = u ? arena_printf(r->a, "u:%lld", (long long)u->id) : safety_client(r);
		const char *bucket = u ? "post-user" : "post-ip";
		int limit = u ? cfg->rate_member_posts : cfg->rate_guest_posts;
		int64_t n = limit_peek(c, bucket, client, HOUR, now);
		v->over_msg = arena_printf(r->a, "You have posted %d times in the last hour, which is as many as this "
		                                 "site allows. Your text is kept below: please send it again in %lld "
		                                 "minutes.",
		                           limit, (long long)((HOUR - now % HOUR) / 60 + 1));
		v->retry_after = (int)(HOUR - now % HOUR);
		if (n < 0) {
			ferr(e, NULL, "Your post could not be checked just now. Your text is kept below: please try again.");
			return 503;
		}
		if (n + 1 > limit) {
			ferr(e, NULL, v->over_msg);
			return 429;
		}
		limit_hit_with(&v->writes, bucket, client, HOUR, now, limit);
	}
	/* Spam score. */
	int rc;
	int64_t repeats = 0;
	if (!edit && strlen(body) >= REPEAT_MIN_LEN) {
		const char *h = body_hash(r, body);
		repeats = db_scalar(c, &q_repeats, DBP(dbs(h), dbi(now - REPEAT_WINDOW)), 0, &rc);
		db_batch_add(&v->writes, &q_hash_add, DBP(dbs(h), dbi(now)), 0);
	}
	spam_result s;
	spam_score(r->a, full, wordlist_get(cfg->safety_dir, "blocked_words"),
	           wordlist_get(cfg->safety_dir, "blocked_domains"), (int)repeats, &s);
	v->score = s.score;
	if (!web_role(r, ROLE_GUIDE) && s.score >= cfg->spam_hold_score) {
		v->status = "held";
		v->reason = arena_printf(r->a, "spam score %d: %s", s.score, s.why);
	} else if (!u && cfg->hold_first_guest_posts) {
		v->status = "held";
		v->first_post = true;
		v->reason = "guest post (guest posts wait for review)";
	}
	/* Crisis language: published as usual, but the poster sees help and moderators see it first.
	 * Guides and staff write about emergencies to help others: they are not stopped for it. */
	const char *hit = web_role(r, ROLE_GUIDE) ? NULL
	                  : scan_find(wordlist_get(cfg->safety_dir, "crisis"), scan_normalise(r->a, full));
	if (hit) {
		v->crisis = true;
		v->reason = arena_printf(r->a, "%scrisis language (\"%.*s\")", *v->reason ? "; " : "",
		                         (int)strlen(hit) - 2, hit + 1);
		if (strcmp(v->status, "held") == 0)
			v->reason = arena_printf(r->a, "spam score %d: %s; crisis language", s.score, s.why);
	}
	return 0;
}

static const char *safety_route(req *r, const char *kind, const post_verdict *v, const char *post_url,
                                const char *held_url);

int safety_check_post(req *r, dbc *c, ferrs *e, const char *kind, int64_t question_id,
                      const char *title, const char *body, post_verdict *v)
{
	return check_post(r, c, e, kind, question_id, title, body, v, false);
}

int safety_check_edit(req *r, dbc *c, ferrs *e, const char *kind, const char *title, const char *body,
                      post_verdict *v)
{
	return check_post(r, c, e, kind, 0, title, body, v, true);
}

const char *safety_after_edit(req *r, dbc *c, const char *kind, int64_t id, const post_verdict *v,
                              const char *post_url, const char *held_url)
{
	if (strcmp(v->status, "held") == 0) {
		mod_note n = {.reason = arena_printf(r->a, "after an edit: %s", v->reason), .crisis = v->crisis,
		              .spam_score = v->score};
		if (mod_hold(c, r->a, kind, id, &n) < 0)
			log_warn("msg=\"edited post not held\" type=%s id=%lld", kind, (long long)id);
	} else if (v->crisis) {
		mod_note n = {.reason = v->reason, .crisis = true, .spam_score = v->score};
		mod_note_post(c, kind, id, &n, true);
	}
	return safety_route(r, kind, v, post_url, held_url);
}

int safety_note_tx(dbc *c, void *verdict, int64_t id)
{
	const post_verdict *v = verdict;
	bool held = strcmp(v->status, "held") == 0;
	if (!held && !v->crisis && v->score <= 0)
		return 0;
	mod_note n = {.reason = v->reason, .crisis = v->crisis, .spam_score = v->score, .first_post = v->first_post};
	return mod_note_post(c, v->kind, id, &n, held || v->crisis);
}

const char *safety_after_post(req *r, const char *kind, const post_verdict *v, const char *post_url,
                              const char *held_url)
{
	return safety_route(r, kind, v, post_url, held_url);
}

static const char *safety_route(req *r, const char *kind, const post_verdict *v, const char *post_url,
                                const char *held_url)
{
	bool held = strcmp(v->status, "held") == 0;
	const char *to = NULL;
	if (held) {
		web_flash(r, "held");
		to = held_url;
	}
	if (v->crisis) {
		if (!held)
			web_flash(r, strcmp(kind, "question") == 0 ? "question" : "answer");
		to = safety_help_url(r, held ? held_url : post_url);
	}
	return to;
}

const char *safety_help_url(req *r, const char *next)
{
	if (!next)
		return "/help/urgent";
	buf b;
	buf_init(&b, r->a, 128, 4096);
	buf_puts(&b, "/help/urgent?next=");
	buf_urlenc(&b, next, strlen(next));
	return b.p;
}

int safety_check_register(req *r, dbc *c, ferrs *e)
{
	int64_t now = util_now();
	int64_t n = limit_hit(c, "register-ip", safety_client(r), HOUR, now);
	if (n >= 0 && n > APP(r)->cfg->rate_registrations) {
		ferr(e, NULL, "Many accounts were made from your network in the last hour. Please try again later: "
		              "what you typed is kept below.");
		return 429;
	}
	return 0;
}

/* ---- reading watch: in memory per node (cheap on every page view), reported in the log ---- */

enum { WATCH_SLOTS = 2048 };
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char client[48];
	int64_t minute;
	int n;
	bool reported;
} watch[WATCH_SLOTS];

/* Counts a read for key; returns the count this minute and whether to report it now. */
static int watch_count(const char *key, int64_t minute, int limit, bool *report)
{
	uint32_t h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	int n = 0;
	*report = false;
	pthread_mutex_lock(&watch_lock);
	size_t s = h % WATCH_SLOTS;
	if (strcmp(watch[s].client, key) != 0 || watch[s].minute != minute) {
		snprintf(watch[s].client, sizeof watch[s].client, "%s", key);
		watch[s].minute = minute;
		watch[s].n = 0;
		watch[s].reported = false;
	}
	n = ++watch[s].n;
	if (n > limit && !watch[s].reported) {
		watch[s].reported = true;
		*report = true;
	}
	pthread_mutex_unlock(&watch_lock);
	return n;
}

bool safety_watch_read(req *r)
{
	int limit = APP(r)->cfg->rate_reads;
	if (limit <= 0 || web_role(r, ROLE_MODERATOR))
		return true;
	int64_t now = util_now();
	user *u = web_user(r);
	const char *key = u ? arena_printf(r->a, "u:%lld", (long long)u->id) : safety_client(r);
	bool report;
	int n = watch_count(key, now / 60, limit, &report);
	if (n <= limit)
		return true;
	if (report) {
		log_warn("msg=\"bulk reading slowed\" client=%s reads=%d", key, n);
		dbc *c = db_conn(APP(r)->db);
		if (c)
			mod_log_add(c, 0, MOD_SCRAPE, NULL, 0, u ? u->id : 0,
			            u ? arena_printf(r->a, "account %s read more than %d post pages in a minute; slowed down",
			                             u->username, limit)
			              : arena_printf(r->a, "a guest address read more than %d post pages in a minute; "
			                                   "slowed down",
			                             limit));
	}
	res_header(r, "Retry-After", "60");
	web_error(r, 429, "reading_too_fast",
	          "You are opening pages faster than a person reads, so we are slowing down. Please wait a minute "
	          "and try again. If you want a copy of many posts, ask the site team.");
	return false;
}

void safety_log_edit(req *r, dbc *c, const char *kind, int64_t id, int64_t author_id, const char *note)
{
	user *u = web_user(r);
	if (!u || author_id == u->id || u->role < ROLE_MODERATOR)
		return;
	if (mod_log_add(c, u->id, MOD_EDIT, kind, id, author_id, note) < 0)
		log_warn("msg=\"edit not logged\" type=%s id=%lld", kind, (long long)id);
}

bool safety_locked(dbc *c, int64_t question_id)
{
	return mod_is_locked(c, question_id) == 1;
}

/* ---- the CAPTCHA image ---- */

void page_captcha_png(req *r)
{
	const char *p = r->params[0];
	size_t n = strlen(p);
	if (n < 5 || strcmp(p + n - 4, ".png") != 0) {
		web_error_page(r, 404);
		return;
	}
	char *tok = arena_strndup(r->a, p, n - 4);
	unsigned char nonce[CAPTCHA_NONCE];
	int64_t exp;
	if (captcha_parse(APP(r)->key, tok, util_now(), nonce, &exp) != CAPTCHA_OK) {
		web_error(r, 404, "captcha_expired", "This image has expired. Reload the form for a new one.");
		return;
	}
	char ans[CAPTCHA_LEN + 1];
	captcha_answer(APP(r)->key, nonce, ans);
	size_t len = 0;
	unsigned char *png = captcha_png(r->a, ans, &len);
	if (!png) {
		web_error_page(r, 500);
		return;
	}
	r->status = 200;
	r->ctype = "image/png";
	r->no_gzip = true;
	res_header(r, "Cache-Control", "no-store");
	r->out.len = 0;
	buf_add(&r->out, png, len);
}

/* ---- urgent help after a crisis post ---- */

typedef struct resource {
	const char *name, *contact, *when;
} resource;

/* Parses the [locale] section of the resources file (falls back to [default]). */
static int load_resources(req *r, resource *out, int max)
{
	config *cfg = APP(r)->cfg;
	char *text = NULL;
	char path[512];
	if (cfg->safety_dir && *cfg->safety_dir &&
	    snprintf(path, sizeof path, "%s/crisis_resources.txt", cfg->safety_dir) < (int)sizeof path) {
		FILE *f = fopen(path, "rb");
		if (f) {
			buf b;
			buf_init(&b, r->a, 4096, 1 << 20);
			char chunk[4096];
			size_t got;
			while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
				buf_add(&b, chunk, got);
			fclose(f);
			text = b.p;
		}
	}
	if (!text) {
		const struct embedded_file *f = embedded_find("data/safety/crisis_resources.txt");
		text = f ? arena_strdup(r->a, f->data) : "";
	}
	const char *want[2] = {cfg->safety_locale && *cfg->safety_locale ? cfg->safety_locale : "default", "default"};
	for (int pass = 0; pass < 2; pass++) {
		int n = 0;
		bool in = false;
		char *copy = arena_strdup(r->a, text);
		for (char *line = copy; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			size_t l = strlen(line);
			while (l && isspace((unsigned char)line[l - 1]))
				line[--l] = 0;
			if (line[0] == '[') {
				in = l > 2 && line[l - 1] == ']' && strncmp(line + 1, want[pass], l - 2) == 0 &&
				     strlen(want[pass]) == l - 2;
			} else if (in && line[0] && line[0] != '#' && n < max) {
				char *a = line, *b = strchr(a, '|'), *c = b ? strchr(b + 1, '|') : NULL;
				if (b && c) {
					*b = *c = 0;
					size_t x;
					const char *t;
					t = util_trim(a, (x = strlen(a), &x));
					out[n].name = arena_strndup(r->a, t, x);
					t = util_trim(b + 1, (x = strlen(b + 1), &x));
					out[n].contact = arena_strndup(r->a, t, x);
					t = util_trim(c + 1, (x = strlen(c + 1), &x));
					out[n].when = arena_strndup(r->a, t, x);
					n++;
				}
			}
			line = nl ? nl + 1 : NULL;
		}
		if (n > 0)
			return n;
	}
	return 0;
}

void page_help_urgent(req *r)
{
	resource res[16];
	int n = load_resources(r, res, 16);
	tval *ctx = web_ctx(r);
	tv_bool(ctx, "noindex", true);
	tval *list = tv_childlist(ctx, "resources");
	for (int i = 0; i < n; i++) {
		tval *o = tv_push(list);
		tv_str(o, "name", res[i].name);
		tv_str(o, "contact", res[i].contact);
		tv_str(o, "when", res[i].when);
	}
	const char *next = kv_get(&r->query, "next");
	if (next && url_is_local(next))
		tv_str(ctx, "next", next);
	web_page(r, 200, "help_urgent", ctx, "Help is available now");
}
