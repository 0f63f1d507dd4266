/* harness.h: HTTP test harness: starts the real carecircle binary on a free port with a
 * fresh database (SQLite file, or a new PostgreSQL database when CARECIRCLE_TEST_ENGINE is
 * "postgres") and drives it over real HTTP with libcurl. */
#ifndef CC_TEST_HARNESS_H
#define CC_TEST_HARNESS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct srv {
	pid_t pid;
	int port;
	char dir[256];     /* private temporary folder */
	char db[512];      /* the --db value */
	char pgname[64];   /* database created for this server (PostgreSQL) */
	char base[64];     /* http://127.0.0.1:PORT */
	char log[300];     /* server output */
	char secret[64];
} srv;

typedef struct resp {
	long status;
	char *body;
	size_t len;
	char *headers;
	char *location;
} resp;

typedef struct client client;

/* True when this run targets PostgreSQL; tests that need it skip when no server is given. */
bool harness_pg(void);
/* Skips the calling test binary (exit 77 → ctest "skipped") when the engine is unavailable. */
void harness_require_engine(void);

/* A TCP port on 127.0.0.1 that is free now (bound and released), or -1. */
int free_port(void);
/* The whole file at path, NUL-terminated (caller frees), or NULL when it cannot be opened;
 * *len, when asked, gets its length (it may hold NULs). */
char *slurp_file(const char *path, size_t *len);

/* Starts a server; extra is more command-line options (may be NULL). Returns 0 or -1. */
int srv_start(srv *s, const char *extra);
/* Starts a server on an existing database URL or path (another node of the same site:
 * same secret as `like` when given). The database is not dropped at stop. */
int srv_start_db(srv *s, const char *db, const srv *like, const char *extra);
/* Creates a fresh, empty PostgreSQL database on the test cluster; returns its URL (caller
 * frees) or NULL. It is left for the cluster's removal. */
char *harness_pg_new_db(void);
/* Starts a helper process (nginx, a mail sink…) with its output appended to log. */
pid_t harness_spawn(char *const argv[], const char *log);
/* Stops a helper process (SIGTERM, then SIGKILL after 10 s). */
void harness_reap(pid_t pid);
/* Runs a shell command, returning its first line of output (caller frees) or NULL. */
char *harness_sh(const char *cmd);
/* Loads the demo content into the server's database (runs `carecircle demo`). */
int srv_demo(srv *s);
/* Runs `carecircle ARGS…` against the server's database; returns the exit status. */
int srv_cmd(srv *s, const char *args, const char *stdin_text);
/* SIGTERM, wait; returns the exit status (non-zero when a sanitizer found something). */
int srv_stop(srv *s);

client *client_new(srv *s);
void client_free(client *c);
/* Sends one more header line ("Name: value") with every later request of c (NULL stops). */
void client_header(client *c, const char *line);
/* GET/POST without following redirects. The response is owned by the client until the next call. */
resp *http_get(client *c, const char *path);
resp *http_head(client *c, const char *path);
resp *http_post(client *c, const char *path, const char *body);
resp *http_post_multipart(client *c, const char *path, const char *const *fields);
resp *http_request(client *c, const char *method, const char *path, const char *ctype, const char *body,
                   size_t len, const char *const *headers);
/* Follows a 3xx Location once. */
resp *http_follow(client *c, resp *r);

/* Builds "k1=v1&k2=v2" with URL encoding; args end with NULL. Caller frees. */
char *form(const char *k, ...);
/* The value of the first <input name="csrf" value="…"> in the last page. Caller frees. */
char *csrf_of(const resp *r);
bool has(const resp *r, const char *needle);
/* The value of a response header (first one), or NULL. Caller frees. */
char *header_of(const resp *r, const char *name);
/* The path of the first link beginning with prefix ("/join/") in the newest mail to `to` that
 * the server wrote to its mail folder (it has no SMTP); waits up to 15 s for the mail worker.
 * Caller frees; NULL when none came. */
char *srv_mail_link(srv *s, const char *to, const char *prefix);
/* Joins as a new member the way a person does: the form (with the CAPTCHA), then the link in
 * the mail, which signs c in. 0 on success. */
int signup(client *c, srv *s, const char *username, const char *email, const char *password);
/* Signs in as username with password; returns 0 on success. */
int login_as(client *c, const char *username, const char *password);

#endif
