/* app.c: option parsing and start-up shared by every command. */
#include "cmd/app.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "http/static.h"
#include "mail/mail.h"
#include "model/settings.h"
#include "render/tmpl.h"

/* Flags that belong to commands, not to the config. */
static const char *const command_flags[] = {"username", "email", "role", "password-stdin",
                                            "display-name", "title", "if-empty", "help", "questions", "answers",
                                            /* issue 10: backup, restore, import, admin commands */
                                            "out", "from", "to", "force", "slug", "name", "summary",
                                            "overview-file", "reason", "dry-run", "scope", "once", NULL};
/* Command flags that take no value. */
static const char *const command_bools[] = {"password-stdin", "if-empty", "help", "force", "dry-run", "once", NULL};

static bool in_list(const char *const *list, const char *name, size_t n)
{
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncmp(list[i], name, n) == 0)
			return true;
	return false;
}

static bool is_command_flag(const char *name, size_t n)
{
	return in_list(command_flags, name, n);
}

const char *app_flag(int argc, char **argv, const char *name)
{
	size_t nl = strlen(name);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, nl) != 0)
			continue;
		if (a[2 + nl] == '=')
			return a + 3 + nl;
		if (a[2 + nl] == 0 && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

bool app_has_flag(int argc, char **argv, const char *name)
{
	size_t nl = strlen(name);
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, nl) == 0 &&
		    (argv[i][2 + nl] == 0 || argv[i][2 + nl] == '='))
			return true;
	return false;
}

int app_config(config *cfg, int argc, char **argv, char *err, size_t errlen)
{
	config_defaults(cfg);
	const char *file = app_flag(argc, argv, "config");
	if (!file)
		file = getenv("CARECIRCLE_CONFIG");
	if (file && config_load_file(cfg, file, err, errlen) != 0)
		return -1;
	config_load_env(cfg);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument \"%s\"", a);
			return -1;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		bool boolean_cmd = in_list(command_bools, name, nl);
		if (is_command_flag(name, nl)) {
			if (!eq && !boolean_cmd)
				i++;
			continue;
		}
		char key[64];
		if (nl >= sizeof key) {
			snprintf(err, errlen, "unknown option \"%s\"", a);
			return -1;
		}
		memcpy(key, name, nl);
		key[nl] = 0;
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
				val = argv[++i];
			else
				val = "true"; /* a bare boolean flag */
		}
		if (config_set(cfg, key, val, err, errlen) != 0)
			return -1;
	}
	int lvl = log_parse_level(cfg->log_level);
	if (lvl < 0) {
		snprintf(err, errlen, "log-level must be debug, info, warn or error");
		return -1;
	}
	log_set_level((enum log_level)lvl);
	return 0;
}

int app_open(struct app *app, config *cfg, bool migrate, char *err, size_t errlen)
{
	memset(app, 0, sizeof *app);
	app->cfg = cfg;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to start");
		return -1;
	}
	if (tmpl_init(err, errlen) != 0)
		return -1;
	static_init();
	app->db = db_open(cfg->db, cfg->sync, err, errlen);
	if (!app->db)
		return -1;
	db_set_group_commit(app->db, cfg->group_commit);
	if (migrate && db_migrate(app->db, err, errlen) < 0)
		return -1;
	if (cfg->db_replica && *cfg->db_replica) {
		if (strncmp(cfg->db_replica, "postgres", 8) != 0) {
			snprintf(err, errlen, "--db-replica needs a postgres:// URL");
			return -1;
		}
		app->replica = db_open(cfg->db_replica, cfg->sync, err, errlen);
		if (!app->replica)
			return -1;
	}
	if (cfg->secret && *cfg->secret) {
		crypto_generichash(app->key, sizeof app->key, (const unsigned char *)cfg->secret,
		                   strlen(cfg->secret), NULL, 0);
		mail_init(cfg, app->key);
		return 0;
	}
	/* No configured secret: every node shares the one kept in the database. */
	arena *a = arena_new(0);
	unsigned char raw[32];
	util_random(raw, sizeof raw);
	dbc *c = db_conn(app->db);
	const char *hex = c ? settings_init(c, a, "server_secret", util_hex(a, raw, sizeof raw)) : NULL;
	size_t len = 0;
	int rc = hex ? sodium_hex2bin(app->key, sizeof app->key, hex, strlen(hex), NULL, &len, NULL) : -1;
	arena_free(a);
	if (rc != 0 || len != sizeof app->key) {
		snprintf(err, errlen, "cannot read or create the server secret (has the database been migrated? run `carecircle migrate`)");
		return -1;
	}
	mail_init(cfg, app->key);
	return 0;
}

void app_close(struct app *app)
{
	if (app->db)
		db_close(app->db);
	if (app->replica)
		db_close(app->replica);
	app->db = app->replica = NULL;
	tmpl_shutdown();
	mail_shutdown();
	static_shutdown();
}

char *app_read_file(arena *a, const char *path, bool *missing)
{
	bool std = strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "rb");
	if (missing)
		*missing = !f;
	if (!f)
		return NULL;
	buf b;
	buf_init(&b, a, 4096, 4u << 20);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	bool bad = ferror(f) || b.err;
	if (!std)
		fclose(f);
	return bad ? NULL : b.p;
}
