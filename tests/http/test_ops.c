/* test_ops.c: operations endpoints: /healthz, /metrics in Prometheus text format (counters by
 * route and status, histograms, gauges) and one structured access-log line per request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <regex.h>

#include "harness.h"

static srv S;

static int setup(void **state)
{
	if (srv_start(&S, NULL) != 0)
		return -1;
	return srv_demo(&S) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return srv_stop(&S) == 0 ? 0 : -1;
}

/* The value of the sample line that starts with prefix (name{labels}), or -1. */
static double sample(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, pl) == 0 && p[pl] == ' ')
			return strtod(p + pl + 1, NULL);
	return -1;
}

static void test_healthz(void **state)
{
	client *c = client_new(&S);
	resp *r = http_get(c, "/healthz");
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "ok\n");
	client_free(c);
}

static void test_metrics_format(void **state)
{
	client *c = client_new(&S);
	for (int i = 0; i < 5; i++)
		assert_int_equal(http_get(c, "/")->status, 200);
	assert_int_equal(http_get(c, "/no-such-topic-here")->status, 404);
	assert_int_equal(http_get(c, "/api/v1/topics")->status, 200);
	/* Requests are counted when their response is done: poll until the last one shows. */
	resp *r = NULL;
	for (int i = 0; i < 50; i++) {
		r = http_get(c, "/metrics");
		if (sample(r->body, "carecircle_http_requests_total{route=\"/\",status=\"200\"}") >= 5 &&
		    sample(r->body, "carecircle_http_requests_total{route=\"/api/v1/topics\",status=\"200\"}") >= 1 &&
		    sample(r->body, "carecircle_http_requests_total{route=\"/{topic}\",status=\"404\"}") >= 1)
			break;
		usleep(50 * 1000);
	}
	assert_int_equal(r->status, 200);
	char *ct = header_of(r, "Content-Type");
	assert_non_null(strstr(ct, "text/plain; version=0.0.4"));
	free(ct);

	/* Every line is a HELP/TYPE comment or "name{labels} value". */
	regex_t sample_re, comment_re;
	assert_int_equal(regcomp(&sample_re,
	                         "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
	                         "-?[0-9.eE+-]+$",
	                         REG_EXTENDED | REG_NOSUB),
	                 0);
	assert_int_equal(regcomp(&comment_re, "^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED | REG_NOSUB), 0);
	char *copy = strdup(r->body);
	int lines = 0;
	for (char *save, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		bool ok = regexec(line[0] == '#' ? &comment_re : &sample_re, line, 0, NULL, 0) == 0;
		if (!ok)
			fprintf(stderr, "bad metrics line: %s\n", line);
		assert_true(ok);
	}
	free(copy);
	regfree(&sample_re);
	regfree(&comment_re);
	assert_true(lines > 20);

	assert_true(sample(r->body, "carecircle_http_requests_total{route=\"/\",status=\"200\"}") >= 5);
	assert_true(sample(r->body, "carecircle_http_requests_total{route=\"/{topic}\",status=\"404\"}") >= 1);
	assert_true(sample(r->body, "carecircle_http_requests_total{route=\"/api/v1/topics\",status=\"200\"}") >= 1);
	assert_true(has(r, "# TYPE carecircle_http_request_duration_seconds histogram"));
	double inf = sample(r->body, "carecircle_http_request_duration_seconds_bucket{route=\"/\",le=\"+Inf\"}");
	double count = sample(r->body, "carecircle_http_request_duration_seconds_count{route=\"/\"}");
	assert_true(inf >= 5);
	assert_true(inf == count);
	assert_true(sample(r->body, "carecircle_http_request_duration_seconds_bucket{route=\"/\",le=\"0.001\"}") <=
	            sample(r->body, "carecircle_http_request_duration_seconds_bucket{route=\"/\",le=\"2.5\"}"));
	assert_true(sample(r->body, "carecircle_http_request_duration_seconds_sum{route=\"/\"}") > 0);
	assert_true(sample(r->body, "carecircle_http_requests_in_flight") >= 1); /* this request */
	assert_true(sample(r->body, "carecircle_db_connections_open") >= 1);
	assert_true(sample(r->body, "carecircle_db_connections_in_transaction") >= 0);
	assert_true(sample(r->body, "carecircle_up") == 1);

	/* Counters go up by one per request (a request is counted when its response is done). */
	double before = sample(r->body, "carecircle_http_requests_total{route=\"/\",status=\"200\"}");
	assert_int_equal(http_get(c, "/")->status, 200);
	double after = before;
	for (int i = 0; i < 100 && after != before + 1; i++) {
		r = http_get(c, "/metrics");
		after = sample(r->body, "carecircle_http_requests_total{route=\"/\",status=\"200\"}");
	}
	assert_true(after == before + 1);
	client_free(c);
}

static void test_access_log(void **state)
{
	client *c = client_new(&S);
	assert_int_equal(http_get(c, "/terms?x=1")->status, 200);
	/* A path that tries to start a new log line is escaped. */
	http_get(c, "/a%0Alevel=error%20msg=forged");
	client_free(c);
	/* The line is written when the response is done, which may be just after we read it. */
	bool seen = false, escaped = false;
	for (int attempt = 0; attempt < 50 && !(seen && escaped); attempt++) {
		if (attempt)
			usleep(100 * 1000);
		FILE *f = fopen(S.log, "r");
		assert_non_null(f);
		char line[4096];
		while (fgets(line, sizeof line, f)) {
			if (strstr(line, "msg=request method=GET path=\"/terms\" route=\"/terms\" status=200 ") &&
			    strstr(line, " ms=") && !strstr(line, "127.0.0.1"))
				seen = true; /* and no client address (docs/security.md, Privacy) */
			if (strstr(line, "path=\"/a\\x0alevel=error msg=forged\""))
				escaped = true;
			if (strncmp(line, "level=error msg=forged", 22) == 0)
				fail_msg("log line was split by a crafted path");
		}
		fclose(f);
	}
	assert_true(seen);
	assert_true(escaped);
}

int main(void)
{
	harness_require_engine();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_metrics_format),
		cmocka_unit_test(test_access_log),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
