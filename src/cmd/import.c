/* import.c: `carecircle import --from DIR`: topics, their guide overviews and their articles.
 *
 * Layout (docs/import.md):
 *   DIR/topics.json             {"topics": [{"slug": "…", "name": "…", "summary": "…"}, …]}
 *   DIR/SLUG.md                 optional markdown guide overview of topic SLUG
 *   DIR/articles/SLUG/NAME.md   articles of topic SLUG, in file-name order: a "---" header of
 *                               "key: value" lines (title, summary, slug, author, reviewed_by,
 *                               last_reviewed, source …), then the markdown body
 * Everything is checked first (the same rules as the admin and article forms, and every named
 * account must exist); then everything is written in one transaction, so an import happens
 * completely or not at all. Re-importing updates topics and articles by slug and leaves
 * unchanged articles alone. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/app.h"
#include "cmd/progress.h"
#include "core/util.h"
#include "model/admin.h"
#include "model/article.h"
#include "model/changes.h"
#include "model/source.h"
#include "model/topic.h"
#include "model/user.h"

typedef struct iarticle {
	const char *file; /* for messages */
	article_new n;
	const char *author, *reviewer; /* usernames, "" = none */
	const char *sources_text;      /* one "Title | URL" a line, for source_parse */
	bool dated;                    /* last_reviewed was given */
} iarticle;

typedef struct itopic {
	const char *slug, *name, *summary, *overview;
	iarticle *arts;
	int narts;
} itopic;

typedef struct import_job {
	arena *a;
	itopic *t;
	int n, total;
	int created, updated, unchanged; /* articles */
	progress p;
} import_job;

/* ---- articles: reading and checking ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The NAME.md files under DIR/articles/SLUG, sorted by name. -1 when the folder cannot be read
 * (no folder is 0 articles). */
static int article_files(arena *a, const char *dir, const char *slug, char ***out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/articles/%s", dir, slug);
	*out = NULL;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0, cap = 16;
	char **names = ARENA_ARRAY(a, char *, cap);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l <= 3 || strcmp(e->d_name + l - 3, ".md") != 0 || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more = ARENA_ARRAY(a, char *, cap * 2);
			memcpy(more, names, sizeof *names * (size_t)cap);
			names = more;
			cap *= 2;
		}
		names[n++] = arena_strdup(a, e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp_str);
	*out = names;
	return n;
}

/* "2026-08-21" as unix seconds at midnight UTC; 0 when malformed. */
static int64_t date_of(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	return end && !*end ? (int64_t)timegm(&tm) : 0;
}

/* Parses one article file: the "---" header and the body. Reports problems on stderr (with
 * the file and line) and returns how many. */
static int parse_article(arena *a, const char *file, char *text, const char *name, iarticle *x)
{
	int problems = 0;
	memset(x, 0, sizeof *x);
	x->file = file;
	x->author = x->reviewer = "";
	size_t nl = strlen(name);
	x->n.slug = arena_strndup(a, name, nl - 3);
	x->n.summary = "";
	buf src;
	buf_init(&src, a, 256, 16000);
	if (strncmp(text, "---\n", 4) != 0 && strncmp(text, "---\r\n", 5) != 0) {
		fprintf(stderr, "carecircle import: %s: line 1: start with a \"---\" line, then title: and the other fields\n",
		        file);
		return 1;
	}
	char *p = strchr(text, '\n') + 1;
	int line = 1;
	bool closed = false;
	while (*p) {
		line++;
		char *eol = strchr(p, '\n');
		char *next = eol ? eol + 1 : p + strlen(p);
		if (eol)
			*eol = 0;
		size_t ll = strlen(p);
		if (ll && p[ll - 1] == '\r')
			p[--ll] = 0;
		if (strcmp(p, "---") == 0) {
			closed = true;
			p = next;
			break;
		}
		char *colon = strchr(p, ':');
		if (ll == 0) {
			p = next;
			continue;
		}
		if (!colon) {
			fprintf(stderr, "carecircle import: %s: line %d: expected \"key: value\"\n", file, line);
			problems++;
			p = next;
			continue;
		}
		*colon = 0;
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		const char *k = p;
		if (strcmp(k, "title") == 0)
			x->n.title = arena_strdup(a, v);
		else if (strcmp(k, "summary") == 0)
			x->n.summary = arena_strdup(a, v);
		else if (strcmp(k, "slug") == 0)
			x->n.slug = arena_strdup(a, v);
		else if (strcmp(k, "author") == 0)
			x->author = arena_strdup(a, v);
		else if (strcmp(k, "reviewed_by") == 0)
			x->reviewer = arena_strdup(a, v);
		else if (strcmp(k, "last_reviewed") == 0) {
			x->n.reviewed_at = date_of(v);
			x->dated = true;
			if (!x->n.reviewed_at) {
				fprintf(stderr, "carecircle import: %s: line %d: last_reviewed must be a date like 2026-08-21\n",
				        file, line);
				problems++;
			}
		} else if (strcmp(k, "source") == 0)
			buf_printf(&src, "%s\n", v);
		else {
			fprintf(stderr,
			        "carecircle import: %s: line %d: unknown field \"%s\" (known: title, summary, slug, author, "
			        "reviewed_by, last_reviewed, source)\n",
			        file, line, k);
			problems++;
		}
		p = next;
	}
	if (!closed) {
		fprintf(stderr, "carecircle import: %s: the header has no closing \"---\" line\n", file);
		return problems + 1;
	}
	x->n.body_md = p;
	x->sources_text = src.p ? src.p : "";
	if (!x->n.title)
		x->n.title = "";
	const char *field, *why = article_check(a, &x->n, &field);
	if (why) {
		fprintf(stderr, "carecircle import: %s: %s: %s\n", file, field, why);
		problems++;
	}
	if (x->n.reviewed_at && !*x->reviewer) {
		fprintf(stderr, "carecircle import: %s: last_reviewed needs reviewed_by (who reviewed it)\n", file);
		problems++;
	}
	post_source *ps;
	const char *swhy = NULL;
	int ns = source_parse(a, x->sources_text, &ps, &swhy);
	if (ns < 0) {
		fprintf(stderr, "carecircle import: %s: sources: %s\n", file, swhy);
		problems++;
	}
	x->n.sources = ps;
	x->n.nsources = ns < 0 ? 0 : ns;
	return problems;
}

/* Reads and checks the articles of topic t. Returns the number of problems. */
static int read_articles(arena *a, const char *dir, itopic *t)
{
	char **names;
	int n = article_files(a, dir, t->slug, &names);
	t->arts = ARENA_ARRAY(a, iarticle, n ? n : 1);
	t->narts = 0;
	int problems = 0;
	for (int i = 0; i < n; i++) {
		char *file = arena_printf(a, "%s/articles/%s/%s", dir, t->slug, names[i]);
		bool missing;
		char *text = app_read_file(a, file, &missing);
		if (!text) {
			fprintf(stderr, "carecircle import: cannot read %s (at most 4 MiB)\n", file);
			problems++;
			continue;
		}
		iarticle *x = &t->arts[t->narts++];
		problems += parse_article(a, file, text, names[i], x);
		for (int k = 0; k < t->narts - 1; k++)
			if (strcmp(t->arts[k].n.slug, x->n.slug) == 0) {
				fprintf(stderr, "carecircle import: %s: slug \"%s\" is also used by %s\n", file, x->n.slug,
				        t->arts[k].file);
				problems++;
			}
	}
	return problems;
}

/* Every named account must exist (checked before anything is written). */
static int resolve_people(dbc *c, arena *a, import_job *j)
{
	int problems = 0;
	for (int i = 0; i < j->n; i++)
		for (int k = 0; k < j->t[i].narts; k++) {
			iarticle *x = &j->t[i].arts[k];
			const char *names[2] = {x->author, x->reviewer};
			int64_t *ids[2] = {&x->n.author_id, &x->n.reviewer_id};
			for (int w = 0; w < 2; w++) {
				if (!*names[w])
					continue;
				user u;
				int rc = user_by_username(c, a, names[w], &u);
				if (rc < 0)
					return rc;
				if (rc == 0) {
					fprintf(stderr, "carecircle import: %s: %s: there is no account \"%s\"\n", x->file,
					        w ? "reviewed_by" : "author", names[w]);
					problems++;
				}
				*ids[w] = rc == 1 ? u.id : 0;
			}
			if (!x->n.author_id)
				x->n.author_id = x->n.reviewer_id;
		}
	return problems;
}

/* ---- writing ---- */

/* True when the stored article already says what the file says (so a re-run changes nothing). */
static bool same_article(dbc *c, arena *a, const article *have, const iarticle *x)
{
	if (strcmp(have->title, x->n.title) != 0 || strcmp(have->summary, x->n.summary) != 0 ||
	    strcmp(have->body_md, x->n.body_md) != 0 || strcmp(have->reviewer_username, x->reviewer) != 0 ||
	    have->reviewed_at != x->n.reviewed_at)
		return false;
	post_source *src;
	int ns = source_list(c, a, "article", have->id, &src);
	return ns >= 0 && strcmp(source_format(a, src, ns), source_format(a, x->n.sources, x->n.nsources)) == 0;
}

static int write_all(dbc *c, void *ctx)
{
	import_job *j = ctx;
	j->created = j->updated = j->unchanged = 0;
	int done = 0;
	int64_t now = util_now();
	for (int i = 0; i < j->n; i++) {
		itopic *t = &j->t[i];
		int64_t tid = topic_upsert(c, j->a, t->slug, t->name, t->summary, t->overview);
		if (tid < 0)
			return (int)tid;
		progress_update(&j->p, ++done, j->total);
		for (int k = 0; k < t->narts; k++) {
			iarticle *x = &t->arts[k];
			x->n.topic_id = tid;
			article have;
			int rc = article_by_slug(c, j->a, tid, x->n.slug, &have);
			if (rc < 0)
				return rc;
			/* A reviewer without a date: reviewed now, or when the stored article says. */
			if (x->n.reviewer_id && !x->dated)
				x->n.reviewed_at = rc == 1 && have.reviewed_at && strcmp(have.reviewer_username, x->reviewer) == 0
				                       ? have.reviewed_at
				                       : now;
			if (rc == 0) {
				/* New articles keep the files' order as the guide's reading order. */
				x->n.created_at = now - (t->narts - k);
				int64_t id = article_create(c, j->a, &x->n);
				if (id < 0)
					return (int)id;
				j->created++;
			} else if (same_article(c, j->a, &have, x)) {
				j->unchanged++;
			} else {
				rc = article_update(c, j->a, have.id, &x->n);
				if (rc < 0)
					return rc;
				j->updated++;
			}
			progress_update(&j->p, ++done, j->total);
		}
	}
	return done;
}

static void import_usage(FILE *f)
{
	fputs("usage: carecircle import --from DIR [--dry-run] [--db URL]\n"
	      "Imports topics from DIR/topics.json, each topic's guide overview from DIR/SLUG.md and its\n"
	      "articles from DIR/articles/SLUG/*.md. Everything is checked before anything is written, and\n"
	      "written in one transaction; running it again updates by slug. --dry-run checks only.\n"
	      "The layout is described in docs/import.md.\n",
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
	char *text = app_read_file(a, path, &missing);
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
	job.t = ARENA_ARRAY(a, itopic, job.n ? job.n : 1);
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
		const char *field;
		const char *why = admin_topic_check(t->slug ? t->slug : "", t->name, t->summary, t->overview, &field);
		if (!why) { /* a valid slug names no other folder */
			snprintf(path, sizeof path, "%s/%s.md", dir, t->slug);
			char *md = app_read_file(a, path, &missing);
			if (md)
				t->overview = md;
			else if (!missing) {
				fprintf(stderr, "carecircle import: cannot read %s\n", path);
				problems++;
			}
			why = admin_topic_check(t->slug, t->name, t->summary, t->overview, &field);
			problems += read_articles(a, dir, t);
			articles += t->narts;
		}
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
	/* Accounts named by articles are looked up even for --dry-run (no migration then). */
	bool dry = app_has_flag(argc, argv, "dry-run");
	if ((articles || !dry) && app_open(&app, &cfg, !dry, err, sizeof err) != 0) {
		fprintf(stderr, "carecircle import: %s\n", err);
		goto out;
	}
	dbc *c = app.db ? db_conn(app.db) : NULL;
	int pr = !articles ? 0 : c ? resolve_people(c, a, &job) : DB_ERR;
	if (pr != 0) {
		if (pr < 0)
			fprintf(stderr, "carecircle import: %s\n", db_strerror(pr));
		else
			fprintf(stderr, "carecircle import: %d problem%s; nothing was imported\n", pr, pr == 1 ? "" : "s");
		goto out;
	}
	if (dry) {
		printf("%d topic%s and %d article%s are ready to import (dry run: nothing written)\n", job.n,
		       job.n == 1 ? "" : "s", articles, articles == 1 ? "" : "s");
		rc = 0;
		goto out;
	}
	job.total = job.n + articles;
	progress_start(&job.p, "import", job.total);
	int w = c ? db_tx(c, write_all, &job) : DB_ERR;
	progress_done(&job.p);
	if (w < 0) {
		fprintf(stderr, "carecircle import: %s; nothing was imported\n",
		        w == DB_CONSTRAINT ? "an article's slug is taken by a hidden article of its topic" : db_strerror(w));
		goto out;
	}
	changes_record(c); /* running servers drop their page caches */
	printf("imported %d topic%s; articles: %d new, %d updated, %d unchanged\n", job.n, job.n == 1 ? "" : "s",
	       job.created, job.updated, job.unchanged);
	rc = 0;
out:
	json_decref(root);
	app_close(&app);
	config_free(&cfg);
	arena_free(a);
	return rc;
}
