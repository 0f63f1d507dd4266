/* import.c: `carecircle import --from DIR`: topics (and their guide overviews) from a folder.
 *
 * Layout (docs/import.md):
 *   DIR/topics.json        {"topics": [{"slug": "…", "name": "…", "summary": "…"}, …]}
 *   DIR/SLUG.md            optional markdown guide overview of topic SLUG
 *   DIR/articles/SLUG/NAME.md articles of topic SLUG (read and checked; stored once the articles
 *                          feature is part of this build)
 * Everything is checked first; then every topic is written in one transaction, so an import
 * either happens completely or not at all. Re-importing updates topics by slug. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "model/changes.h"
#include "cmd/progress.h"
#include "model/admin.h"
#include "model/topic.h"

typedef struct itopic {
	const char *slug, *name, *summary, *overview;
} itopic;

typedef struct import_job {
	arena *a;
	itopic *t;
	int n;
	progress p;
} import_job;

static char *read_file(arena *a, const char *path, bool *missing)
{
	FILE *f = fopen(path, "rb");
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
	fclose(f);
	return bad ? NULL : b.p;
}

static int write_all(dbc *c, void *ctx)
{
	import_job *j = ctx;
	for (int i = 0; i < j->n; i++) {
		int64_t id = topic_upsert(c, j->a, j->t[i].slug, j->t[i].name, j->t[i].summary, j->t[i].overview);
		if (id < 0)
			return (int)id;
		progress_update(&j->p, i + 1, j->n);
	}
	return j->n;
}

/* Counts the .md files under DIR/articles/SLUG (the articles a later build will import). */
static int count_articles(const char *dir, const char *slug)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/articles/%s", dir, slug);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".md") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void import_usage(FILE *f)
{
	fputs("usage: carecircle import --from DIR [--dry-run] [--db URL]\n"
	      "Imports topics from DIR/topics.json and each topic's guide overview from DIR/SLUG.md.\n"
	      "Everything is checked before anything is written, and written in one transaction.\n"
	      "--dry-run checks only. The layout is described in docs/import.md.\n",
	      f);
}

int cmd_import(int argc, char **argv)
{
	if (app_has_flag(argc, argv, "help")) {
		import_usage(stdout);
		return 0;
	}
	const char *dir = app_flag(argc, argv, "from");
	if (!dir) {
		import_usage(stderr);
		return 2;
	}
	config cfg;
	struct app app;
	memset(&app, 0, sizeof app);
	char err[1024];
	int rc = 1;
	arena *a = arena_new(0);
	json_t *root = NULL;
	if (app_config(&cfg, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle import: %s\n", err);
		rc = 2;
		goto out;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/topics.json", dir);
	bool missing;
	char *text = read_file(a, path, &missing);
	if (!text) {
		fprintf(stderr, "carecircle import: cannot read %s\n", path);
		goto out;
	}
	json_error_t je;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	json_t *list = root ? json_object_get(root, "topics") : NULL;
	if (!json_is_array(list)) {
		fprintf(stderr, "carecircle import: %s: %s\n", path,
		        root ? "expected {\"topics\": [ … ]}" : arena_printf(a, "line %d: %s", je.line, je.text));
		goto out;
	}
	import_job job = {.a = a, .n = (int)json_array_size(list)};
	job.t = ARENA_ARRAY(a, itopic, job.n);
	int problems = 0, articles = 0;
	for (int i = 0; i < job.n; i++) {
		json_t *o = json_array_get(list, (size_t)i);
		itopic *t = &job.t[i];
		t->slug = json_string_value(json_object_get(o, "slug"));
		t->name = json_string_value(json_object_get(o, "name"));
		t->summary = json_string_value(json_object_get(o, "summary"));
		if (!t->summary)
			t->summary = "";
		t->overview = "";
		if (t->slug && strchr(t->slug, '/') == NULL) {
			snprintf(path, sizeof path, "%s/%s.md", dir, t->slug);
			char *md = read_file(a, path, &missing);
			if (md)
				t->overview = md;
			else if (!missing) {
				fprintf(stderr, "carecircle import: cannot read %s\n", path);
				problems++;
			}
			articles += count_articles(dir, t->slug);
		}
		const char *field;
		const char *why = admin_topic_check(t->slug ? t->slug : "", t->name, t->summary, t->overview, &field);
		if (why) {
			fprintf(stderr, "carecircle import: topic %d (%s): %s: %s\n", i + 1, t->slug ? t->slug : "no slug",
			        field, why);
			problems++;
		}
		for (int k = 0; k < i && t->slug; k++)
			if (job.t[k].slug && strcmp(job.t[k].slug, t->slug) == 0) {
				fprintf(stderr, "carecircle import: topic %d: slug \"%s\" appears twice\n", i + 1, t->slug);
				problems++;
			}
	}
	if (problems) {
		fprintf(stderr, "carecircle import: %d problem%s; nothing was imported\n", problems, problems == 1 ? "" : "s");
		goto out;
	}
	if (app_has_flag(argc, argv, "dry-run")) {
		printf("%d topics are ready to import (dry run: nothing written)\n", job.n);
		rc = 0;
		goto out;
	}
	if (app_open(&app, &cfg, true, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle import: %s\n", err);
		goto out;
	}
	dbc *c = db_conn(app.db);
	progress_start(&job.p, "import", job.n);
	int w = c ? db_tx(c, write_all, &job) : DB_ERR;
	progress_done(&job.p);
	if (w < 0) {
		fprintf(stderr, "carecircle import: %s; nothing was imported\n", db_strerror(w));
		goto out;
	}
	changes_record(c); /* running servers drop their page caches */
	printf("imported %d topic%s\n", job.n, job.n == 1 ? "" : "s");
	if (articles)
		printf("note: %d article file%s found; this build has no articles yet, so they were not imported\n",
		       articles, articles == 1 ? "" : "s");
	rc = 0;
out:
	json_decref(root);
	app_close(&app);
	config_free(&cfg);
	arena_free(a);
	return rc;
}
