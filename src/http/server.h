/* server.h: the HTTP server on libmicrohttpd (epoll, thread pool, graceful stop). */
#ifndef CC_SERVER_H
#define CC_SERVER_H
#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

struct http_opts {
	const char *listen;   /* "127.0.0.1:8080", "[::1]:8080" or ":8080" */
	int threads;          /* 0 = cores */
	/* Threads that run requests which change something (POST, PUT, PATCH, DELETE), so that a
	 * request waiting for its durable commit does not hold one of the few network threads and
	 * concurrent posts can share one commit. 0 = run them on the network threads. */
	int write_threads;
	size_t max_body;      /* bytes */
	int max_connections;
	int conn_timeout;     /* seconds */
	bool access_log;
	const char *trusted_proxies; /* comma-separated IPs whose X-Forwarded-* are believed */
	void *app;
	/* Called once per request with the body read; fills r's response fields. */
	void (*handle)(req *r);
	/* Called to fill an error response (413, 400) the server decides on by itself. */
	void (*error)(req *r, int status);
	/* The body limit for one request, asked once its headers are in (may be NULL; 0 = max_body).
	 * Lets routes that take uploads accept more than the rest. */
	size_t (*body_limit)(req *r);
	/* Called when a request is done, e.g. to count it (may be NULL). */
	void (*done)(req *r, double ms);
};

typedef struct http_server http_server;

http_server *http_start(const struct http_opts *o, char *err, size_t errlen);
int http_port(http_server *s);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. */
void http_stop(http_server *s, int grace_ms);
/* Requests being handled right now, across every server in the process. */
int http_inflight(void);

#endif
