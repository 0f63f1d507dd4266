/* manage.c: administration from the command line: `user list|role|suspend|unsuspend`,
 * `topic list|create|edit` and `settings list|get|set`, with the same checks as /admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "model/changes.h"
#include "core/util.h"
#include "model/admin.h"
#include "model/settings.h"
#include "model/token.h"
#include "model/topic.h"

/* A command's working state: the app, an arena, and positional words after the subcommand. */
typedef struct cli {
	config cfg;
	struct app app;
	arena *a;
	dbc *c;
	const char *pos[4];
	int npos;
	char **args; /* argv without the positional words, for the option parser */
	int nargs;
} cli;

/* Splits "carecircle CMD SUB WORD… --flags" and opens the database. Returns 0, or 2 for bad
 * options (message printed), 1 when the database cannot be opened. */
static int cli_open(cli *k, int argc, char **argv, const char *what)
{
	memset(k, 0, sizeof *k);
	k->a = arena_new(0);
	k->args = calloc((size_t)argc + 1, sizeof(char *));
	k->args[k->nargs++] = argv[0];
	k->args[k->nargs++] = argv[1];
	int i = 3;
	for (; i < argc && strncmp(argv[i], "--", 2) != 0 && k->npos < 4; i++)
		k->pos[k->npos++] = argv[i];
	for (; i < argc; i++)
		k->args[k->nargs++] = argv[i];
	char err[512] = "cannot open the database";
	if (app_config(&k->cfg, k->nargs, k->args, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle %s: %s\n", what, err);
		return 2;
	}
	if (app_open(&k->app, &k->cfg, true, err, sizeof err) != 0 || !(k->c = db_conn(k->app.db))) {
		fprintf(stderr, "carecircle %s: %s\n", what, err);
		return 1;
	}
	return 0;
}

static void cli_close(cli *k)
{
	app_close(&k->app);
	config_free(&k->cfg);
	arena_free(k->a);
	free(k->args);
}

static int db_fail(const char *what, int rc)
{
	fprintf(stderr, "carecircle %s: %s\n", what, db_strerror(rc));
	return 1;
}

/* ---- user ---- */

static int find_user(cli *k, const char *what, const char *name, user *u)
{
	int rc = user_by_username(k->c, k->a, name, u);
	if (rc < 0)
		return db_fail(what, rc);
	if (rc == 0) {
		fprintf(stderr, "carecircle %s: no account named \"%s\"\n", what, name);
		return 1;
	}
	return 0;
}

int cmd_user_manage(int argc, char **argv)
{
	const char *sub = argv[2];
	cli k;
	int rc = cli_open(&k, argc, argv, "user");
	if (rc != 0)
		goto out;
	rc = 1;
	if (strcmp(sub, "list") == 0) {
		admin_user *us;
		int n = admin_user_list(k.c, k.a, k.npos ? k.pos[0] : "", 100000, 0, &us);
		if (n < 0) {
			rc = db_fail("user list", n);
			goto out;
		}
		printf("%-20s %-10s %-9s %-30s %s\n", "USERNAME", "ROLE", "STATUS", "EMAIL", "POSTS");
		for (int i = 0; i < n; i++)
			printf("%-20s %-10s %-9s %-30s %lld\n", us[i].u.username, role_name(us[i].u.role), us[i].u.status,
			       us[i].u.email, (long long)(us[i].questions + us[i].answers));
		rc = 0;
	} else if (strcmp(sub, "role") == 0 && k.npos == 2) {
		user u;
		int role = role_parse(k.pos[1]);
		if (role < 0) {
			fprintf(stderr, "carecircle user role: the role must be member, guide, moderator or admin\n");
			rc = 2;
			goto out;
		}
		if (find_user(&k, "user role", k.pos[0], &u))
			goto out;
		int r = admin_set_role(k.c, u.id, (enum role)role);
		if (r < 0) {
			rc = db_fail("user role", r);
			goto out;
		}
		if (r == 0) {
			fprintf(stderr, "carecircle user role: %s is the last active admin; make someone else admin first\n",
			        u.username);
			goto out;
		}
		printf("%s is now %s\n", u.username, role_name((enum role)role));
		rc = 0;
	} else if ((strcmp(sub, "suspend") == 0 || strcmp(sub, "unsuspend") == 0) && k.npos == 1) {
		bool s = strcmp(sub, "suspend") == 0;
		user u;
		if (find_user(&k, "user", k.pos[0], &u))
			goto out;
		int r = admin_set_suspended(k.c, u.id, s);
		if (r < 0) {
			rc = db_fail("user", r);
			goto out;
		}
		if (r == 0) {
			fprintf(stderr, "carecircle user %s: %s is the last active admin\n", sub, u.username);
			goto out;
		}
		printf("%s is %s\n", u.username, s ? "suspended (sessions ended, tokens stopped)" : "active again");
		rc = 0;
	} else if (strcmp(sub, "token") == 0 && k.npos == 1) {
		const char *name = app_flag(k.nargs, k.args, "name");
		const char *scope = app_flag(k.nargs, k.args, "scope");
		if (!name || !*name || strlen(name) > TOKEN_NAME_MAX ||
		    (scope && strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)) {
			fprintf(stderr, "carecircle user token: give --name (at most 60 characters) and --scope read|write\n");
			rc = 2;
			goto out;
		}
		user u;
		if (find_user(&k, "user token", k.pos[0], &u))
			goto out;
		char *tok = token_create(k.c, k.a, u.id, name, scope && strcmp(scope, "write") == 0);
		if (!tok) {
			fprintf(stderr, "carecircle user token: the token could not be saved\n");
			goto out;
		}
		printf("%s\n", tok);
		rc = 0;
	} else {
		fprintf(stderr, "carecircle user: unknown or incomplete command (try carecircle user --help)\n");
		rc = 2;
	}
out:
	if (rc == 0 && k.c)
		changes_record(k.c); /* running servers drop their page caches */
	cli_close(&k);
	return rc;
}

/* ---- topic ---- */

static void topic_usage(FILE *f)
{
	fputs("usage: carecircle topic list\n"
	      "       carecircle topic create SLUG --name NAME [--summary TEXT] [--overview-file FILE.md]\n"
	      "       carecircle topic edit SLUG [--name NAME] [--summary TEXT] [--overview-file FILE.md]\n"
	      "SLUG is the topic's address (/SLUG): 2-60 of a-z, 0-9 and dashes, not a reserved name.\n"
	      "The overview is markdown (FILE \"-\" reads standard input).\n",
	      f);
}

/* Reads a whole file (or stdin for "-") into the arena; NULL on error. */
static char *slurp(arena *a, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	buf b;
	buf_init(&b, a, 4096, 4u << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	bool bad = ferror(f) || b.err;
	if (f != stdin)
		fclose(f);
	return bad ? NULL : b.p;
}

int cmd_topic(int argc, char **argv)
{
	if (argc < 3 || app_has_flag(argc, argv, "help")) {
		topic_usage(argc < 3 ? stderr : stdout);
		return argc < 3 ? 2 : 0;
	}
	const char *sub = argv[2];
	cli k;
	int rc = cli_open(&k, argc, argv, "topic");
	if (rc != 0)
		goto out;
	rc = 1;
	if (strcmp(sub, "list") == 0) {
		topic *ts;
		int n = topic_list(k.c, k.a, &ts);
		if (n < 0) {
			rc = db_fail("topic list", n);
			goto out;
		}
		printf("%-30s %-9s %s\n", "SLUG", "QUESTIONS", "NAME");
		for (int i = 0; i < n; i++)
			printf("%-30s %-9lld %s\n", ts[i].slug, (long long)ts[i].question_count, ts[i].name);
		rc = 0;
		goto out;
	}
	bool create = strcmp(sub, "create") == 0;
	if ((!create && strcmp(sub, "edit") != 0) || k.npos != 1) {
		topic_usage(stderr);
		rc = 2;
		goto out;
	}
	const char *slug = k.pos[0];
	topic t = {0};
	int found = topic_by_slug(k.c, k.a, slug, &t);
	if (found < 0) {
		rc = db_fail("topic", found);
		goto out;
	}
	if (create && found) {
		fprintf(stderr, "carecircle topic create: \"%s\" exists already (use topic edit)\n", slug);
		goto out;
	}
	if (!create && !found) {
		fprintf(stderr, "carecircle topic edit: no topic \"%s\"\n", slug);
		goto out;
	}
	const char *name = app_flag(k.nargs, k.args, "name");
	const char *summary = app_flag(k.nargs, k.args, "summary");
	const char *ofile = app_flag(k.nargs, k.args, "overview-file");
	const char *overview = NULL;
	if (ofile && !(overview = slurp(k.a, ofile))) {
		fprintf(stderr, "carecircle topic: cannot read %s\n", ofile);
		goto out;
	}
	name = name ? name : found ? t.name : NULL;
	summary = summary ? summary : found ? t.summary : "";
	overview = overview ? overview : found ? t.overview_md : "";
	const char *field;
	const char *why = admin_topic_check(slug, name, summary, overview, &field);
	if (why) {
		fprintf(stderr, "carecircle topic %s: %s: %s\n", sub, field, why);
		rc = 2;
		goto out;
	}
	int64_t id = topic_upsert(k.c, k.a, slug, name, summary, overview);
	if (id < 0) {
		rc = db_fail("topic", (int)id);
		goto out;
	}
	printf("%s topic %s (/%s)\n", create ? "created" : "saved", name, slug);
	rc = 0;
out:
	if (rc == 0 && k.c)
		changes_record(k.c); /* running servers drop their page caches */
	cli_close(&k);
	return rc;
}

/* ---- settings ---- */

static void settings_usage(FILE *f)
{
	fputs("usage: carecircle settings list\n"
	      "       carecircle settings get KEY\n"
	      "       carecircle settings set KEY VALUE     (VALUE \"-\" reads standard input)\n"
	      "keys:\n",
	      f);
	for (int i = 0; site_settings[i].key; i++)
		fprintf(f, "  %-16s %s\n", site_settings[i].key, site_settings[i].hint);
}

int cmd_settings(int argc, char **argv)
{
	if (argc < 3 || app_has_flag(argc, argv, "help")) {
		settings_usage(argc < 3 ? stderr : stdout);
		return argc < 3 ? 2 : 0;
	}
	const char *sub = argv[2];
	cli k;
	int rc = cli_open(&k, argc, argv, "settings");
	if (rc != 0)
		goto out;
	rc = 1;
	if (strcmp(sub, "list") == 0) {
		for (int i = 0; site_settings[i].key; i++) {
			const char *v = settings_get(k.c, k.a, site_settings[i].key);
			printf("%s = %s\n", site_settings[i].key, v ? v : "");
		}
		rc = 0;
		goto out;
	}
	const site_setting *s = k.npos >= 1 ? site_setting_find(k.pos[0]) : NULL;
	if (k.npos >= 1 && !s) {
		fprintf(stderr, "carecircle settings: unknown key \"%s\" (see carecircle settings --help)\n", k.pos[0]);
		rc = 2;
		goto out;
	}
	if (strcmp(sub, "get") == 0 && k.npos == 1) {
		const char *v = settings_get(k.c, k.a, s->key);
		printf("%s\n", v ? v : "");
		rc = 0;
	} else if (strcmp(sub, "set") == 0 && k.npos == 2) {
		const char *v = strcmp(k.pos[1], "-") == 0 ? slurp(k.a, "-") : k.pos[1];
		if (!v) {
			fprintf(stderr, "carecircle settings set: cannot read standard input\n");
			goto out;
		}
		size_t vl = strlen(v);
		const char *t = util_trim(v, &vl);
		v = arena_strndup(k.a, t, vl);
		const char *why = site_setting_check(s, v);
		if (why) {
			fprintf(stderr, "carecircle settings set: %s\n", why);
			rc = 2;
			goto out;
		}
		int r = site_setting_set(k.c, s->key, v);
		if (r < 0) {
			rc = db_fail("settings set", r);
			goto out;
		}
		printf("%s set\n", s->key);
		rc = 0;
	} else {
		settings_usage(stderr);
		rc = 2;
	}
out:
	if (rc == 0 && k.c)
		changes_record(k.c); /* running servers drop their page caches */
	cli_close(&k);
	return rc;
}
