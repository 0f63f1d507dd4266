/* request.c: accessors for request data and response helpers. */
#include "http/request.h"

#include <microhttpd.h>
#include <string.h>

bool req_changes(const req *r)
{
	return r->method == M_POST || r->method == M_PUT || r->method == M_PATCH || r->method == M_DELETE;
}

const char *req_header(req *r, const char *name)
{
	if (!r->conn)
		return NULL;
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_arg(req *r, const char *key)
{
	const char *v = NULL;
	if (r->method == M_POST)
		v = kv_get(&r->form, key);
	return v ? v : kv_get(&r->query, key);
}

const char *req_cookie(req *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

void res_header(req *r, const char *name, const char *value)
{
	kv_add(r->a, &r->headers, name, value, strlen(value));
}

void res_cookie(req *r, const char *name, const char *value, long max_age, bool secure)
{
	char *v;
	if (max_age <= 0)
		v = arena_printf(r->a, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", name,
		                 secure ? "; Secure" : "");
	else
		v = arena_printf(r->a, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value,
		                 max_age, secure ? "; Secure" : "");
	res_header(r, "Set-Cookie", v);
}

void res_redirect(req *r, int status, const char *location)
{
	r->status = status;
	res_header(r, "Location", location);
	r->ctype = "text/plain; charset=utf-8";
	r->out.len = 0;
	buf_puts(&r->out, "Redirecting to ");
	buf_puts(&r->out, location);
	buf_puts(&r->out, "\n");
}

void res_text(req *r, int status, const char *ctype, const char *body)
{
	r->status = status;
	r->ctype = ctype;
	r->out.len = 0;
	buf_puts(&r->out, body);
}
