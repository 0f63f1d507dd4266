/* test_accounts.c: the account and session promises of issue 9, each tried as an attacker
 * would: login throttling per account and per address (counted in the database, so a second
 * node and a restart see it; a success clears the account's count; an unknown name is
 * throttled exactly like a real one), a role change ends the account's sessions, "log out
 * everywhere", reset and verification links that expire, and no account enumeration through
 * the login and reset answers. */
#include <dirent.h>
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
#include <sqlite3.h>

#include "captcha_answer.h"
#include "harness.h"

enum { FAILS_ACCOUNT = 3, FAILS_ADDRESS = 12, WINDOW = 900 };

static srv S;

static int setup(void **state)
{
	char extra[200];
	snprintf(extra, sizeof extra, "--login-fails-account=%d --login-fails-address=%d --mail-poll=1",
	         FAILS_ACCOUNT, FAILS_ADDRESS);
	if (srv_start(&S, extra) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* Runs one statement on the server's database (SQLite file or PostgreSQL through psql). */
static int sql(const char *stmt)
{
	if (harness_pg()) {
		char cmd[2000];
		snprintf(cmd, sizeof cmd, "psql -q -X -v ON_ERROR_STOP=1 '%s' -c \"%s\" >/dev/null", S.db, stmt);
		return system(cmd) == 0 ? 0 : -1;
	}
	sqlite3 *h;
	if (sqlite3_open(S.db, &h) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(h, 5000);
	int rc = sqlite3_exec(h, stmt, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

/* One login attempt from a fresh page (a new CSRF token each time). */
static resp *try_login(client *c, const char *login, const char *password)
{
	resp *r = http_get(c, "/login");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "login", login, "password", password, NULL);
	r = http_post(c, "/login", body);
	free(tok);
	free(body);
	return r;
}

/* The <main> of a page with the typed name cut out, for comparing two answers. */
static char *main_without(const resp *r, const char *typed)
{
	const char *m = strstr(r->body, "<main");
	char *out = strdup(m ? m : r->body);
	for (char *p; (p = strstr(out, typed));)
		memmove(p, p + strlen(typed), strlen(p + strlen(typed)) + 1);
	/* The CSRF token differs per page. */
	char *t = strstr(out, "name=\"csrf\" value=\"");
	if (t) {
		t += strlen("name=\"csrf\" value=\"");
		char *e = strchr(t, '"');
		if (e)
			memmove(t, e, strlen(e) + 1);
	}
	return out;
}

static bool signed_in(client *c)
{
	return http_get(c, "/account")->status == 200;
}

/* Fixed windows of 15 minutes: do not start a sequence that would straddle one. */
static void fresh_window(void)
{
	long left = WINDOW - (long)(time(NULL) % WINDOW);
	if (left < 90)
		sleep((unsigned)left + 1);
}

static void test_login_throttling(void **state)
{
	fresh_window();
	client *c = client_new(&S);
	/* A success clears the account's count: two misses, a success, then three more misses
	 * are all just "wrong password". */
	for (int i = 0; i < 2; i++)
		assert_int_equal(try_login(c, "tom_h", "not-the-password")->status, 401);
	assert_int_equal(try_login(c, "tom_h", "demo-password-1")->status, 303);
	client_free(c);
	c = client_new(&S);
	for (int i = 0; i < FAILS_ACCOUNT; i++)
		assert_int_equal(try_login(c, "tom_h", "not-the-password")->status, 401);
	/* Over the limit: refused before the password is checked, so even the right one fails. */
	resp *r = try_login(c, "zoe_m", "wrong-guess-0");
	assert_int_equal(r->status, 401);
	for (int i = 1; i < FAILS_ACCOUNT; i++)
		assert_int_equal(try_login(c, "zoe_m", "wrong-guess")->status, 401);
	r = try_login(c, "zoe_m", "wrong-guess");
	assert_int_equal(r->status, 429);
	char *ra = header_of(r, "Retry-After");
	assert_non_null(ra);
	long secs = strtol(ra, NULL, 10);
	assert_true(secs >= 1 && secs <= WINDOW);
	free(ra);
	assert_true(has(r, "Too many unsuccessful sign-ins"));
	char *known = main_without(r, "zoe_m");
	r = try_login(c, "zoe_m", "demo-password-1");
	assert_int_equal(r->status, 429);
	assert_false(signed_in(c));
	/* The email address is the same account: no way around the count. */
	assert_int_equal(try_login(c, "zoe@example.org", "demo-password-1")->status, 429);
	/* An unknown name is counted and refused the same way, with the same page. */
	for (int i = 0; i < FAILS_ACCOUNT; i++)
		assert_int_equal(try_login(c, "nobody_by_this_name", "wrong-guess")->status, 401);
	r = try_login(c, "nobody_by_this_name", "wrong-guess");
	assert_int_equal(r->status, 429);
	char *unknown = main_without(r, "nobody_by_this_name");
	assert_string_equal(known, unknown);
	free(known);
	free(unknown);
	/* Counted in the database: a second node of the same site refuses too. */
	srv node2;
	char extra[200];
	snprintf(extra, sizeof extra, "--login-fails-account=%d --login-fails-address=%d", FAILS_ACCOUNT,
	         FAILS_ADDRESS);
	assert_int_equal(srv_start_db(&node2, S.db, &S, extra), 0);
	client *c2 = client_new(&node2);
	assert_int_equal(try_login(c2, "zoe_m", "demo-password-1")->status, 429);
	client_free(c2);
	assert_int_equal(srv_stop(&node2), 0);
	/* Per address: failures from one address add up over every account (9 so far: 2 + 3
	 * for tom_h, 3 for zoe_m, 3 for the unknown name, minus none for refusals). At the
	 * address limit even a correct password of an untouched account is refused. */
	int so_far = 2 + FAILS_ACCOUNT + FAILS_ACCOUNT + FAILS_ACCOUNT;
	for (int i = so_far; i < FAILS_ADDRESS; i++)
		assert_int_equal(try_login(c, i % 2 ? "lina_p" : "greg_w", "wrong-guess")->status, 401);
	r = try_login(c, "aisha_k", "demo-password-1");
	assert_int_equal(r->status, 429);
	assert_non_null(strstr(r->headers, "Retry-After"));
	assert_false(signed_in(c));
	/* Once the counters are gone (the window passed), the right password works again. */
	assert_int_equal(sql("DELETE FROM rate_counts WHERE bucket LIKE 'login-%'"), 0);
	assert_int_equal(try_login(c, "zoe_m", "demo-password-1")->status, 303);
	assert_true(signed_in(c));
	client_free(c);
}

/* The session cookie value the last response set (caller frees), or NULL. */
static char *sid_of(const resp *r)
{
	const char *p = strstr(r->headers, "cc_sid=");
	return p ? strndup(p + 7, strcspn(p + 7, ";\r\n")) : NULL;
}

static long get_with_sid(const char *sid, const char *path)
{
	client *o = client_new(&S);
	char hdr[200];
	snprintf(hdr, sizeof hdr, "Cookie: cc_sid=%s", sid);
	const char *const h[] = {hdr, NULL};
	long st = http_request(o, "GET", path, NULL, NULL, 0, h)->status;
	client_free(o);
	return st;
}

static long admin_set_role(client *admin, const char *who, const char *role)
{
	resp *r = http_get(admin, "/admin/users");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "action", "role", "role", role, NULL);
	char path[100];
	snprintf(path, sizeof path, "/admin/users/%s", who);
	long st = http_post(admin, path, body)->status;
	free(tok);
	free(body);
	return st;
}

static void test_role_change_ends_sessions(void **state)
{
	client *admin = client_new(&S);
	assert_int_equal(login_as(admin, "admin", "demo-password-1"), 0);
	client *g = client_new(&S);
	resp *r = try_login(g, "greg_w", "demo-password-1");
	assert_int_equal(r->status, 303);
	char *before = sid_of(r);
	assert_non_null(before);
	assert_int_equal(get_with_sid(before, "/account"), 200);
	assert_int_equal(get_with_sid(before, "/guides/queue"), 403);
	/* Promotion: the session from before no longer works; a new login gets the new powers
	 * under a new token. */
	assert_int_equal(admin_set_role(admin, "greg_w", "guide"), 303);
	assert_int_not_equal(get_with_sid(before, "/account"), 200);
	r = try_login(g, "greg_w", "demo-password-1");
	assert_int_equal(r->status, 303);
	char *after = sid_of(r);
	assert_non_null(after);
	assert_string_not_equal(before, after);
	assert_int_equal(get_with_sid(after, "/guides/queue"), 200);
	/* Saving the same role again changes nothing and ends nothing. */
	assert_int_equal(admin_set_role(admin, "greg_w", "guide"), 303);
	assert_int_equal(get_with_sid(after, "/account"), 200);
	/* Demotion ends it too. */
	assert_int_equal(admin_set_role(admin, "greg_w", "member"), 303);
	assert_int_not_equal(get_with_sid(after, "/account"), 200);
	assert_int_equal(login_as(g, "greg_w", "demo-password-1"), 0);
	assert_int_equal(http_get(g, "/guides/queue")->status, 403);
	/* The admin's own session was not touched. */
	assert_int_equal(http_get(admin, "/admin/users")->status, 200);
	free(before);
	free(after);
	client_free(g);
	client_free(admin);
}

static void test_logout_everywhere(void **state)
{
	client *phone = client_new(&S), *laptop = client_new(&S);
	assert_int_equal(login_as(phone, "bernard", "demo-password-1"), 0);
	assert_int_equal(login_as(laptop, "bernard", "demo-password-1"), 0);
	client *other = client_new(&S);
	assert_int_equal(login_as(other, "lina_p", "demo-password-1"), 0);
	resp *r = http_get(laptop, "/account");
	assert_int_equal(r->status, 200);
	assert_true(has(r, "value=\"logout_all\""));
	/* Without a valid CSRF token nothing ends. */
	char *body = form("action", "logout_all", NULL);
	assert_int_equal(http_post(laptop, "/account", body)->status, 403);
	free(body);
	assert_true(signed_in(phone));
	char *tok = csrf_of(r);
	body = form("csrf", tok, "action", "logout_all", NULL);
	r = http_post(laptop, "/account", body);
	free(body);
	free(tok);
	assert_int_equal(r->status, 303);
	assert_false(signed_in(laptop));
	assert_false(signed_in(phone));
	/* Another member's session is not touched. */
	assert_true(signed_in(other));
	client_free(phone);
	client_free(laptop);
	client_free(other);
}

/* The newest .eml in the server's mail folder that contains needle, as text (caller frees). */
static char *newest_mail(const char *needle)
{
	char dir[400];
	snprintf(dir, sizeof dir, "%s/mail", S.dir);
	for (int tries = 0; tries < 200; tries++) {
		DIR *d = opendir(dir);
		char *best = NULL, *best_name = NULL;
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			char path[800];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			FILE *f = fopen(path, "rb");
			if (!f)
				continue;
			char *text = calloc(1, 1 << 20);
			size_t n = fread(text, 1, (1 << 20) - 1, f);
			fclose(f);
			text[n] = 0;
			if (strstr(text, needle) && (!best_name || strcmp(e->d_name, best_name) > 0)) {
				free(best);
				free(best_name);
				best = text;
				best_name = strdup(e->d_name);
			} else {
				free(text);
			}
		}
		if (d)
			closedir(d);
		free(best_name);
		if (best)
			return best;
		usleep(100000);
	}
	return NULL;
}

/* The first "/prefix/TOKEN" path in a message (tokens are 43 base64url characters). */
static char *token_path(const char *text, const char *prefix)
{
	for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
		const char *t = p + strlen(prefix);
		size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
		if (n == 43)
			return strndup(p, strlen(prefix) + n);
	}
	return NULL;
}

static resp *reset_request(client *c, const char *email)
{
	resp *r = http_get(c, "/reset");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "email", email, NULL);
	r = post_solving(c, &S, r, "/reset", body);
	free(tok);
	free(body);
	return r;
}

static void test_reset_link_expires(void **state)
{
	client *c = client_new(&S);
	/* Known and unknown addresses get the same answer. */
	resp *r = reset_request(c, "nobody-here@example.org");
	assert_int_equal(r->status, 200);
	char *unknown = main_without(r, "nobody-here@example.org");
	r = reset_request(c, "greg@example.org");
	assert_int_equal(r->status, 200);
	char *known = main_without(r, "greg@example.org");
	assert_string_equal(known, unknown);
	free(known);
	free(unknown);
	char *m = newest_mail("greg@example.org");
	assert_non_null(m);
	char *link = token_path(m, "/reset/");
	free(m);
	assert_non_null(link);
	assert_int_equal(http_get(c, link)->status, 200);
	/* An hour later the link is dead, even unused. */
	assert_int_equal(sql("UPDATE account_tokens SET expires_at = 1 WHERE purpose = 'reset' AND used_at IS NULL"), 0);
	assert_int_equal(http_get(c, link)->status, 410);
	resp *p = http_get(c, "/reset");
	char *tok = csrf_of(p);
	char *body = form("csrf", tok, "password", "an-expired-attempt-1", NULL);
	assert_int_equal(http_post(c, link, body)->status, 410);
	free(body);
	free(tok);
	client *n = client_new(&S);
	assert_int_equal(login_as(n, "greg_w", "demo-password-1"), 0);
	client_free(n);
	free(link);
	/* A verification link expires the same way (and its single use is in test_mail.c). */
	client *v = client_new(&S);
	assert_int_equal(login_as(v, "greg_w", "demo-password-1"), 0);
	r = http_get(v, "/account");
	tok = csrf_of(r);
	body = form("csrf", tok, NULL);
	assert_int_equal(http_post(v, "/account/verify", body)->status, 303);
	free(body);
	free(tok);
	m = newest_mail("/verify/");
	assert_non_null(m);
	link = token_path(m, "/verify/");
	free(m);
	assert_non_null(link);
	assert_int_equal(sql("UPDATE account_tokens SET expires_at = 1 WHERE purpose = 'verify' AND used_at IS NULL"), 0);
	assert_int_equal(http_get(v, link)->status, 410);
	free(link);
	client_free(v);
	client_free(c);
}

/* The current-password check of /account shares the login counter of the account. */
static void test_password_change_throttled(void **state)
{
	fresh_window();
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "jose_rn", "demo-password-1"), 0);
	long st = 0;
	for (int i = 0; i <= FAILS_ACCOUNT; i++) {
		resp *r = http_get(c, "/account");
		char *tok = csrf_of(r);
		char *body = form("csrf", tok, "action", "password", "current_password", "a-wrong-guess", "new_password",
		                  "a-new-long-password", NULL);
		st = http_post(c, "/account", body)->status;
		free(tok);
		free(body);
		if (i < FAILS_ACCOUNT)
			assert_int_equal(st, 422);
	}
	assert_int_equal(st, 429);
	/* Now even the right current password is refused, and the password stays as it was. */
	resp *r = http_get(c, "/account");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "action", "password", "current_password", "demo-password-1", "new_password",
	                  "a-new-long-password", NULL);
	assert_int_equal(http_post(c, "/account", body)->status, 429);
	free(tok);
	free(body);
	assert_int_equal(sql("DELETE FROM rate_counts WHERE bucket LIKE 'login-%'"), 0);
	client *n = client_new(&S);
	assert_int_equal(login_as(n, "jose_rn", "demo-password-1"), 0);
	client_free(n);
	client_free(c);
}

/* Deleting the account asks for the password again, counted like a sign-in: a borrowed
 * session cannot guess it there either, and the account stays. */
static void test_account_delete_throttled(void **state)
{
	fresh_window();
	client *c = client_new(&S);
	assert_int_equal(login_as(c, "tom_h", "demo-password-1"), 0);
	long st = 0;
	for (int i = 0; i <= FAILS_ACCOUNT; i++) {
		char *tok = csrf_of(http_get(c, "/account/delete"));
		char *body = form("csrf", tok, "posts", "anonymous", "password", "a-wrong-guess", NULL);
		st = http_post(c, "/account/delete", body)->status;
		free(tok);
		free(body);
		if (i < FAILS_ACCOUNT)
			assert_int_equal(st, 422);
	}
	assert_int_equal(st, 429);
	char *tok = csrf_of(http_get(c, "/account/delete"));
	char *body = form("csrf", tok, "posts", "anonymous", "password", "demo-password-1", NULL);
	resp *r = http_post(c, "/account/delete", body);
	assert_int_equal(r->status, 429);
	char *ra = header_of(r, "Retry-After");
	assert_non_null(ra);
	free(ra);
	free(tok);
	free(body);
	assert_int_equal(http_get(c, "/account")->status, 200); /* still signed in, still there */
	assert_int_equal(sql("DELETE FROM rate_counts WHERE bucket LIKE 'login-%'"), 0);
	client_free(c);
}

/* The sign-up form does not tell whether an address has an account: a new address and a
 * member's address get the same answer; the mail says the rest, to the address's owner. */
static void test_signup_does_not_tell(void **state)
{
	client *a = client_new(&S), *b = client_new(&S);
	resp *r = http_get(a, "/register");
	char *tok = csrf_of(r);
	char *body = form("csrf", tok, "username", "newcomer_ann", "email", "ann.new@example.org", "password",
	                  "a-long-new-password", "display_name", "Ann", NULL);
	r = post_solving(a, &S, r, "/register", body);
	long st_new = r->status;
	char *page_new = strdup(r->body);
	free(body);
	free(tok);
	r = http_get(b, "/register");
	tok = csrf_of(r);
	body = form("csrf", tok, "username", "newcomer_bob", "email", "Helen@Example.org", "password",
	            "a-long-new-password", "display_name", "Ann", NULL);
	r = post_solving(b, &S, r, "/register", body);
	free(body);
	free(tok);
	assert_int_equal(st_new, 200);
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(page_new, "Check your email"));
	assert_true(has(r, "Check your email"));
	assert_null(strstr(r->body, "already"));
	assert_null(strstr(r->body, "taken"));
	/* The pages differ only in the address they repeat back. */
	char *p1 = strstr(page_new, "We sent a message to"), *p2 = strstr(r->body, "We sent a message to");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_int_equal(strlen(page_new) - strlen("ann.new@example.org"), r->len - strlen("Helen@Example.org"));
	free(page_new);
	/* Helen hears of it (and no account or link is made); Ann gets her link. */
	char *login = srv_mail_link(&S, "helen@example.org", "/login");
	assert_non_null(login);
	free(login);
	char *join = srv_mail_link(&S, "helen@example.org", "/join/");
	assert_null(join);
	join = srv_mail_link(&S, "ann.new@example.org", "/join/");
	assert_non_null(join);
	assert_int_equal(http_post(a, join, "")->status, 303);
	assert_int_equal(http_get(a, "/account")->status, 200);
	free(join);
	client_free(a);
	client_free(b);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* An unknown name costs an argon2id check too (against a dummy hash), so the answer does not
 * come back measurably sooner than for a real account with a wrong password. Without the
 * dummy check it would be about a tenth of the time. Medians of interleaved tries, and a
 * generous bound, so a busy machine does not make it flaky. */
static void test_unknown_user_takes_as_long(void **state)
{
	static const char *const known[] = {"admin", "priya", "helen_writes", "aisha_k", "bernard"};
	enum { N = 5 };
	double tk[N], tu[N];
	client *c = client_new(&S);
	try_login(c, "warm_up_name", "wrong-guess"); /* the dummy hash is made on first use */
	for (int i = 0; i < N; i++) {
		char name[40];
		snprintf(name, sizeof name, "no_such_member_%d", i);
		double t0 = now_ms();
		assert_int_equal(try_login(c, known[i], "wrong-guess")->status, 401);
		double t1 = now_ms();
		assert_int_equal(try_login(c, name, "wrong-guess")->status, 401);
		double t2 = now_ms();
		tk[i] = t1 - t0;
		tu[i] = t2 - t1;
	}
	qsort(tk, N, sizeof *tk, cmp_double);
	qsort(tu, N, sizeof *tu, cmp_double);
	fprintf(stderr, "login median: known %.1f ms, unknown %.1f ms\n", tk[N / 2], tu[N / 2]);
	assert_true(tu[N / 2] * 2.5 > tk[N / 2]);
	assert_int_equal(sql("DELETE FROM rate_counts WHERE bucket LIKE 'login-%'"), 0);
	client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_throttling),
		cmocka_unit_test(test_role_change_ends_sessions),
		cmocka_unit_test(test_logout_everywhere),
		cmocka_unit_test(test_reset_link_expires),
		cmocka_unit_test(test_password_change_throttled),
		cmocka_unit_test(test_account_delete_throttled),
		cmocka_unit_test(test_signup_does_not_tell),
		cmocka_unit_test(test_unknown_user_takes_as_long),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
