/* test_privacy.c: issue 9 item 3. A guest's address is stored nowhere in readable form (the
 * whole SQLite file, or every column of every PostgreSQL table, is searched for it) and stored
 * hashes are cleared after the retention; members-only questions show guests a teaser only,
 * also through the guest page cache, feeds, sitemap, search and the API; a member exports
 * everything about them and deletes their account with either choice for their posts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gd.h>
#include <jansson.h>

#include "captcha_answer.h"
#include "harness.h"
#include "core/arena.h"
#include "db/db.h"

/* A documentation address (RFC 5737) sent through X-Forwarded-For from a trusted proxy. */
#define GUEST_IP "203.0.113.77"
static srv S;

static int setup(void **state)
{
	if (srv_start(&S, "--trusted-proxies 127.0.0.1") != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* ---- direct database access (both engines, through the project's own db layer) ---- */

static db *D;

static dbc *conn(void)
{
	if (!D) {
		char err[256];
		D = db_open(S.db, "NORMAL", err, sizeof err);
		if (!D)
			fail_msg("db_open: %s", err);
	}
	return db_conn(D);
}

/* Statements are cached per connection by the address of their dbq, so each distinct SQL
 * text gets its own lasting dbq here. */
static const dbq *stmt(const char *sql)
{
	static dbq pool[64];
	static int n;
	for (int i = 0; i < n; i++)
		if (strcmp(pool[i].sql, sql) == 0)
			return &pool[i];
	assert_true(n < 64);
	pool[n].sql = strdup(sql);
	return &pool[n++];
}

static int64_t scalar(const char *sql, const char *arg)
{
	const dbq *q = stmt(sql);
	int rc;
	int64_t v = arg ? db_scalar(conn(), q, DBP(dbs(arg)), -1, &rc) : db_scalar(conn(), q, DBNOP, -1, &rc);
	assert_true(rc >= 0);
	return v;
}

static void exec1(const char *sql)
{
	assert_true(db_exec(conn(), stmt(sql), DBNOP) >= 0);
}

static long id_after(const char *s, const char *marker)
{
	const char *p = s ? strstr(s, marker) : NULL;
	return p ? strtol(p + strlen(marker), NULL, 10) : -1;
}

/* Asks in type-2-diabetes; extra_k/extra_v is one more form field (may be NULL). */
static long ask(client *c, const char *title, const char *text, const char *extra_k, const char *extra_v)
{
	resp *r = http_get(c, "/type-2-diabetes/ask");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "title", title, "body", text, "action", "post", extra_k, extra_v, NULL);
	r = post_solving(c, &S, r, "/type-2-diabetes/ask", body);
	free(body);
	free(tok);
	if (r->status != 303)
		fprintf(stderr, "ask: %ld %s\n", r->status, r->body);
	assert_int_equal(r->status, 303);
	return id_after(r->location, "/questions/");
}

static long answer(client *c, long qid, const char *text)
{
	char page[96], path[128];
	snprintf(page, sizeof page, "/type-2-diabetes/questions/%ld", qid);
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/answers", qid);
	resp *r = http_get(c, page);
	if (r->status == 301)
		r = http_follow(c, r);
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "body", text, NULL);
	r = post_solving(c, &S, r, path, body);
	free(body);
	free(tok);
	assert_int_equal(r->status, 303);
	return id_after(r->location, "#answer-");
}

static resp *get_q(client *c, long qid)
{
	char page[96];
	snprintf(page, sizeof page, "/type-2-diabetes/questions/%ld", qid);
	resp *r = http_get(c, page);
	if (r->status == 301)
		r = http_follow(c, r);
	return r;
}

/* ---- 1. addresses ---- */

static bool file_has(const char *path, const void *needle, size_t n)
{
	size_t got;
	char *p = slurp_file(path, &got);
	if (!p)
		return false;
	bool found = got >= n && memmem(p, got, needle, n) != NULL;
	free(p);
	return found;
}

/* True when any stored form of the address is anywhere in the database. */
static bool db_has_address(void)
{
	static const char *const forms[] = {GUEST_IP, "203.0.113", "77.113.0.203", "3405803853", "cb00714d",
	                                    "CB00714D"};
	static const unsigned char packed[] = {203, 0, 113, 77};
	if (harness_pg()) {
		/* Every column of every table, as text. */
		for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
			char like[64];
			snprintf(like, sizeof like, "%%%s%%", forms[i]);
			int64_t n = scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
			                   "AND table_type = 'BASE TABLE' AND query_to_xml(format('SELECT * FROM %I', "
			                   "table_name), false, false, '')::text LIKE $1",
			                   like);
			if (n != 0)
				return true;
		}
		return false;
	}
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", S.db);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
		if (file_has(S.db, forms[i], strlen(forms[i])) || file_has(wal, forms[i], strlen(forms[i])))
			return true;
	return file_has(S.db, packed, sizeof packed) || file_has(wal, packed, sizeof packed);
}

static void test_guest_address_never_stored(void **state)
{
	client *g = client_new(&S);
	client_header(g, "X-Forwarded-For: " GUEST_IP);
	/* A guest asks, reports a post and rates one: each keeps a keyed address hash. */
	long qid = ask(g, "Privacy test: can I test my sugar less often?",
	               "My nurse says twice a day is enough but I am not sure about that.", "guest_name", "Pat");
	assert_true(qid > 0);
	char path[128];
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/flag", qid);
	resp *r = http_get(g, path);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "reason", "other", "note", "testing the report form", NULL);
	r = http_post(g, path, f);
	assert_int_equal(r->status, 303);
	free(f);
	free(tok);
	r = get_q(g, qid);
	tok = csrf_of(r);
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/rate", qid);
	f = form("csrf", tok, "stars", "4", NULL);
	r = http_post(g, path, f);
	assert_int_equal(r->status, 303);
	free(f);
	free(tok);

	/* The hashes are there... */
	assert_true(scalar("SELECT count(*) FROM rate_counts WHERE client LIKE 'ip:%'", NULL) > 0);
	assert_true(scalar("SELECT count(*) FROM flags WHERE client LIKE 'ip:%'", NULL) > 0);
	assert_true(scalar("SELECT count(*) FROM ratings WHERE addr_hash IS NOT NULL", NULL) > 0);
	assert_int_equal(scalar("SELECT count(*) FROM ip_keys", NULL), 1);
	/* ...the address is not, in any form; nor in the access log. */
	assert_false(db_has_address());
	if (harness_pg()) { /* the catalog scan finds the address when a row does hold it */
		exec1("INSERT INTO settings (key, value) VALUES ('scan-check', 'seen from " GUEST_IP "')");
		assert_true(db_has_address());
		exec1("DELETE FROM settings WHERE key = 'scan-check'");
		assert_false(db_has_address());
	}
	assert_false(file_has(S.log, GUEST_IP, strlen(GUEST_IP)));
	client_free(g);
}

/* Stored hashes older than --ip-retention-days and keys older than yesterday are purged by the
 * maintenance thread (at start and hourly). */
static void test_retention_purge(void **state)
{
	int64_t old = (int64_t)time(NULL) - 40 * 86400;
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO ip_keys (day, key, created_at) VALUES (%lld, 'aa', %lld)",
	         (long long)(old / 86400), (long long)old);
	exec1(sql);
	snprintf(sql, sizeof sql,
	         "INSERT INTO rate_counts (bucket, client, window_start, n) VALUES ('post-ip', 'ip:old', %lld, 1)",
	         (long long)old);
	exec1(sql);
	snprintf(sql, sizeof sql, "UPDATE flags SET created_at = %lld WHERE client LIKE 'ip:%%'", (long long)old);
	exec1(sql);
	snprintf(sql, sizeof sql, "UPDATE ratings SET day = %lld WHERE addr_hash IS NOT NULL", (long long)(old / 86400));
	exec1(sql);
	/* A second node on the same database starts: its maintenance purges at once. */
	srv n2;
	assert_int_equal(srv_start_db(&n2, S.db, &S, "--ip-retention-days 30"), 0);
	char old_key[128];
	snprintf(old_key, sizeof old_key, "SELECT count(*) FROM ip_keys WHERE day = %lld", (long long)(old / 86400));
	int64_t left = 1;
	for (int i = 0; i < 100 && left; i++) {
		usleep(100 * 1000);
		left = scalar(old_key, NULL) +
		       scalar("SELECT count(*) FROM rate_counts WHERE client = 'ip:old'", NULL) +
		       scalar("SELECT count(*) FROM flags WHERE client LIKE 'ip:%'", NULL) +
		       scalar("SELECT count(*) FROM ratings WHERE addr_hash IS NOT NULL", NULL);
	}
	assert_int_equal(left, 0);
	/* Today's key stays: both nodes hash an address the same way today. */
	assert_int_equal(scalar("SELECT count(*) FROM ip_keys", NULL), 1);
	assert_int_equal(srv_stop(&n2), 0);
}

/* ---- 2. members-only questions ---- */

#define SECRET_BODY                                                                                   \
	"I want to describe this slowly so the members who read it understand what is going on with "   \
	"my feet and my sugar levels over the last two months, because it has been a confusing time "  \
	"for me and my family. The hidden part: PLUMBAGOSECRET shows up only for members."
#define SECRET_ANSWER "An answer with MARZIPANSECRET that only members may read."

static void assert_teaser(const resp *r)
{
	assert_int_equal(r->status, 200);
	assert_true(has(r, "Log in or register to read this question"));
	assert_true(has(r, "<meta name=\"robots\" content=\"noindex\">"));
	assert_true(has(r, "I want to describe this slowly"));
	assert_false(has(r, "PLUMBAGOSECRET"));
	assert_false(has(r, "MARZIPANSECRET"));
}

static void test_members_only(void **state)
{
	client *zoe = client_new(&S), *tom = client_new(&S), *g = client_new(&S);
	assert_int_equal(login_as(zoe, "zoe_m", "demo-password-1"), 0);
	assert_int_equal(login_as(tom, "tom_h", "demo-password-1"), 0);
	long q1 = ask(zoe, "Members only: numb feet and high sugar readings", SECRET_BODY, "members_only", "1");
	long q2 = ask(zoe, "Members only: second question about my numb toes", SECRET_BODY " Two.", "members_only", "1");
	answer(tom, q1, SECRET_ANSWER);

	/* Member first, then guests (twice: the second is a cache hit). */
	resp *r = get_q(tom, q1);
	char *f;
	assert_true(has(r, "PLUMBAGOSECRET"));
	assert_true(has(r, "MARZIPANSECRET"));
	assert_false(has(r, "content=\"noindex\""));
	assert_teaser(get_q(g, q1));
	assert_teaser(get_q(g, q1));
	/* Guest first, then a member, then a guest again. */
	assert_teaser(get_q(g, q2));
	r = get_q(zoe, q2);
	assert_true(has(r, "PLUMBAGOSECRET"));
	assert_teaser(get_q(g, q2));

	/* Nothing more through other doors. */
	char path[160];
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/history", q1);
	assert_int_equal(http_get(g, path)->status, 403);
	r = http_get(g, "/feeds/all.atom");
	assert_int_equal(r->status, 200);
	assert_false(has(r, "Members only: numb feet"));
	r = http_get(g, "/feeds/type-2-diabetes.atom");
	assert_false(has(r, "Members only: numb feet"));
	/* Lists show the stored excerpt, which is teaser-sized. */
	assert_false(has(http_get(g, "/type-2-diabetes"), "PLUMBAGOSECRET"));
	assert_false(has(http_get(g, "/"), "PLUMBAGOSECRET"));
	assert_false(has(http_get(g, "/u/zoe_m"), "PLUMBAGOSECRET"));
	r = http_get(g, "/sitemap.xml");
	snprintf(path, sizeof path, "/questions/%ld-", q1);
	assert_false(has(r, path));
	r = http_get(g, "/search?q=PLUMBAGOSECRET");
	assert_false(has(r, "Members only: numb feet"));
	r = http_get(g, "/search?q=MARZIPANSECRET");
	assert_false(has(r, "Members only: numb feet"));
	r = http_get(tom, "/search?q=PLUMBAGOSECRET");
	assert_true(has(r, "Members only: numb feet"));
	snprintf(path, sizeof path, "/api/v1/questions/%ld", q1);
	r = http_get(g, path);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "\"members_only\":true"));
	assert_false(has(r, "PLUMBAGOSECRET"));
	assert_false(has(r, "body_markdown"));
	snprintf(path, sizeof path, "/api/v1/questions/%ld/answers", q1);
	assert_int_equal(http_get(g, path)->status, 403);
	r = http_get(g, "/api/v1/search?q=PLUMBAGOSECRET");
	assert_false(has(r, "numb feet"));
	/* Nor by sending the rating or subscription forms straight to it. */
	char *gtok = csrf_of(http_get(g, "/type-2-diabetes"));
	assert_non_null(gtok);
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/rate", q1);
	f = form("csrf", gtok, "stars", "5", NULL);
	r = http_post(g, path, f);
	free(f);
	assert_int_equal(r->status, 403);
	assert_true(has(r, "for members only"));
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/subscribe", q1);
	f = form("csrf", gtok, "email", "guest-reader@example.org", "terms", "1", NULL);
	r = http_post(g, path, f);
	free(f);
	assert_int_equal(r->status, 403);
	free(gtok);

	/* The author turns it public: guests read it all (and the cache does not keep the teaser). */
	snprintf(path, sizeof path, "/type-2-diabetes/questions/%ld/edit", q1);
	r = http_get(zoe, path);
	assert_true(has(r, "name=\"members_only\" value=\"1\" checked"));
	char *tok = csrf_of(r);
	f = form("csrf", tok, "title", "Members only: numb feet and high sugar readings", "body", SECRET_BODY,
	               "note", "open to all", NULL);
	r = post_solving(zoe, &S, r, path, f);
	assert_int_equal(r->status, 303);
	free(f);
	free(tok);
	r = get_q(g, q1);
	assert_true(has(r, "PLUMBAGOSECRET"));
	assert_true(has(r, "MARZIPANSECRET"));
	client_free(zoe);
	client_free(tom);
	client_free(g);
}

/* ---- an image on a members-only question ---- */

#define MPB "privacyboundary7d1f"

static void mp_add(char **p, size_t *n, const void *d, size_t k)
{
	*p = realloc(*p, *n + k + 1);
	memcpy(*p + *n, d, k);
	*n += k;
}

static void mp_field(char **p, size_t *n, const char *k, const char *v)
{
	char h[256];
	int hl = snprintf(h, sizeof h, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", MPB, k);
	mp_add(p, n, h, (size_t)hl);
	mp_add(p, n, v, strlen(v));
	mp_add(p, n, "\r\n", 2);
}

static void test_members_only_image(void **state)
{
	client *zoe = client_new(&S), *g = client_new(&S);
	assert_int_equal(login_as(zoe, "zoe_m", "demo-password-1"), 0);
	resp *r = http_get(zoe, "/type-2-diabetes/ask");
	char *tok = csrf_of(r), *ct, *ca;
	captcha_solve(&S, r, &ct, &ca);
	gdImagePtr im = gdImageCreateTrueColor(30, 30);
	gdImageFilledRectangle(im, 0, 0, 29, 29, gdTrueColorAlpha(20, 160, 90, 0));
	int pl = 0;
	unsigned char *png = gdImagePngPtr(im, &pl);
	gdImageDestroy(im);
	char *b = NULL;
	size_t n = 0;
	mp_field(&b, &n, "csrf", tok);
	mp_field(&b, &n, "title", "Members only: a photo of my foot sore");
	mp_field(&b, &n, "body", "A photo of the sore on my foot, for members to see and advise on.");
	mp_field(&b, &n, "captcha_token", ct);
	mp_field(&b, &n, "captcha_answer", ca);
	mp_field(&b, &n, "action", "post");
	mp_field(&b, &n, "members_only", "1");
	char h[256];
	int hl = snprintf(h, sizeof h,
	                  "--%s\r\nContent-Disposition: form-data; name=\"image1\"; filename=\"sore.png\"\r\n"
	                  "Content-Type: image/png\r\n\r\n",
	                  MPB);
	mp_add(&b, &n, h, (size_t)hl);
	mp_add(&b, &n, png, (size_t)pl);
	mp_add(&b, &n, "\r\n", 2);
	mp_field(&b, &n, "alt1", "A green square standing in for a photo");
	hl = snprintf(h, sizeof h, "--%s--\r\n", MPB);
	mp_add(&b, &n, h, (size_t)hl);
	gdFree(png);
	r = http_request(zoe, "POST", "/type-2-diabetes/ask", "multipart/form-data; boundary=" MPB, b, n, NULL);
	free(b);
	free(tok);
	free(ct);
	free(ca);
	assert_int_equal(r->status, 303);
	r = http_follow(zoe, r);
	const char *img = strstr(r->body, "<img src=\"/images/");
	assert_non_null(img);
	char *url = strndup(img + 10, strcspn(img + 10, "\""));
	assert_int_equal(http_get(zoe, url)->status, 200);
	r = http_get(g, url);
	assert_int_equal(r->status, 404);
	free(url);
	client_free(zoe);
	client_free(g);
}

/* ---- 3. data rights ---- */

static client *register_member(const char *username, const char *email)
{
	client *c = client_new(&S);
	assert_int_equal(signup(c, &S, username, email, "a long enough password"), 0);
	return c;
}

static void test_export(void **state)
{
	client *c = register_member("exp_member", "exp.member@example.org");
	long qid = ask(c, "Export test: does my whole history come with it?",
	               "This question is mine and should be in my export file with its history.", NULL, NULL);
	answer(c, qid, "My own answer under my own question, for the export.");
	/* An API token: its name and first characters, never the token. */
	resp *r = http_get(c, "/account/tokens");
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "name", "export script", "scope", "read", NULL);
	r = http_post(c, "/account/tokens", f);
	assert_int_equal(r->status, 200);
	const char *code = strstr(r->body, "<code id=\"new-token\">");
	assert_non_null(code);
	char token[128];
	snprintf(token, sizeof token, "%.*s", (int)strcspn(code + 21, "<"), code + 21);
	free(f);
	free(tok);

	r = http_get(c, "/account");
	tok = csrf_of(r);
	assert_true(has(r, "Export everything about me"));
	/* Only a POST with the form's token exports. */
	assert_int_equal(http_post(c, "/account/export", "csrf=forged")->status, 403);
	f = form("csrf", tok, NULL);
	r = http_post(c, "/account/export", f);
	free(f);
	free(tok);
	assert_int_equal(r->status, 200);
	char *cd = header_of(r, "Content-Disposition");
	assert_non_null(cd);
	assert_non_null(strstr(cd, "attachment"));
	free(cd);
	json_error_t err;
	json_t *j = json_loadb(r->body, r->len, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profile"), "username")),
	                    "exp_member");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profile"), "email")),
	                    "exp.member@example.org");
	json_t *qs = json_object_get(j, "questions");
	assert_int_equal(json_array_size(qs), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(qs, 0), "body_markdown")),
	                       "should be in my export"));
	assert_true(json_is_array(json_object_get(json_array_get(qs, 0), "earlier_versions")));
	assert_int_equal(json_array_size(json_object_get(j, "answers")), 1);
	assert_true(json_array_size(json_object_get(j, "sessions")) >= 1);
	json_t *ts = json_object_get(j, "api_tokens");
	assert_int_equal(json_array_size(ts), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ts, 0), "name")), "export script");
	json_decref(j);
	/* No secrets, nobody else's private data. */
	assert_false(has(r, token));
	assert_false(has(r, "$argon2id"));
	assert_false(has(r, "pass_hash"));
	assert_false(has(r, "token_hash"));
	int64_t others = 0;
	static const dbq q = {"SELECT email FROM users WHERE username <> 'exp_member'", NULL};
	arena *a = arena_new(0);
	dbrows rows;
	assert_true(db_query(conn(), &q, DBNOP, a, &rows) > 0);
	for (int i = 0; i < rows.n; i++)
		others += has(r, db_text(&rows, i, 0));
	arena_free(a);
	assert_int_equal(others, 0);
	client_free(c);
}

/* Deletes the account of c with choice; returns the response. */
static resp *delete_account(client *c, const char *choice, const char *password)
{
	resp *r = http_get(c, "/account/delete");
	assert_int_equal(r->status, 200);
	char *tok = csrf_of(r);
	char *f = form("csrf", tok, "posts", choice, "password", password, NULL);
	r = http_post(c, "/account/delete", f);
	free(f);
	free(tok);
	return r;
}

static void test_delete_keep_anonymous(void **state)
{
	client *c = register_member("del_anon", "del.anon@example.org");
	long qid = ask(c, "Deletion test: this question stays as Anonymous",
	               "The text of this question stays after the account is deleted.", NULL, NULL);
	/* A wrong password: refused, nothing deleted, the choice kept. */
	resp *r = delete_account(c, "remove", "not my password at all");
	assert_int_equal(r->status, 422);
	assert_true(has(r, "Your password is not right"));
	assert_true(has(r, "value=\"remove\" checked"));
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE username = $1", "del_anon"), 1);
	/* Without a valid form token: refused too. */
	assert_int_equal(http_post(c, "/account/delete", "posts=anonymous&password=a+long+enough+password")->status,
	                 403);
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE username = $1", "del_anon"), 1);

	r = delete_account(c, "anonymous", "a long enough password");
	assert_int_equal(r->status, 303);
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE username = $1", "del_anon"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE email = $1", "del.anon@example.org"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM subscriptions WHERE email = $1", "del.anon@example.org"), 0);
	/* Logged out, and cannot log in again. */
	assert_int_equal(http_get(c, "/account")->status, 303);
	assert_int_not_equal(login_as(c, "del_anon", "a long enough password"), 0);
	/* The question stays, by "Anonymous". */
	client *g = client_new(&S);
	r = get_q(g, qid);
	assert_int_equal(r->status, 200);
	assert_true(has(r, "stays after the account is deleted"));
	assert_true(has(r, "Anonymous"));
	assert_false(has(r, "del_anon"));
	client_free(g);
	client_free(c);
}

static void test_delete_remove_posts(void **state)
{
	client *c = register_member("del_rm", "del.rm@example.org");
	client *tom = client_new(&S), *g = client_new(&S);
	assert_int_equal(login_as(tom, "tom_h", "demo-password-1"), 0);
	long mine = ask(c, "Deletion test: QUINCEWORD question to be removed",
	                "The text of this question goes with the account, QUINCEWORD included.", NULL, NULL);
	answer(tom, mine, "Tom answers the question that will be removed.");
	long toms = ask(tom, "Deletion test: a question by Tom that stays",
	                "Tom asks something; an answer from the deleted member goes away.", NULL, NULL);
	answer(c, toms, "My answer PERSIMMONWORD under Tom's question, to be removed.");
	/* Guests have the pages cached before the deletion. */
	assert_int_equal(get_q(g, mine)->status, 200);
	assert_true(has(get_q(g, toms), "PERSIMMONWORD"));
	assert_true(has(http_get(g, "/search?q=QUINCEWORD"), "to be removed"));
	char count_sql[] = "SELECT answer_count FROM questions WHERE title = $1";
	assert_int_equal(scalar(count_sql, "Deletion test: a question by Tom that stays"), 1);

	resp *r = delete_account(c, "remove", "a long enough password");
	assert_int_equal(r->status, 303);
	/* Gone from pages (through the cache), search, and the database; counts kept right. */
	assert_int_equal(get_q(g, mine)->status, 404);
	r = get_q(g, toms);
	assert_int_equal(r->status, 200);
	assert_false(has(r, "PERSIMMONWORD"));
	assert_false(has(http_get(g, "/search?q=QUINCEWORD"), "to be removed"));
	assert_false(has(http_get(g, "/search?q=PERSIMMONWORD"), "Tom that stays"));
	assert_int_equal(scalar(count_sql, "Deletion test: a question by Tom that stays"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM questions WHERE body_md LIKE $1", "%QUINCEWORD%"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM answers WHERE body_md LIKE $1", "%PERSIMMONWORD%"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM answers WHERE body_md LIKE $1", "%that will be removed%"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE username = $1", "del_rm"), 0);
	client_free(c);
	client_free(tom);
	client_free(g);
}

/* The only admin cannot delete their account (the site would have nobody to run it). */
static void test_last_admin_stays(void **state)
{
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "admin", "demo-password-1"), 0);
	resp *r = delete_account(c, "anonymous", "demo-password-1");
	assert_int_equal(r->status, 422);
	assert_true(has(r, "You are the only admin"));
	assert_int_equal(scalar("SELECT count(*) FROM users WHERE username = $1", "admin"), 1);
	client_free(c);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_address_never_stored),
		cmocka_unit_test(test_retention_purge),
		cmocka_unit_test(test_members_only),
		cmocka_unit_test(test_members_only_image),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_delete_keep_anonymous),
		cmocka_unit_test(test_delete_remove_posts),
		cmocka_unit_test(test_last_admin_stays),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	if (D)
		db_close(D);
	return rc;
}
