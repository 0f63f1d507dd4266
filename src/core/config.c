/* config.c: one option table serves the config file, the environment and the flags. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STR, OPT_INT, OPT_BOOL };

struct opt {
	const char *key;
	enum opt_type type;
	size_t off;
	const char *help;
};

#define O(k, t, f, h) {k, t, offsetof(config, f), h}
static const struct opt opts[] = {
	O("listen", OPT_STR, listen, "address:port to listen on (127.0.0.1:8080)"),
	O("db", OPT_STR, db, "database: PATH, sqlite:PATH or postgres://… (./data/carecircle.db)"),
	O("db-replica", OPT_STR, db_replica, "read replica postgres:// URL for page reads"),
	O("config", OPT_STR, config_file, "config file of key = value lines"),
	O("secret", OPT_STR, secret, "server secret for tokens (default: kept in the database)"),
	O("site-name", OPT_STR, site_name, "site name shown in titles (carecircle)"),
	O("base-url", OPT_STR, base_url, "public origin for links in mail and feeds"),
	O("log-level", OPT_STR, log_level, "debug, info, warn or error (info)"),
	O("sync", OPT_STR, sync, "SQLite synchronous mode: FULL or NORMAL (FULL)"),
	O("trusted-proxies", OPT_STR, trusted_proxies, "addresses whose X-Forwarded-For is believed"),
	O("mail-dir", OPT_STR, mail_dir, "folder for .eml files when no SMTP is set (./data/mail)"),
	O("smtp-url", OPT_STR, smtp_url, "smtp:// or smtps:// URL with optional user:pass@"),
	O("mail-from", OPT_STR, mail_from, "From address of outgoing mail"),
	O("replica-grace", OPT_INT, replica_grace, "seconds a poster reads from the primary (30)"),
	O("page-cache-mb", OPT_INT, page_cache_mb, "guest page cache in MiB, 0 = off (16)"),
	O("page-cache-ttl", OPT_INT, page_cache_ttl, "seconds a cached page may live (60)"),
	O("smtp-ca-file", OPT_STR, smtp_ca_file, "CA certificate file for the SMTP server (the system's)"),
	O("threads", OPT_INT, threads, "network threads (number of cores)"),
	O("write-threads", OPT_INT, write_threads, "threads for requests that write, 0 = network threads (48)"),
	O("max-body-kb", OPT_INT, max_body_kb, "largest request body in KiB (1024)"),
	O("max-connections", OPT_INT, max_connections, "most open connections (1000)"),
	O("conn-timeout", OPT_INT, conn_timeout, "idle connection timeout in seconds (30)"),
	O("secure-cookies", OPT_BOOL, secure_cookies, "mark cookies Secure (site behind TLS)"),
	O("group-commit", OPT_BOOL, group_commit, "share one durable commit among concurrent posts (true)"),
	O("access-log", OPT_BOOL, access_log, "write one log line per request (true)"),
	O("min-fill-seconds", OPT_INT, min_fill_seconds, "refuse forms sent sooner after showing (3)"),
	O("rate-guest-posts", OPT_INT, rate_guest_posts, "posts per hour per client address for guests (10)"),
	O("rate-member-posts", OPT_INT, rate_member_posts, "posts per hour per account (30)"),
	O("rate-registrations", OPT_INT, rate_registrations, "new accounts per hour per client address (5)"),
	O("rate-reads", OPT_INT, rate_reads, "post pages per minute per client before slowing (120)"),
	O("login-fails-account", OPT_INT, login_fails_account, "failed logins per account per 15 minutes (10)"),
	O("login-fails-address", OPT_INT, login_fails_address, "failed logins per client address per 15 minutes (50)"),
	O("spam-hold-score", OPT_INT, spam_hold_score, "spam score that holds a post for moderators (5)"),
	O("ip-retention-days", OPT_INT, ip_retention_days, "days keyed address hashes are kept (30)"),
	O("trust-days", OPT_INT, trust_days, "account age in days to skip the CAPTCHA (7)"),
	O("trust-posts", OPT_INT, trust_posts, "published posts needed to skip the CAPTCHA (3)"),
	O("safety-dir", OPT_STR, safety_dir, "folder of word lists replacing the built-in ones"),
	O("safety-locale", OPT_STR, safety_locale, "crisis resources to show: default, en-GB, en-US (default)"),
	O("hold-first-guest-posts", OPT_BOOL, hold_first_guest_posts, "guest posts wait for a moderator (false)"),
	O("mail-worker", OPT_BOOL, mail_worker, "deliver mail inside serve (true; false when `worker` runs)"),
	O("smtp-require-tls", OPT_BOOL, smtp_require_tls, "refuse to send mail without TLS (false: STARTTLS when offered)"),
	O("mail-poll", OPT_INT, mail_poll, "seconds between outbox checks (5)"),
	O("mail-lease", OPT_INT, mail_lease, "seconds a worker holds a message it is sending (120)"),
	O("digest-interval", OPT_INT, digest_interval, "seconds between topic digests (86400)"),
};
#undef O

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

void config_defaults(config *c)
{
	memset(c, 0, sizeof *c);
	set_str(&c->listen, "127.0.0.1:8080");
	set_str(&c->db, "./data/carecircle.db");
	set_str(&c->site_name, "carecircle");
	set_str(&c->base_url, "http://127.0.0.1:8080");
	set_str(&c->log_level, "info");
	set_str(&c->sync, "FULL");
	set_str(&c->mail_dir, "./data/mail");
	set_str(&c->mail_from, "carecircle <no-reply@localhost>");
	c->max_body_kb = 1024;
	c->max_connections = 1000;
	c->conn_timeout = 30;
	c->replica_grace = 30;
	c->page_cache_mb = 16;
	c->write_threads = 48;
	c->page_cache_ttl = 60;
	c->access_log = true;
	c->group_commit = true;
	c->min_fill_seconds = 3;
	c->rate_guest_posts = 10;
	c->rate_member_posts = 30;
	c->rate_registrations = 5;
	c->rate_reads = 120;
	c->login_fails_account = 10;
	c->login_fails_address = 50;
	c->spam_hold_score = 5;
	c->trust_days = 7;
	c->ip_retention_days = 30;
	c->trust_posts = 3;
	set_str(&c->safety_locale, "default");
	c->mail_worker = true;
	c->mail_poll = 5;
	c->mail_lease = 120;
	c->digest_interval = 86400;
}

void config_free(config *c)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].type == OPT_STR)
			set_str((char **)((char *)c + opts[i].off), NULL);
}

static bool key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : (char)tolower((unsigned char)*a);
		char y = *b == '_' ? '-' : (char)tolower((unsigned char)*b);
		if (x != y)
			return false;
	}
	return *a == *b;
}

int config_set(config *c, const char *key, const char *value, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		const struct opt *o = &opts[i];
		if (!key_eq(o->key, key))
			continue;
		void *dst = (char *)c + o->off;
		if (o->type == OPT_STR) {
			set_str(dst, value);
		} else if (o->type == OPT_INT) {
			char *end;
			errno = 0;
			long v = strtol(value, &end, 10);
			if (errno || *end || end == value || v < 0 || v > 1000000) {
				snprintf(err, errlen, "option %s needs a whole number, not \"%s\"", o->key, value);
				return -1;
			}
			*(int *)dst = (int)v;
		} else {
			if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
			    !strcasecmp(value, "on"))
				*(bool *)dst = true;
			else if (!strcmp(value, "0") || !strcasecmp(value, "false") ||
			         !strcasecmp(value, "no") || !strcasecmp(value, "off"))
				*(bool *)dst = false;
			else {
				snprintf(err, errlen, "option %s needs true or false, not \"%s\"", o->key, value);
				return -1;
			}
		}
		return 0;
	}
	snprintf(err, errlen, "unknown option \"%s\"", key);
	return -1;
}

int config_load_file(config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open config file %s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		char *eq = strchr(p, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			rc = -1;
			break;
		}
		char *k = p, *ke = eq;
		while (ke > k && isspace((unsigned char)ke[-1]))
			ke--;
		*ke = 0;
		char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		size_t vl = strlen(v);
		while (vl && isspace((unsigned char)v[vl - 1]))
			v[--vl] = 0;
		char e2[256];
		if (config_set(c, k, v, e2, sizeof e2) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

void config_load_env(config *c)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		char name[64] = "CARECIRCLE_";
		size_t n = strlen(name);
		for (const char *k = opts[i].key; *k && n < sizeof name - 1; k++)
			name[n++] = *k == '-' ? '_' : (char)toupper((unsigned char)*k);
		name[n] = 0;
		const char *v = getenv(name);
		char err[256];
		if (v && config_set(c, opts[i].key, v, err, sizeof err) != 0)
			fprintf(stderr, "carecircle: %s: %s (ignored)\n", name, err);
	}
}

void config_usage(void)
{
	fputs("Options (also CARECIRCLE_<NAME> in the environment, or name = value in --config):\n",
	      stdout);
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		printf("  --%-18s %s\n", opts[i].key, opts[i].help);
}
