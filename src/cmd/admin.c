/* admin.c: `carecircle migrate`, `demo` and `user create` (other user commands: manage.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "core/util.h"
#include "model/user.h"
#include "model/verify.h"

int cmd_migrate(int argc, char **argv)
{
	config cfg;
	char err[512];
	struct app app;
	int rc = 1;
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle migrate: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	memset(&app, 0, sizeof app);
	app.cfg = &cfg;
	app.db = db_open(cfg.db, cfg.sync, err, sizeof err);
	if (!app.db) {
		fprintf(stderr, "carecircle migrate: %s\n", err);
		goto out;
	}
	int n = db_migrate(app.db, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "carecircle migrate: %s\n", err);
		goto out;
	}
	printf("%d migration%s applied\n", n, n == 1 ? "" : "s");
	rc = 0;
out:
	app_close(&app);
	config_free(&cfg);
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	config cfg;
	char err[512];
	struct app app;
	int rc = 1;
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle demo: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle demo: %s\n", err);
		goto out;
	}
	int n = demo_load(&app, app_has_flag(argc, argv, "if-empty"), err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "carecircle demo: %s\n", err);
		goto out;
	}
	if (n == 0)
		printf("the site already has content; demo not loaded\n");
	else
		printf("demo content loaded: %d questions\n", n);
	rc = 0;
out:
	app_close(&app);
	config_free(&cfg);
	return rc;
}

static void user_usage(FILE *f)
{
	fputs("usage: carecircle user create --username U --email E --role member|guide|moderator|admin\n"
	      "                              [--display-name NAME] [--title TITLE] [--password-stdin]\n"
	      "       carecircle user list [TEXT]          (accounts whose name or email contains TEXT)\n"
	      "       carecircle user role USERNAME ROLE\n"
	      "       carecircle user suspend USERNAME     (ends sessions; API tokens stop working)\n"
	      "       carecircle user unsuspend USERNAME\n"
	      "       carecircle user token USERNAME --name NAME [--scope read|write]\n"
	      "                                            (prints a new API token once)\n"
	      "Without --password-stdin a random password is generated and printed once.\n",
	      f);
}

int cmd_user(int argc, char **argv)
{
	bool help = app_has_flag(argc, argv, "help");
	if (argc >= 3 && !help &&
	    (!strcmp(argv[2], "list") || !strcmp(argv[2], "role") || !strcmp(argv[2], "suspend") ||
	     !strcmp(argv[2], "unsuspend") || !strcmp(argv[2], "token")))
		return cmd_user_manage(argc, argv);
	if (argc < 3 || strcmp(argv[2], "create") != 0 || help) {
		user_usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	/* Shift "create" away so the option parser sees only flags. */
	char **args = calloc((size_t)argc, sizeof(char *));
	args[0] = argv[0];
	args[1] = argv[1];
	for (int i = 3; i < argc; i++)
		args[i - 1] = argv[i];
	int nargs = argc - 1;
	config cfg;
	char err[512];
	struct app app;
	memset(&app, 0, sizeof app);
	int rc = 1;
	arena *a = arena_new(0);
	if (app_config(&cfg, nargs, args, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle user create: %s\n", err);
		rc = 2;
		goto out;
	}
	const char *username = app_flag(nargs, args, "username");
	const char *email = app_flag(nargs, args, "email");
	const char *role_s = app_flag(nargs, args, "role");
	int role = role_parse(role_s ? role_s : "member");
	if (!username || !email || role < 0) {
		user_usage(stderr);
		rc = 2;
		goto out;
	}
	if (!user_valid_username(username)) {
		fprintf(stderr, "carecircle user create: username must be 3-30 of a-z, 0-9 and _, starting with a letter\n");
		rc = 2;
		goto out;
	}
	if (!user_valid_email(email)) {
		fprintf(stderr, "carecircle user create: \"%s\" is not an email address\n", email);
		rc = 2;
		goto out;
	}
	char pw[PASSWORD_MAX + 2];
	bool generated = false;
	if (app_has_flag(nargs, args, "password-stdin")) {
		if (!fgets(pw, sizeof pw, stdin)) {
			fprintf(stderr, "carecircle user create: no password on standard input\n");
			goto out;
		}
		pw[strcspn(pw, "\r\n")] = 0;
	} else {
		snprintf(pw, sizeof pw, "%s", util_token(a, 15));
		generated = true;
	}
	if (strlen(pw) < PASSWORD_MIN) {
		fprintf(stderr, "carecircle user create: the password needs at least %d characters\n", PASSWORD_MIN);
		goto out;
	}
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle user create: %s\n", err);
		goto out;
	}
	dbc *c = db_conn(app.db);
	int64_t id = c ? user_create(c, a, username, email, pw, (enum role)role, app_flag(nargs, args, "display-name"),
	                             app_flag(nargs, args, "title"), "")
	               : DB_ERR;
	if (id == DB_CONSTRAINT) {
		fprintf(stderr, "carecircle user create: that username or email is already taken\n");
		goto out;
	}
	if (id < 0) {
		fprintf(stderr, "carecircle user create: %s\n", db_strerror((int)id));
		goto out;
	}
	verify_mark(c, id); /* an operator typed this address */
	printf("created %s \"%s\" (id %lld)\n", role_name((enum role)role), username, (long long)id);
	if (generated)
		printf("password: %s\n", pw);
	rc = 0;
out:
	app_close(&app);
	config_free(&cfg);
	arena_free(a);
	free(args);
	return rc;
}
