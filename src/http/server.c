/* server.c: libmicrohttpd glue: request lifecycle, body limits, gzip, logging, graceful stop. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "http/gzip.h"

struct http_server {
	struct MHD_Daemon *d;
	struct http_opts o;
	atomic_int inflight;
	atomic_bool draining; /* http_stop: new requests are turned away */
	int port;
	/* Write threads: a queue of suspended requests (see hand_off). */
	pthread_mutex_t wm;
	pthread_cond_t wcv;
	req *whead, **wtail;
	bool wstop;
	int nwriters;
	pthread_t *writers;
};

/* How far past its limit a declared body is still read (and dropped) before the 413. */
enum { DRAIN_MAX = 32 * 1024 * 1024 };

/* Requests in flight across every server in the process (for /metrics). */
static atomic_int inflight_all;

int http_inflight(void)
{
	return atomic_load(&inflight_all);
}

static enum http_method parse_method(const char *m)
{
	if (!strcmp(m, "GET"))
		return M_GET;
	if (!strcmp(m, "HEAD"))
		return M_HEAD;
	if (!strcmp(m, "POST"))
		return M_POST;
	if (!strcmp(m, "PUT"))
		return M_PUT;
	if (!strcmp(m, "DELETE"))
		return M_DELETE;
	if (!strcmp(m, "PATCH"))
		return M_PATCH;
	if (!strcmp(m, "OPTIONS"))
		return M_OPTIONS;
	return M_OTHER;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	req *r = cls;
	if (r->query.n >= 64)
		return MHD_NO;
	const char *v = value ? value : "";
	kv_add(r->a, &r->query, arena_strdup(r->a, key), arena_strdup(r->a, v), strlen(v));
	return MHD_YES;
}

static bool ip_in_list(const char *ip, const char *list)
{
	if (!list || !*list || !ip)
		return false;
	size_t il = strlen(ip);
	const char *p = list;
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if ((size_t)(p - s) == il && strncmp(s, ip, il) == 0)
			return true;
	}
	return false;
}

static void client_address(http_server *s, req *r)
{
	char ip[INET6_ADDRSTRLEN] = "unknown";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
	}
	r->client_ip = arena_strdup(r->a, ip);
	if (!ip_in_list(ip, s->o.trusted_proxies))
		return;
	/* Walk X-Forwarded-For from the right, skipping our own proxies. */
	const char *xff = req_header(r, "X-Forwarded-For");
	if (xff) {
		char *copy = arena_strdup(r->a, xff);
		for (;;) {
			char *comma = strrchr(copy, ',');
			char *cand = comma ? comma + 1 : copy;
			while (*cand == ' ')
				cand++;
			size_t cl = strlen(cand);
			while (cl && cand[cl - 1] == ' ')
				cand[--cl] = 0;
			if (*cand)
				r->client_ip = cand;
			if (!comma || !ip_in_list(cand, s->o.trusted_proxies))
				break;
			*comma = 0;
		}
	}
	const char *proto = req_header(r, "X-Forwarded-Proto");
	r->tls = proto && strcasecmp(proto, "https") == 0;
}

struct header_scan {
	int n, content_length, transfer_encoding, host;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct header_scan *h = cls;
	h->n++;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		h->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		h->transfer_encoding++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		h->host++;
	return MHD_YES;
}

/* Requests that libmicrohttpd accepts but HTTP does not: too many headers (431), a length
 * given twice or together with chunked encoding (ambiguous framing, the stuff of request
 * smuggling), HTTP/1.1 without exactly one Host (400). Returns 0 when the request is fine. */
static int header_problem(struct MHD_Connection *conn, const char *version)
{
	struct header_scan h = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &h);
	if (h.n > 100)
		return 431;
	if (h.content_length > 1 || (h.content_length && h.transfer_encoding))
		return 400;
	if (h.host > 1 || (!h.host && strcmp(version, MHD_HTTP_VERSION_1_1) == 0))
		return 400;
	return 0;
}

static req *req_new(http_server *s, struct MHD_Connection *conn, const char *url, const char *method)
{
	arena *a = arena_new(0);
	req *r = arena_zalloc(a, sizeof *r);
	r->a = a;
	r->conn = conn;
	r->app = s->o.app;
	r->t0 = util_now_ms();
	r->method_str = arena_strdup(a, method);
	r->method = parse_method(method);
	r->path = arena_strdup(a, url);
	r->status = 200;
	r->ctype = "text/html; charset=utf-8";
	buf_init(&r->out, a, 8192, 0);
	client_address(s, r);
	size_t limit = s->o.body_limit ? s->o.body_limit(r) : 0;
	r->body_max = limit ? limit : s->o.max_body;
	buf_init(&r->body, a, 256, r->body_max + 1);
	return r;
}

static void parse_body(http_server *s, req *r)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct || r->body.len == 0)
		return;
	int rc = FORM_OK;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		rc = form_parse_urlencoded(r->a, r->body.p, r->body.len, &r->form, 200);
	} else if (strncasecmp(ct, "multipart/form-data", 19) == 0) {
		rc = form_parse_multipart(r->a, ct, r->body.p, r->body.len, &r->form, &r->uploads,
		                          &r->nuploads, 200, 8);
	}
	if (rc != FORM_OK)
		r->body_malformed = true;
}

static void add_headers(struct MHD_Response *resp, req *r)
{
	for (int i = 0; i < r->headers.n; i++)
		MHD_add_response_header(resp, r->headers.v[i].k, r->headers.v[i].v);
}

static enum MHD_Result send_response(http_server *s, req *r)
{
	const char *body = r->static_body ? r->static_body : r->out.p;
	size_t len = r->static_body ? r->static_len : r->out.len;
	if (r->out.err || arena_over(r->a)) {
		log_error("msg=\"response too large\" path=\"%s\"", r->path);
		r->headers.n = 0;
		r->static_body = NULL;
		r->out.err = false;
		r->out.len = 0;
		s->o.error(r, 500);
		body = r->out.p;
		len = r->out.len;
	}
	bool compressible = gzip_compressible(r->ctype);
	if (compressible && !r->no_gzip && len > 512 &&
	    gzip_accepted(req_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
		size_t zl;
		char *z = gzip_compress(r->a, body, len, &zl, 5);
		if (z) {
			body = z;
			len = zl;
			res_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
		}
	}
	if (compressible)
		res_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	add_headers(resp, r);
	r->sent = true;
	r->out.len = len; /* bytes on the wire, for the access log */
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- write threads ----
 * The network threads are as many as the cores and must never wait on a disk. A request that
 * changes something ends in a durable commit (an fsync, shared by whatever commits at the same
 * time: db_tx's group commit), so it is handed to one of the write threads: its connection is
 * suspended, a write thread runs the handler, and resuming the connection brings it back to
 * a network thread, which queues the response. With only two network threads, at most two
 * posts could share a commit; with the write threads, as many as there are write threads. */

static void *writer_main(void *arg)
{
	http_server *s = arg;
	pthread_mutex_lock(&s->wm);
	for (;;) {
		while (!s->whead && !s->wstop)
			pthread_cond_wait(&s->wcv, &s->wm);
		req *r = s->whead;
		if (!r)
			break; /* stopping, and nothing is left queued */
		s->whead = r->next_job;
		if (!s->whead)
			s->wtail = &s->whead;
		pthread_mutex_unlock(&s->wm);
		s->o.handle(r);
		MHD_resume_connection(r->conn); /* publishes r's response to the network thread */
		pthread_mutex_lock(&s->wm);
	}
	pthread_mutex_unlock(&s->wm);
	return NULL;
}

static bool hand_off(http_server *s, req *r)
{
	if (!s->nwriters || !req_changes(r))
		return false;
	r->handed_off = true;
	r->next_job = NULL;
	MHD_suspend_connection(r->conn);
	pthread_mutex_lock(&s->wm);
	*s->wtail = r;
	s->wtail = &r->next_job;
	pthread_cond_signal(&s->wcv);
	pthread_mutex_unlock(&s->wm);
	return true;
}

static void writers_start(http_server *s, int n)
{
	pthread_mutex_init(&s->wm, NULL);
	pthread_cond_init(&s->wcv, NULL);
	s->wtail = &s->whead;
	if (n <= 0)
		return;
	s->writers = calloc((size_t)n, sizeof *s->writers);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&s->writers[i], NULL, writer_main, s) != 0)
			break;
		s->nwriters++;
	}
}

/* Lets every queued request finish (each resumes its connection), then joins the threads. */
static void writers_stop(http_server *s)
{
	pthread_mutex_lock(&s->wm);
	s->wstop = true;
	pthread_cond_broadcast(&s->wcv);
	pthread_mutex_unlock(&s->wm);
	for (int i = 0; i < s->nwriters; i++)
		pthread_join(s->writers[i], NULL);
	free(s->writers);
	pthread_cond_destroy(&s->wcv);
	pthread_mutex_destroy(&s->wm);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	http_server *s = cls;
	req *r = *con_cls;
	if (!r) {
		atomic_fetch_add(&s->inflight, 1);
		atomic_fetch_add(&inflight_all, 1);
		r = req_new(s, conn, url, method);
		*con_cls = r;
		int bad = header_problem(conn, version);
		if (!bad && atomic_load(&s->draining)) {
			/* Stopping: this request is answered at once (a load balancer tries another node);
			 * the ones already in flight are finished. */
			r->body_too_large = true; /* do not read the body */
			s->o.error(r, 503);
			res_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
			res_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
			return send_response(s, r);
		}
		if (bad) {
			r->body_too_large = true; /* do not read the body */
			s->o.error(r, bad);
			res_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
			return send_response(s, r);
		}
		const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			unsigned long long v = strtoull(cl, &end, 10);
			bool unreadable = *end || *cl < '0' || *cl > '9';
			/* A body somewhat over the limit (a photo too large, say) is read and dropped, and
			 * the 413 page comes after it: answered at once, the connection would be closed
			 * while the browser is still sending, and it would show a reset instead of the
			 * page. Far over the limit, or unreadable, it is answered at once. */
			if (!unreadable && v > r->body_max && v - r->body_max <= DRAIN_MAX) {
				r->body_too_large = true;
				return MHD_YES;
			}
			if (unreadable || v > r->body_max) {
				r->body_too_large = true;
				s->o.error(r, unreadable ? 400 : 413);
				res_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
				return send_response(s, r);
			}
			/* A known length is read into one allocation (large uploads would otherwise
			 * leave every smaller buffer behind in the arena). */
			if (v > 4096)
				buf_init(&r->body, r->a, (size_t)v + 1, r->body_max + 1);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->sent && !r->body_too_large) {
			if (r->body.len + *upload_data_size > r->body_max)
				r->body_too_large = true;
			else
				buf_add(&r->body, upload_data, *upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->sent)
		return MHD_YES;
	if (r->handed_off) /* back from a write thread, handled */
		return send_response(s, r);
	if (r->body_too_large) {
		s->o.error(r, 413);
		res_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
		return send_response(s, r);
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, r);
	cookie_parse(r->a, req_header(r, MHD_HTTP_HEADER_COOKIE), &r->cookies);
	parse_body(s, r);
	if (hand_off(s, r))
		return MHD_YES;
	s->o.handle(r);
	return send_response(s, r);
}

/* A copy of s safe inside a quoted logfmt value: quotes, backslashes and control bytes become
 * \xNN so a crafted path cannot forge or split log lines. */
static const char *log_safe(arena *a, const char *s)
{
	buf b;
	buf_init(&b, a, 64, 8192);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			buf_printf(&b, "\\x%02x", c);
		else
			buf_putc(&b, (char)c);
	}
	return b.p;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	http_server *s = cls;
	req *r = *con_cls;
	if (!r)
		return;
	double ms = util_now_ms() - r->t0;
	if (s->o.done)
		s->o.done(r, ms);
	if (s->o.access_log)
		/* No client address: the log is kept by others' rules (journald, files), and a raw
		 * address is personal data (docs/security.md, Privacy). */
		log_info("msg=request method=%s path=\"%s\" route=\"%s\" status=%d bytes=%zu ms=%.2f%s",
		         r->method_str, log_safe(r->a, r->path), r->route ? r->route : "-", r->status,
		         r->static_body ? r->static_len : r->out.len, ms,
		         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	arena_free(r->a);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight_all, 1);
	atomic_fetch_sub(&s->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	for (char *p = msg; *p; p++)
		if (*p == '"')
			*p = '\'';
	log_warn("msg=\"http: %s\"", msg);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return -1;
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof host)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof *ss);
	if (host[0] == '[') {
		size_t l = strlen(host);
		if (l < 2 || host[l - 1] != ']')
			return -1;
		host[l - 1] = 0;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -1;
		*len = sizeof *s6;
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	if (!*host)
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -1;
	*len = sizeof *s4;
	return 0;
}

http_server *http_start(const struct http_opts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(o->listen, &ss, &sl) != 0) {
		snprintf(err, errlen, "cannot understand listen address \"%s\" (want HOST:PORT)", o->listen);
		return NULL;
	}
	http_server *s = calloc(1, sizeof *s);
	s->o = *o;
	writers_start(s, o->write_threads);
	int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_connections > 0 ? o->max_connections : 1000),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->conn_timeout > 0 ? o->conn_timeout : 30),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s (address in use or not allowed?)", o->listen);
		writers_stop(s);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	return s;
}

int http_port(http_server *s)
{
	return s->port;
}

void http_stop(http_server *s, int grace_ms)
{
	if (!s)
		return;
	/* Not MHD_quiesce_daemon: with epoll worker threads (libmicrohttpd 0.9.75) it races a worker
	 * that removes the listening socket from its epoll set at the same moment, and aborts the
	 * process ("Failed to remove listen FD from epoll set"). New requests get a 503 instead
	 * until the daemon stops. */
	atomic_store(&s->draining, true);
	double until = util_now_ms() + grace_ms;
	while (atomic_load(&s->inflight) > 0 && util_now_ms() < until) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&s->inflight) > 0)
		log_warn("msg=\"stopping with requests still running\" inflight=%d", atomic_load(&s->inflight));
	/* No suspended connection may outlive the daemon: the write threads finish theirs first. */
	writers_stop(s);
	MHD_stop_daemon(s->d);
	free(s);
}
