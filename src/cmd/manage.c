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
	const char *what; /* "user role", … for messages */
	const char *pos[4];
	int npos;
	char **args; /* argv without the positional words, for the option parser */
	int nargs;
	bool changed; /* set by a subcommand that wrote: running servers then drop their caches */
} cli;

/* Splits "carecircle CMD SUB WORD… --flags" and opens the database. Returns 0, or 2 for bad
 * options (message printed), 1 when the database cannot be opened. */
static int cli_open(cli *k, int argc, char **argv, const char *what)
{
	memset(k, 0, sizeof *k);
	k->a = arena_new(0);
	k->what = what;
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

static int db_fail(const cli *k, int rc)
{
	fprintf(stderr, "carecircle %s: %s\n", k->what, db_strerror(rc));
	return 1;
}

/* One subcommand: its name, how many positional words it takes (-1 any), and its body, which
 * returns the exit status (0 done, 1 failed, 2 bad usage). */
typedef struct subcmd {
	const char *name;
	int npos;
	int (*fn)(cli *k);
} subcmd;

/* The one way these commands run: open, run the subcommand, record a change when it wrote,
 * close. usage() gets stdout for --help and stderr for a wrong command line. */
static int cli_run(int argc, char **argv, const char *cmd, const subcmd *subs, void (*usage)(FILE *f))
{
	if (argc < 3 || app_has_flag(argc, argv, "help")) {
		usage(argc < 3 ? stderr : stdout);
		return argc < 3 ? 2 : 0;
	}
	const subcmd *sc = NULL;
	for (const subcmd *x = subs; x->name && !sc; x++)
		if (strcmp(x->name, argv[2]) == 0)
			sc = x;
	if (!sc) {
		usage(stderr);
		return 2;
	}
	char what[64];
	snprintf(what, sizeof what, "%s %s", cmd, sc->name);
	cli k;
	int rc = cli_open(&k, argc, argv, what);
	if (rc == 0 && sc->npos >= 0 && k.npos != sc->npos) {
		usage(stderr);
		rc = 2;
	} else if (rc == 0) {
		rc = sc->fn(&k);
		if (rc == 0 && k.changed)
			changes_record(k.c); /* running servers drop their page caches */
	}
	cli_close(&k);
	return rc;
}
/* ---- user ---- */

static int find_user(cli *k, const char *name, user *u)
{
	int rc = user_by_username(k->c, k->a, name, u);
	if (rc < 0)
		return db_fail(k, rc);
	if (rc == 0) {
		fprintf(stderr, "carecircle %s: no account named \"%s\"\n", k->what, name);
		return 1;
	}
	return 0;
}

static int user_list(cli *k)
{
	admin_user *us;
	int n = admin_user_list(k->c, k->a, k->npos ? k->pos[0] : "", 100000, 0, &us);
	if (n < 0)
		return db_fail(k, n);
	printf("%-20s %-10s %-9s %-30s %s\n", "USERNAME", "ROLE", "STATUS", "EMAIL", "POSTS");
	for (int i = 0; i < n; i++)
		printf("%-20s %-10s %-9s %-30s %lld\n", us[i].u.username, role_name(us[i].u.role), us[i].u.status,
		       us[i].u.email, (long long)(us[i].questions + us[i].answers));
	return 0;
}

static int user_role(cli *k)
{
	user u;
	int role = role_parse(k->pos[1]);
	if (role < 0) {
		fprintf(stderr, "carecircle user role: the role must be member, guide, moderator or admin\n");
		return 2;
	}
	if (find_user(k, k->pos[0], &u))
		return 1;
	int r = admin_set_role(k->c, u.id, (enum role)role);
	if (r < 0)
		return db_fail(k, r);
	if (r == 0) {
		fprintf(stderr, "carecircle user role: %s is the last active admin; make someone else admin first\n",
		        u.username);
		return 1;
	}
	printf("%s is now %s\n", u.username, role_name((enum role)role));
	k->changed = true;
	return 0;
}

static int user_suspend_set(cli *k, bool on)
{
	user u;
	if (find_user(k, k->pos[0], &u))
		return 1;
	int r = admin_set_suspended(k->c, u.id, on);
	if (r < 0)
		return db_fail(k, r);
	if (r == 0) {
		fprintf(stderr, "carecircle %s: %s is the last active admin\n", k->what, u.username);
		return 1;
	}
	printf("%s is %s\n", u.username, on ? "suspended (sessions ended, tokens stopped)" : "active again");
	k->changed = true;
	return 0;
}

static int user_suspend(cli *k)
{
	return user_suspend_set(k, true);
}

static int user_unsuspend(cli *k)
{
	return user_suspend_set(k, false);
}

static int user_token(cli *k)
{
	const char *name = app_flag(k->nargs, k->args, "name");
	const char *scope = app_flag(k->nargs, k->args, "scope");
	if (!name || !*name || strlen(name) > TOKEN_NAME_MAX ||
	    (scope && strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)) {
		fprintf(stderr, "carecircle user token: give --name (at most 60 characters) and --scope read|write\n");
		return 2;
	}
	user u;
	if (find_user(k, k->pos[0], &u))
		return 1;
	char *tok = token_create(k->c, k->a, u.id, name, scope && strcmp(scope, "write") == 0);
	if (!tok) {
		fprintf(stderr, "carecircle user token: the token could not be saved\n");
		return 1;
	}
	printf("%s\n", tok);
	return 0;
}

static void user_manage_usage(FILE *f)
{
	fputs("carecircle user: unknown or incomplete command (try carecircle user --help)\n", f);
}

int cmd_user_manage(int argc, char **argv)
{
	static const subcmd subs[] = {
		{"list", -1, user_list},        {"role", 2, user_role},   {"suspend", 1, user_suspend},
		{"unsuspend", 1, user_unsuspend}, {"token", 1, user_token}, {NULL, 0, NULL},
	};
	return cli_run(argc, argv, "user", subs, user_manage_usage);
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

static int topic_list_cmd(cli *k)
{
	topic *ts;
	int n = topic_list(k->c, k->a, &ts);
	if (n < 0)
		return db_fail(k, n);
	printf("%-30s %-9s %s\n", "SLUG", "QUESTIONS", "NAME");
	for (int i = 0; i < n; i++)
		printf("%-30s %-9lld %s\n", ts[i].slug, (long long)ts[i].question_count, ts[i].name);
	return 0;
}

/* topic create / topic edit: fields not given keep their values (edit) or are empty. */
static int topic_save(cli *k, bool create)
{
	const char *slug = k->pos[0];
	topic t = {0};
	int found = topic_by_slug(k->c, k->a, slug, &t);
	if (found < 0)
		return db_fail(k, found);
	if (create && found) {
		fprintf(stderr, "carecircle topic create: \"%s\" exists already (use topic edit)\n", slug);
		return 1;
	}
	if (!create && !found) {
		fprintf(stderr, "carecircle topic edit: no topic \"%s\"\n", slug);
		return 1;
	}
	const char *name = app_flag(k->nargs, k->args, "name");
	const char *summary = app_flag(k->nargs, k->args, "summary");
	const char *ofile = app_flag(k->nargs, k->args, "overview-file");
	const char *overview = NULL;
	if (ofile && !(overview = app_read_file(k->a, ofile, NULL))) {
		fprintf(stderr, "carecircle topic: cannot read %s\n", ofile);
		return 1;
	}
	name = name ? name : found ? t.name : NULL;
	summary = summary ? summary : found ? t.summary : "";
	overview = overview ? overview : found ? t.overview_md : "";
	const char *field;
	const char *why = admin_topic_check(slug, name, summary, overview, &field);
	if (why) {
		fprintf(stderr, "carecircle %s: %s: %s\n", k->what, field, why);
		return 2;
	}
	int64_t id = topic_upsert(k->c, k->a, slug, name, summary, overview);
	if (id < 0)
		return db_fail(k, (int)id);
	printf("%s topic %s (/%s)\n", create ? "created" : "saved", name, slug);
	k->changed = true;
	return 0;
}

static int topic_create(cli *k)
{
	return topic_save(k, true);
}

static int topic_edit(cli *k)
{
	return topic_save(k, false);
}

int cmd_topic(int argc, char **argv)
{
	static const subcmd subs[] = {
		{"list", 0, topic_list_cmd}, {"create", 1, topic_create}, {"edit", 1, topic_edit}, {NULL, 0, NULL},
	};
	return cli_run(argc, argv, "topic", subs, topic_usage);
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

static int settings_list(cli *k)
{
	for (int i = 0; site_settings[i].key; i++) {
		const char *v = settings_get(k->c, k->a, site_settings[i].key);
		printf("%s = %s\n", site_settings[i].key, v ? v : "");
	}
	return 0;
}

/* The setting named by the first word; NULL after saying it is unknown. */
static const site_setting *setting_of(cli *k)
{
	const site_setting *s = site_setting_find(k->pos[0]);
	if (!s)
		fprintf(stderr, "carecircle settings: unknown key \"%s\" (see carecircle settings --help)\n", k->pos[0]);
	return s;
}

static int settings_get_cmd(cli *k)
{
	const site_setting *s = setting_of(k);
	if (!s)
		return 2;
	const char *v = settings_get(k->c, k->a, s->key);
	printf("%s\n", v ? v : "");
	return 0;
}

static int settings_set_cmd(cli *k)
{
	const site_setting *s = setting_of(k);
	if (!s)
		return 2;
	const char *v = strcmp(k->pos[1], "-") == 0 ? app_read_file(k->a, "-", NULL) : k->pos[1];
	if (!v) {
		fprintf(stderr, "carecircle settings set: cannot read standard input\n");
		return 1;
	}
	size_t vl = strlen(v);
	const char *t = util_trim(v, &vl);
	v = arena_strndup(k->a, t, vl);
	const char *why = site_setting_check(s, v);
	if (why) {
		fprintf(stderr, "carecircle settings set: %s\n", why);
		return 2;
	}
	int r = site_setting_set(k->c, s->key, v);
	if (r < 0)
		return db_fail(k, r);
	printf("%s set\n", s->key);
	k->changed = true;
	return 0;
}

int cmd_settings(int argc, char **argv)
{
	static const subcmd subs[] = {
		{"list", 0, settings_list}, {"get", 1, settings_get_cmd}, {"set", 2, settings_set_cmd}, {NULL, 0, NULL},
	};
	return cli_run(argc, argv, "settings", subs, settings_usage);
}
