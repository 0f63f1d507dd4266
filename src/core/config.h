/* config.h: settings from defaults, a config file, the environment and flags (in that order). */
#ifndef CC_CONFIG_H
#define CC_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

typedef struct config {
	char *listen;         /* host:port, default 127.0.0.1:8080 */
	char *db;             /* sqlite path, sqlite:PATH or postgres:// URL */
	char *db_replica;     /* optional read replica URL */
	char *config_file;
	char *secret;         /* server secret; when empty the database keeps one */
	char *site_name;
	char *base_url;       /* canonical origin, e.g. https://example.org */
	char *log_level;
	char *sync;           /* SQLite synchronous: FULL or NORMAL */
	char *trusted_proxies; /* comma-separated addresses allowed to set X-Forwarded-For */
	char *mail_dir;       /* where .eml files go when no SMTP URL is set */
	char *smtp_url;
	char *mail_from;
	char *smtp_ca_file;   /* CA bundle for the SMTP server's certificate (default: the system's) */
	int threads;          /* worker threads; 0 = number of cores */
	int write_threads;    /* threads for requests that write (posts wait there for their commit) */
	int max_body_kb;      /* request body limit */
	int max_connections;
	int replica_grace;
	int page_cache_mb;    /* guest page cache size; 0 turns it off */
	int page_cache_ttl;   /* seconds a cached page may live at most */    /* seconds a writer reads from the primary after posting */
	int conn_timeout;     /* seconds */
	bool secure_cookies;  /* add Secure to cookies (site served over TLS) */
	bool access_log;
	bool group_commit;    /* concurrent write transactions share one commit */
	/* Safety (issue 3, docs/safety.md). */
	int min_fill_seconds;    /* a form sent sooner than this after it was shown is refused */
	int rate_guest_posts;    /* posts per hour from one client address without an account */
	int rate_member_posts;   /* posts per hour from one account */
	int rate_registrations;  /* accounts per hour from one client address */
	int rate_reads;          /* post pages per minute from one client before it is slowed */
	int login_fails_account; /* failed logins per account per 15 minutes before refusing */
	int login_fails_address; /* failed logins per client address per 15 minutes */
	int spam_hold_score;     /* spam score at which a post waits for a moderator */
	int ip_retention_days;   /* days stored keyed address hashes are kept (docs/security.md) */
	int trust_days;          /* account age after which a member skips the CAPTCHA … */
	int trust_posts;         /* … once they also have this many published posts */
	bool hold_first_guest_posts; /* guests' posts wait for a moderator */
	char *safety_dir;        /* folder whose word lists replace the built-in ones */
	char *safety_locale;     /* which crisis resources to show ("default", "en-GB", …) */
	bool mail_worker;      /* deliver the outbox inside serve (true) */
	bool smtp_require_tls; /* refuse SMTP without TLS (STARTTLS or smtps://) */
	int mail_poll;        /* seconds between outbox checks (5) */
	int mail_lease;       /* seconds a claimed message is held before another worker may retry it */
	int digest_interval;  /* seconds between digests (86400) */
} config;

/* Fills c with defaults. */
void config_defaults(config *c);
/* Applies a config file of "key = value" lines; returns 0 or -1 (message in err). */
int config_load_file(config *c, const char *path, char *err, size_t errlen);
/* Applies CARECIRCLE_* environment variables. */
void config_load_env(config *c);
/* Sets one option by its key (as in the file, dashes or underscores); -1 if unknown or bad. */
int config_set(config *c, const char *key, const char *value, char *err, size_t errlen);
/* Prints the option list for --help. */
void config_usage(void);
void config_free(config *c);

#endif
