/* test_crash.c: durability on SQLite. Posting clients run while the server is killed with
 * SIGKILL; after each crash every answer that got its 303 is on disk and PRAGMA
 * integrity_check says ok. A read-only database and a full disk give a clear 503 page that
 * keeps the person's text, and never a half-written post.
 * CARECIRCLE_CRASH_ROUNDS sets the number of crashes (default 20). SQLite only: the
 * PostgreSQL run skips (PostgreSQL's own durability is its WAL and fsync settings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "captcha_answer.h"
#include "harness.h"

enum { NTHREADS = 4, MAXACK = 4096 };

struct target {
	long qid;
	char topic[64];
};

/* Answers acknowledged by the server (303) in one round. */
struct acks {
	pthread_mutex_t mu;
	long id[MAXACK];
	int who[MAXACK]; /* the worker that posted it */
	char body[MAXACK][96];
	int n;
};

/* Every server this process starts has the same secret, which the CAPTCHA answers need. */
static const srv *secret_srv(void)
{
	static srv k;
	snprintf(k.secret, sizeof k.secret, "test-secret-%d", (int)getpid());
	return &k;
}

struct worker {
	srv *s;
	int round, tid;
	struct target t;
	struct acks *acks;
	atomic_bool *stop;
	int posted, failed;
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Picks the questions to answer straight from the database. */
static int targets(const char *db, struct target *t, int max)
{
	sqlite3 *h;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 0;
	sqlite3_stmt *st;
	int n = 0;
	if (sqlite3_prepare_v2(h,
	                       "SELECT q.id, t.slug FROM questions q JOIN topics t ON t.id = q.topic_id "
	                       "ORDER BY q.id LIMIT 8",
	                       -1, &st, NULL) == SQLITE_OK) {
		while (n < max && sqlite3_step(st) == SQLITE_ROW) {
			t[n].qid = sqlite3_column_int64(st, 0);
			snprintf(t[n].topic, sizeof t[n].topic, "%s", (const char *)sqlite3_column_text(st, 1));
			n++;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

static void *poster(void *arg)
{
	struct worker *w = arg;
	client *c = client_new(w->s);
	char qpath[160], apath[160];
	snprintf(qpath, sizeof qpath, "/%s/questions/%ld", w->t.topic, w->t.qid);
	snprintf(apath, sizeof apath, "/%s/questions/%ld/answers", w->t.topic, w->t.qid);
	/* A guest's CSRF token is tied to the server secret, not to a cookie: fetch it once. */
	resp *r = http_get(c, qpath);
	if (r->status == 301)
		r = http_follow(c, r);
	char *tok = r->status == 200 ? csrf_of(r) : NULL;
	for (int i = 0; tok && !atomic_load(w->stop); i++) {
		char text[96];
		snprintf(text, sizeof text, "Crash test answer r%d t%d n%d: this must survive a SIGKILL.",
		         w->round, w->tid, i);
		/* Each guest answer solves a CAPTCHA of its own (they are single-use). */
		resp *page = http_get(c, qpath);
		if (page->status == 301)
			page = http_follow(c, page);
		char *body = with_captcha(secret_srv(), page, form("csrf", tok, "body", text, "guest_name", "Crash tester", NULL));
		r = http_post(c, apath, body);
		free(body);
		if (r->status == 303 && r->location && strstr(r->location, "#answer-")) {
			long id = strtol(strstr(r->location, "#answer-") + 8, NULL, 10);
			pthread_mutex_lock(&w->acks->mu);
			if (w->acks->n < MAXACK) {
				w->acks->id[w->acks->n] = id;
				w->acks->who[w->acks->n] = w->tid;
				snprintf(w->acks->body[w->acks->n], sizeof w->acks->body[0], "%s", text);
				w->acks->n++;
			}
			pthread_mutex_unlock(&w->acks->mu);
			w->posted++;
		} else {
			/* The server is gone (connection refused or reset): nothing was acknowledged. */
			w->failed++;
			if (w->failed > 3)
				break;
		}
	}
	free(tok);
	client_free(c);
	return NULL;
}

/* Opens the database as the restarted server would, and checks it: integrity, every
 * acknowledged answer with its exact text, and counts that match the rows (no half write). */
static void verify(const char *db, const struct acks *a)
{
	sqlite3 *h;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);

	assert_int_equal(sqlite3_prepare_v2(h, "SELECT body_md FROM answers WHERE id = ?1", -1, &st, NULL),
	                 SQLITE_OK);
	for (int i = 0; i < a->n; i++) {
		sqlite3_bind_int64(st, 1, a->id[i]);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			fprintf(stderr, "acknowledged answer %ld is missing after the crash\n", a->id[i]);
		assert_int_equal(rc, SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), a->body[i]);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);

	assert_int_equal(sqlite3_prepare_v2(h,
	                                    "SELECT count(*) FROM questions q WHERE q.answer_count != "
	                                    "(SELECT count(*) FROM answers a WHERE a.question_id = q.id "
	                                    "AND a.status = 'published')",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void test_sigkill_loses_nothing(void **state)
{
	if (harness_pg())
		skip();
	const char *e = getenv("CARECIRCLE_CRASH_ROUNDS");
	int rounds = e ? (int)strtol(e, NULL, 10) : 20;
	srv first, s;
	assert_int_equal(srv_start(&first, "--sync=FULL"), 0);
	assert_int_equal(srv_demo(&first), 0);
	char db[512];
	snprintf(db, sizeof db, "%s", first.db);
	struct target t[8];
	int nt = targets(db, t, 8);
	assert_true(nt >= 2);
	s = first;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	long total = 0;
	for (int round = 0; round < rounds; round++) {
		static struct acks acks;
		acks.n = 0;
		pthread_mutex_init(&acks.mu, NULL);
		atomic_bool stop = false;
		struct worker w[NTHREADS];
		pthread_t th[NTHREADS];
		for (int i = 0; i < NTHREADS; i++) {
			w[i] = (struct worker){.s = &s, .round = round, .tid = i, .t = t[(round + i) % nt],
			                       .acks = &acks, .stop = &stop};
			pthread_create(&th[i], NULL, poster, &w[i]);
		}
		/* Kill at a random moment once the writes are going on. */
		for (int i = 0; i < 1000; i++) {
			pthread_mutex_lock(&acks.mu);
			int n = acks.n;
			pthread_mutex_unlock(&acks.mu);
			if (n > 0)
				break;
			sleep_ms(10);
		}
		sleep_ms(rand() % 700);
		kill(s.pid, SIGKILL);
		int st;
		waitpid(s.pid, &st, 0);
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		s.pid = 0;
		atomic_store(&stop, true);
		for (int i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		assert_true(acks.n > 0);
		verify(db, &acks);
		total += acks.n;
		pthread_mutex_destroy(&acks.mu);
		/* Restart on the same file: it must come up healthy (recovery from the WAL). */
		if (round > 0)
			assert_int_equal(srv_stop(&s), 0); /* removes the previous restart's folder */
		assert_int_equal(srv_start_db(&s, db, &first, "--sync=FULL"), 0);
		/* And the restarted site shows the last acknowledged answer on its question's pages
		 * (20 answers a page: look through them with the "Load more" fragment). */
		client *c = client_new(&s);
		char qpath[200], anchor[64];
		int last = acks.n - 1;
		const struct target *lt = &w[acks.who[last]].t;
		snprintf(anchor, sizeof anchor, "id=\"answer-%ld\"", acks.id[last]);
		bool shown = false;
		for (int page = 1; page <= 100 && !shown; page++) {
			snprintf(qpath, sizeof qpath, "/%s/questions/%ld/answers?page=%d", lt->topic, lt->qid, page);
			resp *r = http_get(c, qpath);
			if (r->status == 404)
				break;
			assert_int_equal(r->status, 200);
			shown = has(r, anchor);
		}
		assert_true(shown);
		client_free(c);
	}
	fprintf(stderr, "crash test: %d SIGKILLs, %ld acknowledged answers, none lost\n", rounds, total);
	if (rounds > 0)
		assert_int_equal(srv_stop(&s), 0);
	first.pid = 0;
	assert_int_equal(srv_stop(&first), 0);
}

/* Posts one answer as a guest; returns the response (owned by c). */
static resp *post_answer(client *c, const struct target *t, const char *text)
{
	char qpath[160], apath[160];
	snprintf(qpath, sizeof qpath, "/%s/questions/%ld", t->topic, t->qid);
	snprintf(apath, sizeof apath, "/%s/questions/%ld/answers", t->topic, t->qid);
	resp *r = http_get(c, qpath);
	if (r->status == 301)
		r = http_follow(c, r);
	char *tok = csrf_of(r);
	char *body = with_captcha(secret_srv(), r, form("csrf", tok, "body", text, "guest_name", "", NULL));
	r = http_post(c, apath, body);
	free(body);
	free(tok);
	return r;
}

static int count_answers(const char *db, const char *text)
{
	sqlite3 *h;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(h, 5000);
	sqlite3_stmt *st;
	int n = -1;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM answers WHERE body_md = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

/* A database file the server may not write (wrong owner after a restore, say). As root,
 * file modes do not bind, so the server then runs as nobody through setpriv. */
static void test_readonly_database(void **state)
{
	if (harness_pg())
		skip();
	srv s;
	assert_int_equal(srv_start(&s, NULL), 0);
	assert_int_equal(srv_demo(&s), 0);
	char db[512];
	snprintf(db, sizeof db, "%s", s.db);
	struct target t[2];
	assert_true(targets(db, t, 2) >= 1);
	s.dir[0] = 0; /* keep the folder: the database lives there */
	char dir[256];
	snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(db, '/') - db), db);
	assert_int_equal(srv_stop(&s), 0);

	char wrapper[600], *old_bin = getenv("CARECIRCLE_BIN") ? strdup(getenv("CARECIRCLE_BIN")) : NULL;
	if (geteuid() == 0) {
		/* Root ignores file modes: run the server as nobody, in a folder nobody may enter. */
		char probe[700];
		snprintf(probe, sizeof probe, "setpriv --reuid=65534 --regid=65534 --clear-groups test -x '%s'",
		         old_bin ? old_bin : "build/carecircle");
		if (system(probe) != 0) {
			fprintf(stderr, "skipped: the binary is not reachable for user nobody (needed to drop root)\n");
			chmod(db, 0644);
			free(old_bin);
			skip();
		}
		snprintf(wrapper, sizeof wrapper, "%s/as-nobody.sh", dir);
		FILE *f = fopen(wrapper, "w");
		assert_non_null(f);
		fprintf(f, "#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %s \"$@\"\n",
		        old_bin ? old_bin : "build/carecircle");
		fclose(f);
		chmod(wrapper, 0755);
		chmod(dir, 0777);
		setenv("CARECIRCLE_BIN", wrapper, 1);
	}
	chmod(db, 0444);
	srv ro;
	assert_int_equal(srv_start_db(&ro, db, &s, NULL), 0);
	chmod(ro.dir, 0777);
	client *c = client_new(&ro);
	/* Reading still works. */
	resp *r = http_get(c, "/");
	assert_int_equal(r->status, 200);
	const char *text = "Read-only check: this text must come back in the form, not be lost.";
	r = post_answer(c, &t[0], text);
	assert_int_equal(r->status, 503);
	assert_true(has(r, "could not be saved just now") || has(r, "could not be checked just now"));
	assert_true(has(r, text)); /* the person's text is in the form again */
	assert_int_equal(count_answers(db, text), 0);
	/* Asking a question fails the same way, with the title kept. */
	char apath[128];
	snprintf(apath, sizeof apath, "/%s/ask", t[0].topic);
	r = http_get(c, apath);
	char *tok = csrf_of(r);
	char *body = with_captcha(secret_srv(), r, form("csrf", tok, "title", "Does a read-only disk lose my question?", "body",
	                  "This question is written while the database cannot be changed.", "guest_name",
	                  "", "action", "post", NULL));
	r = http_post(c, apath, body);
	free(body);
	free(tok);
	assert_int_equal(r->status, 503);
	assert_true(has(r, "Does a read-only disk lose my question?"));
	/* The server is still alive and healthy. */
	r = http_get(c, "/healthz");
	assert_int_equal(r->status, 200);
	client_free(c);
	assert_int_equal(srv_stop(&ro), 0);
	if (old_bin)
		setenv("CARECIRCLE_BIN", old_bin, 1);
	free(old_bin);
	chmod(db, 0644);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static char full_mnt[64]; /* mounted by test_disk_full; unmounted even when it fails */

static int unmount_full(void **state)
{
	if (full_mnt[0]) {
		char cmd[200];
		snprintf(cmd, sizeof cmd, "umount -l '%s' 2>/dev/null; rmdir '%s' 2>/dev/null", full_mnt, full_mnt);
		int rc = system(cmd);
		(void)rc;
		full_mnt[0] = 0;
	}
	return 0;
}

/* A full disk: the database on a small tmpfs (needs root to mount). Posts get a clear 503
 * with the text kept, nothing half-written, and posting works again once there is room. */
static void test_disk_full(void **state)
{
	if (harness_pg())
		skip();
	char mnt[] = "/tmp/carecircle-full.XXXXXX";
	assert_non_null(mkdtemp(mnt));
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=8m tmpfs '%s' 2>/dev/null", mnt);
	if (geteuid() != 0 || system(cmd) != 0) {
		fprintf(stderr, "skipped: a small tmpfs cannot be mounted here (needs root)\n");
		rmdir(mnt);
		skip();
	}
	snprintf(full_mnt, sizeof full_mnt, "%s", mnt);
	/* The site's database on the tmpfs: demo content, then a clean stop folds the WAL in. */
	char db[600];
	snprintf(db, sizeof db, "%s/full.db", mnt);
	srv seed, live;
	assert_int_equal(srv_start_db(&seed, db, NULL, NULL), 0);
	assert_int_equal(srv_demo(&seed), 0);
	assert_int_equal(srv_stop(&seed), 0);
	struct target t[2];
	assert_true(targets(db, t, 2) >= 1);
	assert_int_equal(srv_start_db(&live, db, &seed, NULL), 0);
	client *c = client_new(&live);
	resp *r = post_answer(c, &t[0], "Before the disk fills up, this answer is saved.");
	assert_int_equal(r->status, 303);
	/* Fill what is left of the disk. */
	snprintf(cmd, sizeof cmd, "dd if=/dev/zero of='%s/filler' bs=64k 2>/dev/null; sync", mnt);
	assert_true(system(cmd) >= 0);
	int refused = 0;
	char text[200];
	for (int i = 0; i < 40 && !refused; i++) {
		snprintf(text, sizeof text, "Disk full check %d: a long answer to use up the last pages. %0*d", i, 100,
		         i);
		r = post_answer(c, &t[0], text);
		if (r->status == 503) {
			refused = 1;
			assert_true(has(r, "could not be saved just now") || has(r, "could not be checked just now"));
			assert_true(has(r, "Disk full check"));
			assert_int_equal(count_answers(db, text), 0);
		} else {
			assert_int_equal(r->status, 303);
		}
	}
	assert_true(refused);
	r = http_get(c, "/healthz");
	assert_int_equal(r->status, 200);
	/* Room again: posting works, and the file is sound. */
	snprintf(cmd, sizeof cmd, "rm -f '%s/filler'", mnt);
	assert_int_equal(system(cmd), 0);
	r = post_answer(c, &t[0], "After the disk was freed, this answer is saved again.");
	assert_int_equal(r->status, 303);
	client_free(c);
	assert_int_equal(srv_stop(&live), 0);
	struct acks none = {.n = 0};
	verify(db, &none);
	snprintf(cmd, sizeof cmd, "umount '%s' && rmdir '%s'", mnt, mnt);
	assert_int_equal(system(cmd), 0);
	full_mnt[0] = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_loses_nothing),
		cmocka_unit_test(test_readonly_database),
		cmocka_unit_test_teardown(test_disk_full, unmount_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
