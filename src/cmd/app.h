/* app.h: start-up shared by the commands: config, templates, assets, database, secret. */
#ifndef CC_APP_H
#define CC_APP_H
#include <stdbool.h>

#include "web/web.h"

/* Parses common options from argv (flags win over environment, which wins over the config
 * file). Unknown --flags are left for the command; returns -1 on a bad option. */
int app_config(config *cfg, int argc, char **argv, char *err, size_t errlen);
/* Opens the database (migrating when asked), loads templates and assets, and the secret. */
int app_open(struct app *app, config *cfg, bool migrate, char *err, size_t errlen);
void app_close(struct app *app);
/* Value of --name VALUE or --name=VALUE in argv, or NULL. */
const char *app_flag(int argc, char **argv, const char *name);
bool app_has_flag(int argc, char **argv, const char *name);
/* A whole file ("-" = standard input) into the arena, at most 4 MiB. NULL when it cannot be
 * read (or is too large); *missing (if given) says whether it did not exist. */
char *app_read_file(arena *a, const char *path, bool *missing);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_migrate_data(int argc, char **argv);
int cmd_bench_data(int argc, char **argv);
int cmd_user_manage(int argc, char **argv);
int cmd_topic(int argc, char **argv);
int cmd_settings(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_worker(int argc, char **argv);

/* Loads the embedded demo content; skip_if_content leaves a site with topics alone. */
int demo_load(struct app *app, bool skip_if_content, char *err, size_t errlen);

#endif
