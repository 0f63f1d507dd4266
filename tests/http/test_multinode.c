/* test_multinode.c: two `serve` processes on one PostgreSQL database behind a real nginx
 * load balancer (round-robin): a member's flow lands on both nodes and still works. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "captcha_answer.h"
#include "harness.h"

static srv A, B, LB; /* LB only carries the nginx address and folder */
static pid_t nginx_pid;

static int count_requests(const srv *s)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "grep -c 'msg=request' '%s'", s->log);
	char *out = harness_sh(cmd);
	int n = out ? atoi(out) : 0;
	free(out);
	return n;
}

static int setup(void **state)
{
	if (srv_start(&A, "--trusted-proxies=127.0.0.1") != 0 || srv_demo(&A) != 0)
		return -1;
	if (srv_start_db(&B, A.db, &A, "--trusted-proxies=127.0.0.1") != 0)
		return -1;
	/* nginx in front of both, round-robin. */
	if ((size_t)snprintf(LB.dir, sizeof LB.dir, "%.200s/nginx", A.dir) >= sizeof LB.dir)
		return -1;
	mkdir(LB.dir, 0755);
	char conf[400];
	snprintf(conf, sizeof conf, "%s/nginx.conf", LB.dir);
	int port = 0;
	char *p = harness_sh("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'");
	if (p)
		port = atoi(p);
	free(p);
	LB.port = port;
	snprintf(LB.base, sizeof LB.base, "http://127.0.0.1:%d", port);
	FILE *f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
	        "worker_processes 1;\ndaemon off;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
	        "events { worker_connections 256; }\n"
	        "http {\n access_log %s/access.log;\n client_body_temp_path %s/body;\n"
	        " proxy_temp_path %s/proxy;\n fastcgi_temp_path %s/fcgi;\n uwsgi_temp_path %s/uwsgi;\n"
	        " scgi_temp_path %s/scgi;\n client_max_body_size 2m;\n client_body_buffer_size 2m;\n"
	        " upstream carecircle { server 127.0.0.1:%d; server 127.0.0.1:%d; }\n"
	        " server {\n  listen 127.0.0.1:%d;\n  location / {\n   proxy_pass http://carecircle;\n"
	        "   proxy_http_version 1.1;\n   proxy_set_header Connection \"\";\n"
	        "   proxy_set_header Host $host;\n"
	        "   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
	        "   proxy_set_header X-Forwarded-Proto $scheme;\n  }\n }\n}\n",
	        LB.dir, LB.dir, LB.dir, LB.dir, LB.dir, LB.dir, LB.dir, LB.dir, A.port, B.port, port);
	fclose(f);
	char log[400];
	snprintf(log, sizeof log, "%s/nginx.out", LB.dir);
	char *argv[] = {"/usr/sbin/nginx", "-c", conf, "-p", LB.dir, NULL};
	nginx_pid = harness_spawn(argv, log);
	/* Wait for nginx to answer through to a node. */
	snprintf(LB.log, sizeof LB.log, "%s/unused.log", LB.dir);
	client *c = client_new(&LB);
	for (int i = 0; i < 100; i++) {
		resp *r = http_get(c, "/healthz");
		if (r->status == 200)
			break;
		usleep(100 * 1000);
	}
	client_free(c);
	return 0;
}

static int teardown(void **state)
{
	harness_reap(nginx_pid);
	int rb = srv_stop(&B);
	int ra = srv_stop(&A);
	return ra == 0 && rb == 0 ? 0 : -1;
}

static void test_flow_across_nodes(void **state)
{
	int a0 = count_requests(&A), b0 = count_requests(&B);
	client *c = client_new(&LB);
	/* Login: the form comes from one node and is posted to the other. */
	assert_int_equal(login_as(c, "zoe_m", "demo-password-1"), 0);
	/* The session, kept in the database, is seen by both nodes. */
	for (int i = 0; i < 4; i++) {
		resp *r = http_get(c, "/account");
		assert_int_equal(r->status, 200);
		assert_true(has(r, "Your account"));
	}
	/* Ask on one node, read on both. */
	resp *r = http_get(c, "/migraine/ask");
	char *tok = csrf_of(r);
	char *ct1, *ca1;
	captcha_solve(&A, r, &ct1, &ca1);
	char *body = form("csrf", tok, "captcha_token", ct1, "captcha_answer", ca1, "title", "Do migraine apps help anyone track triggers?", "body",
	                  "I keep forgetting what I ate before an attack. Does a diary help?", "action", "post", NULL);
	free(ct1);
	free(ca1);
	r = http_post(c, "/migraine/ask", body);
	assert_int_equal(r->status, 303);
	char *url = strdup(r->location);
	for (int i = 0; i < 4; i++) {
		r = http_get(c, url);
		assert_int_equal(r->status, 200);
		assert_true(has(r, "Do migraine apps help anyone track triggers?"));
	}
	/* An answer posted through the balancer shows on both nodes directly. */
	char apath[200];
	snprintf(apath, sizeof apath, "/migraine/questions/%ld/answers",
	         strtol(strstr(url, "/questions/") + 11, NULL, 10));
	free(tok);
	tok = csrf_of(r);
	free(body);
	char *ct2, *ca2;
	captcha_solve(&A, r, &ct2, &ca2);
	body = form("csrf", tok, "captcha_token", ct2, "captcha_answer", ca2, "body", "A paper diary worked for me.", NULL);
	free(ct2);
	free(ca2);
	r = http_post(c, apath, body);
	assert_int_equal(r->status, 303);
	client *da = client_new(&A), *db = client_new(&B);
	assert_true(has(http_get(da, url), "A paper diary worked for me."));
	assert_true(has(http_get(db, url), "A paper diary worked for me."));
	client_free(da);
	client_free(db);
	/* A guest's cached page on node B drops within a poll interval of a post through node A. */
	client *gb = client_new(&B), *ga = client_new(&A);
	http_get(gb, "/migraine");
	resp *cached = http_get(gb, "/migraine");
	char *xc = header_of(cached, "X-Cache");
	assert_non_null(xc);
	assert_string_equal(xc, "hit");
	free(xc);
	r = http_get(ga, "/migraine/ask");
	char *gtok = csrf_of(r);
	char *ct3, *ca3;
	captcha_solve(&A, r, &ct3, &ca3);
	char *gbody = form("csrf", gtok, "captcha_token", ct3, "captcha_answer", ca3, "title", "Guest on node A: does node B see this soon?", "body",
	                   "Node B cached its topic page before this question existed.", "action", "post", NULL);
	free(ct3);
	free(ca3);
	r = http_post(ga, "/migraine/ask", gbody);
	assert_int_equal(r->status, 303);
	bool seen = false;
	for (int i = 0; i < 40 && !seen; i++) {
		seen = has(http_get(gb, "/migraine"), "Guest on node A: does node B see this soon?");
		if (!seen)
			usleep(100 * 1000);
	}
	assert_true(seen);
	free(gtok);
	free(gbody);
	client_free(gb);
	client_free(ga);
	/* Both nodes served part of the flow. */
	assert_true(count_requests(&A) - a0 >= 3);
	assert_true(count_requests(&B) - b0 >= 3);
	free(tok);
	free(body);
	free(url);
	client_free(c);
}

int main(void)
{
	if (!harness_pg()) {
		fprintf(stderr, "skipped: the multi-node test runs on PostgreSQL only\n");
		return 77;
	}
	harness_require_engine();
	if (access("/usr/sbin/nginx", X_OK) != 0) {
		fprintf(stderr, "nginx is missing (scripts/deps.sh test installs nginx-light)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_across_nodes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
