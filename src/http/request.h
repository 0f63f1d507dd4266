/* request.h: one HTTP request and its response, owned by the request's arena. */
#ifndef CC_REQUEST_H
#define CC_REQUEST_H
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"

struct MHD_Connection;

enum http_method {
	M_GET = 1,
	M_HEAD = 2,
	M_POST = 4,
	M_PUT = 8,
	M_DELETE = 16,
	M_PATCH = 32,
	M_OPTIONS = 64,
	M_OTHER = 128,
};

typedef struct req {
	arena *a;
	struct MHD_Connection *conn;
	void *app;             /* the application (struct app *), set by the server */
	enum http_method method;
	const char *method_str;
	const char *path;      /* decoded path without the query */
	kvlist query;          /* decoded query arguments */
	kvlist form;           /* decoded body fields (urlencoded or multipart) */
	kvlist cookies;
	upload *uploads;
	int nuploads;
	buf body;              /* raw request body */
	size_t body_max;       /* this request's body limit (bytes) */
	bool body_too_large;
	bool body_malformed;
	const char *params[8]; /* path parameters captured by the router, in pattern order */
	int nparams;
	const char *route;     /* the matched route pattern, for logs and metrics */
	const char *client_ip; /* after trusted-proxy handling */
	bool tls;              /* reached over TLS (X-Forwarded-Proto from a trusted proxy) */
	double t0;             /* monotonic ms at arrival */

	void *user;            /* application identity (struct user *), NULL for guests */
	void *sess;            /* application session data */
	bool csrf_failed;      /* a POST whose CSRF token was missing, wrong or stale */

	/* Response. */
	int status;
	const char *ctype;
	buf out;
	kvlist headers;        /* extra response headers */
	bool no_gzip;          /* the body is already compressed or must not be */
	bool sent;             /* a response was queued */
	bool handed_off;       /* handled on a write thread (server.c); its response waits */
	struct req *next_job;  /* the write threads' queue */
	const char *static_body; /* body that outlives the arena (static assets) */
	size_t static_len;
} req;

/* A request header value, or NULL. */
const char *req_header(req *r, const char *name);
/* POST, PUT, PATCH or DELETE: a request that changes something. */
bool req_changes(const req *r);
/* First query or form value for a key (form wins for POST), or NULL. */
const char *req_arg(req *r, const char *key);
const char *req_cookie(req *r, const char *name);

void res_header(req *r, const char *name, const char *value);
/* Set-Cookie with Path=/, HttpOnly, SameSite=Lax (and Secure when the site is behind TLS). */
void res_cookie(req *r, const char *name, const char *value, long max_age, bool secure);
void res_redirect(req *r, int status, const char *location);
void res_text(req *r, int status, const char *ctype, const char *body);

#endif
