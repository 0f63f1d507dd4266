/* main.c: the carecircle command line: parse the command and dispatch to it. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "core/config.h"

#ifndef CC_VERSION
#define CC_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	bool own_help; /* the command prints its own --help */
} commands[] = {
	{"serve", cmd_serve, "serve the site (migrates first)", false},
	{"migrate", cmd_migrate, "apply database migrations", false},
	{"demo", cmd_demo, "load the demo content [--if-empty]", false},
	{"bench-data", cmd_bench_data, "fill a database for benchmarks: --questions N --answers M", false},
	{"migrate-data", cmd_migrate_data, "copy a site: --from sqlite:PATH --to postgres://…", false},
	{"worker", cmd_worker, "deliver the outbox (when serve runs with --mail-worker=false) [--once]", false},
	{"user", cmd_user, "manage accounts: create, list, role, suspend, unsuspend", true},
	{"topic", cmd_topic, "manage topics: list, create, edit", true},
	{"settings", cmd_settings, "site name, logo, emergency resources, disclaimer: list, get, set", true},
	{"import", cmd_import, "import topics and articles from a folder: --from DIR [--dry-run]", true},
	{"backup", cmd_backup, "write a consistent copy of the live database: --out FILE", true},
	{"restore", cmd_restore, "restore a backup into an empty database: --from FILE", true},
};

static void usage(FILE *f)
{
	fputs("carecircle " CC_VERSION " — a self-hosted health community\n\n"
	      "usage: carecircle COMMAND [options]\n\ncommands:\n",
	      f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].help);
	fputs("\n", f);
	if (f == stdout)
		config_usage();
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		puts("carecircle " CC_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			if (!commands[i].own_help && argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
				printf("usage: carecircle %s — %s\n\n", commands[i].name, commands[i].help);
				config_usage();
				return 0;
			}
			return commands[i].fn(argc, argv);
		}
	fprintf(stderr, "carecircle: unknown command \"%s\" (try --help)\n", argv[1]);
	return 2;
}
