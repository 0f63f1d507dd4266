/* test_edge.c: the HTTP edge under hostile clients, over raw sockets: malformed requests get
 * 400, oversized headers 431 (or 400), too many form fields 400, slow clients are cut off by
 * --conn-timeout, the connection limit holds, the server stays healthy after all of it, and a
 * stop (SIGTERM) finishes a post that is still arriving.
 * Engine-independent: the PostgreSQL run skips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static srv S;
enum { TIMEOUT_S = 2, MAXCONN = 16 };

static int setup(void **state)
{
	if (harness_pg())
		return 0;
	char extra[128];
	snprintf(extra, sizeof extra, "--conn-timeout=%d --max-connections=%d --threads=2", TIMEOUT_S, MAXCONN);
	return srv_start(&S, extra);
}

static int teardown(void **state)
{
	if (harness_pg())
		return 0;
	return srv_stop(&S) == 0 ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)S.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* the server may close early; the status line tells */
		p += w;
		n -= (size_t)w;
	}
}

/* Sends raw bytes on a new connection and returns the status code of the answer (0 when the
 * server closed without one, -1 on a timeout). */
static int raw_status(const char *req, size_t n)
{
	int fd = dial();
	assert_true(fd >= 0);
	send_all(fd, req, n);
	char buf[512];
	ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
	close(fd);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	buf[r] = 0;
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	return status;
}

static int raw(const char *req)
{
	return raw_status(req, strlen(req));
}

static void assert_healthy(void)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/healthz");
	assert_int_equal(r->status, 200);
	r = http_get(c, "/");
	assert_int_equal(r->status, 200);
	client_free(c);
}

static void test_malformed_requests_get_400(void **state)
{
	if (harness_pg())
		skip();
	/* A request line without a target: libmicrohttpd closes the connection without a reply. */
	int st0 = raw("GARBAGE\r\n\r\n");
	assert_true(st0 == 400 || st0 == 0);
	st0 = raw("GET\r\n\r\n");
	assert_true(st0 == 400 || st0 == 0);
	static const char *const bad[] = {
		"GET / FOO\r\n\r\n",
		"GET /\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nthis header has no colon\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n", /* HTTP/1.1 without Host */
		"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",     /* bad length */
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int st = raw(bad[i]);
		if (st != 400 && st != 505)
			fprintf(stderr, "request %zu answered %d:\n%s\n", i, st, bad[i]);
		assert_true(st == 400 || st == 505);
	}
	/* A well-formed request on a raw socket works, so the checks above are not vacuous. */
	assert_int_equal(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200);
	assert_healthy();
}

static void test_huge_headers_refused(void **state)
{
	if (harness_pg())
		skip();
	/* One header larger than 64 KiB. */
	size_t big = 70 * 1024;
	char *req = malloc(big + 256);
	int n = snprintf(req, 256, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 5);
	int st = raw_status(req, strlen(req));
	assert_true(st == 431 || st == 400 || st == 414);
	/* Many small headers adding up to more than 64 KiB. */
	size_t off = (size_t)snprintf(req, 256, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; off + 40 < big; i++)
		off += (size_t)snprintf(req + off, 40, "X-H%d: %d\r\n", i, i);
	memcpy(req + off, "\r\n", 3);
	st = raw_status(req, strlen(req));
	assert_true(st == 431 || st == 400);
	/* More than 100 headers, small enough to fit in memory: refused by count. */
	off = (size_t)snprintf(req, 256, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 150; i++)
		off += (size_t)snprintf(req + off, 40, "X-H%d: %d\r\n", i, i);
	memcpy(req + off, "\r\n", 3);
	assert_int_equal(raw_status(req, strlen(req)), 431);
	/* A very long request line. */
	memcpy(req, "GET /", 5);
	memset(req + 5, 'p', big);
	memcpy(req + 5 + big, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
	st = raw_status(req, strlen(req));
	assert_true(st == 414 || st == 431 || st == 400);
	free(req);
	assert_healthy();
}

static void test_too_many_form_fields(void **state)
{
	if (harness_pg())
		skip();
	client *c = client_new(&S);
	size_t cap = 64 * 1024, off = 0;
	char *body = malloc(cap);
	for (int i = 0; i < 300; i++)
		off += (size_t)snprintf(body + off, cap - off, "%sf%d=%d", i ? "&" : "", i, i);
	resp *r = http_post(c, "/login", body);
	assert_int_equal(r->status, 400);
	assert_true(has(r, "The form data could not be read"));
	/* Too many multipart parts too. */
	off = 0;
	for (int i = 0; i < 260; i++)
		off += (size_t)snprintf(body + off, cap - off,
		                        "--BB\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
	off += (size_t)snprintf(body + off, cap - off, "--BB--\r\n");
	r = http_request(c, "POST", "/login", "multipart/form-data; boundary=BB", body, off, NULL);
	assert_int_equal(r->status, 400);
	/* A multipart body that does not parse. */
	r = http_request(c, "POST", "/login", "multipart/form-data; boundary=BB", "no parts here", 13, NULL);
	assert_int_equal(r->status, 400);
	free(body);
	/* A body over the limit is refused before it is read. */
	assert_int_equal(raw("POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	                     "Content-Length: 999999999\r\n\r\n"),
	                 413);
	client_free(c);
	assert_healthy();
}

/* Waits until the server closes fd; returns the seconds it took (or 99 past max_s). */
static double closed_after(int fd, double t0, double max_s)
{
	char b[4096];
	while (now_s() - t0 < max_s) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 200) > 0) {
			ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
				return now_s() - t0;
		}
	}
	return 99;
}

static void test_slow_clients_time_out(void **state)
{
	if (harness_pg())
		skip();
	/* Slowloris: headers that never end, one byte now and then but slower than the timeout. */
	int fd = dial();
	assert_true(fd >= 0);
	double t0 = now_s();
	send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n", 25);
	double t = closed_after(fd, t0, TIMEOUT_S + 5);
	close(fd);
	assert_true(t <= TIMEOUT_S + 3);
	/* A body that never arrives. */
	fd = dial();
	t0 = now_s();
	const char *h = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	                "Content-Length: 1000\r\n\r\nusername=";
	send_all(fd, h, strlen(h));
	t = closed_after(fd, t0, TIMEOUT_S + 5);
	close(fd);
	assert_true(t <= TIMEOUT_S + 3);
	/* An idle keep-alive connection after a request. */
	fd = dial();
	t0 = now_s();
	send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 34);
	t = closed_after(fd, t0, TIMEOUT_S + 5);
	close(fd);
	assert_true(t <= TIMEOUT_S + 3);
	assert_healthy();
}

/* Sockets the server process holds (the listener plus its connections). */
static int server_sockets(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "ls -l /proc/%d/fd 2>/dev/null | grep -c 'socket:'", (int)S.pid);
	char *out = harness_sh(cmd);
	int n = out ? (int)strtol(out, NULL, 10) : -1;
	free(out);
	return n;
}

static void test_connection_limit_holds(void **state)
{
	if (harness_pg())
		skip();
	/* Many more idle connections than the limit, each having sent a few bytes. */
	enum { N = MAXCONN * 3 };
	int fds[N];
	for (int i = 0; i < N; i++) {
		fds[i] = dial();
		assert_true(fds[i] >= 0);
		send_all(fds[i], "GET", 3);
	}
	struct timespec ts = {0, 500 * 1000000L};
	nanosleep(&ts, NULL);
	/* The server holds no more than its limit (plus its listening socket); the rest wait in
	 * the kernel's queue or are closed, costing the server nothing. */
	int held = server_sockets();
	assert_true(held > 0);
	assert_true(held <= MAXCONN + 2);
	/* The idle ones are cut off by the timeout, the queued ones get their turn and are cut off
	 * too, and then the site answers again. */
	double t0 = now_s();
	for (int i = 0; i < N; i++) {
		assert_true(closed_after(fds[i], t0, 4 * TIMEOUT_S + 6) <= 4 * TIMEOUT_S + 5);
		close(fds[i]);
	}
	assert_healthy();
	int left = server_sockets();
	for (int i = 0; i < 50 && left > 2; i++) {
		nanosleep(&ts, NULL);
		left = server_sockets();
	}
	assert_true(left <= 2); /* the listener, and perhaps one connection closing */
}

/* ---- graceful stop ---- */

/* Sends req on a new connection (Connection: close) and returns everything the server
 * answered (caller frees). */
static char *exchange(const char *req)
{
	int fd = dial();
	assert_true(fd >= 0);
	send_all(fd, req, strlen(req));
	size_t n = 0, cap = 65536;
	char *out = malloc(cap + 1);
	ssize_t r;
	while ((r = recv(fd, out + n, cap - n, 0)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			out = realloc(out, cap + 1);
		}
	}
	close(fd);
	out[n] = 0;
	return out;
}

/* A copy of the text after `after` in s up to the next `until` (NULL when absent). */
static char *between(const char *s, const char *after, const char *until)
{
	const char *p = strstr(s, after);
	if (!p)
		return NULL;
	p += strlen(after);
	const char *e = strstr(p, until);
	return e ? strndup(p, (size_t)(e - p)) : NULL;
}

/* SIGTERM while a post is half sent: the server turns new requests away (503) but finishes the
 * post (its body arrives after the signal), answers it, exits 0, and the answer is there. */
static void test_stop_finishes_a_post_in_flight(void **state)
{
	(void)state;
	if (harness_pg())
		skip();
	assert_int_equal(srv_demo(&S), 0);
	char req[4096];
	char *page = exchange("GET /login HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	char *csrf = between(page, "name=\"csrf\" value=\"", "\"");
	assert_non_null(csrf);
	char body[512];
	snprintf(body, sizeof body, "csrf=%s&login=helen_writes&password=demo-password-1", csrf);
	snprintf(req, sizeof req,
	         "POST /login HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
	         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
	         strlen(body), body);
	free(page);
	free(csrf);
	page = exchange(req);
	char *sid = between(page, "cc_sid=", ";");
	assert_non_null(sid);
	free(page);
	page = exchange("GET /hemifacial-spasm HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	char *qpath = between(page, "href=\"/hemifacial-spasm/questions/", "\"");
	assert_non_null(qpath);
	free(page);
	snprintf(req, sizeof req, "GET /hemifacial-spasm/questions/%s HTTP/1.1\r\nHost: t\r\nCookie: cc_sid=%s\r\n"
	         "Connection: close\r\n\r\n", qpath, sid);
	page = exchange(req);
	csrf = between(page, "name=\"csrf\" value=\"", "\"");
	assert_non_null(csrf);
	free(page);
	char id[32];
	snprintf(id, sizeof id, "%ld", strtol(qpath, NULL, 10));

	const char *text = "Answer written while the server was asked to stop: it must still be saved.";
	snprintf(body, sizeof body, "csrf=%s&body=%s", csrf, text);
	for (char *p = body; *p; p++)
		if (*p == ' ')
			*p = '+';
	snprintf(req, sizeof req,
	         "POST /hemifacial-spasm/questions/%s/answers HTTP/1.1\r\nHost: t\r\nCookie: cc_sid=%s\r\n"
	         "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	         "Content-Length: %zu\r\n\r\n",
	         id, sid, strlen(body));
	int fd = dial();
	assert_true(fd >= 0);
	send_all(fd, req, strlen(req));
	size_t half = strlen(body) / 2;
	send_all(fd, body, half);
	struct timespec pause = {0, 300 * 1000000L};
	nanosleep(&pause, NULL);
	assert_int_equal(kill(S.pid, SIGTERM), 0);
	nanosleep(&pause, NULL);
	/* While it finishes, a new request is turned away at once, with a page and a time to retry. */
	page = exchange("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	assert_non_null(page);
	assert_non_null(strstr(page, "HTTP/1.1 503"));
	assert_non_null(strstr(page, "Retry-After: 5"));
	assert_non_null(strstr(page, "The site is restarting"));
	free(page);
	send_all(fd, body + half, strlen(body) - half);
	char got[512];
	ssize_t r = recv(fd, got, sizeof got - 1, 0);
	close(fd);
	assert_true(r > 0);
	got[r] = 0;
	int status = 0;
	assert_int_equal(sscanf(got, "HTTP/1.%*d %d", &status), 1);
	assert_int_equal(status, 303);
	/* It exits by itself, cleanly (and sanitizer-clean), without a second signal. */
	int st = -1;
	for (int i = 0; i < 300 && waitpid(S.pid, &st, WNOHANG) != S.pid; i++)
		nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	S.pid = 0; /* the teardown only removes its folder */
	assert_true(dial() < 0); /* nobody listens any more */

	/* The same database, started again: the answer is there. */
	srv again;
	assert_int_equal(srv_start_db(&again, S.db, &S, "--threads=2"), 0);
	int port = S.port;
	S.port = again.port; /* for dial() */
	snprintf(req, sizeof req, "GET /hemifacial-spasm/questions/%s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	         qpath);
	page = exchange(req);
	assert_non_null(strstr(page, "Answer written while the server was asked to stop"));
	free(page);
	assert_int_equal(srv_stop(&again), 0);
	S.port = port;
	free(qpath);
	free(csrf);
	free(sid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_requests_get_400),
		cmocka_unit_test(test_huge_headers_refused),
		cmocka_unit_test(test_too_many_form_fields),
		cmocka_unit_test(test_slow_clients_time_out),
		cmocka_unit_test(test_connection_limit_holds),
		cmocka_unit_test(test_stop_finishes_a_post_in_flight), /* last: it restarts the server */
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
