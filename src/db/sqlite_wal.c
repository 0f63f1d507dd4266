/* sqlite_wal.c: a VFS over SQLite's Unix one that writes a commit's WAL frames in a few calls,
 * and can leave a commit's wait for the disk until after the write lock is released.
 *
 * SQLite appends each frame of a commit to the WAL with two writes (its 24-byte header, then
 * the page) and then syncs the file. A batch of posts committed together (group commit) is
 * some 70 frames: 140 system calls inside the commit every post of the batch waits for. Here a
 * WAL file's writes that follow one another are kept in a buffer and written at once, before
 * anything that must see them: a sync, a read, a size question, a truncate, a file control, a
 * close, a write elsewhere in the file, or a full buffer.
 *
 * Only for synchronous=FULL (sqlite.c): every commit then syncs the WAL before the WAL index
 * makes it visible to other connections, so no other connection can look for a frame that is
 * still in the buffer. A deferred sync (sq_walbuf_defer, for the group-commit writer) still
 * writes the buffer out there; only the wait for the disk moves to sq_walbuf_sync. Everything
 * else is the default VFS's own code. */
#include "db/sqlite_wal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Unix VFS writes at most 128 KiB - 1 in one call (larger would be cut short): the buffer
 * goes out in pieces of WALBUF_PIECE, still a handful of calls for a commit of 70 frames. */
enum { WALBUF_CAP = 512 * 1024, WALBUF_PIECE = 120 * 1024 };

struct wfile {
	sqlite3_file base;   /* methods: walbuf_io */
	sqlite3_file *real;  /* the default VFS's file, right after this struct */
	unsigned char *buf;  /* allocated on the first write: only writers have one */
	sqlite3_int64 off;   /* file offset of buf[0] */
	int len;
	int is_wal;
	/* Early lock release for the group-commit writer (sq_walbuf_defer): 1 = the next sync
	 * only writes, 2 = one did. */
	atomic_int defer;
	char *path;          /* the WAL's name, for sync_fd */
	int sync_fd;         /* opened by the first sq_walbuf_defer; -1 before */
	pthread_mutex_t fdm;
};

static sqlite3_vfs *base_vfs;
static sqlite3_vfs walbuf_vfs;

static int flush(struct wfile *f)
{
	int rc = SQLITE_OK;
	for (int done = 0; rc == SQLITE_OK && done < f->len; done += WALBUF_PIECE) {
		int n = f->len - done < WALBUF_PIECE ? f->len - done : WALBUF_PIECE;
		rc = f->real->pMethods->xWrite(f->real, f->buf + done, n, f->off + done);
	}
	f->len = 0;
	return rc;
}

static int w_close(sqlite3_file *p)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	if (f->sync_fd >= 0)
		close(f->sync_fd);
	free(f->path);
	f->path = NULL;
	pthread_mutex_destroy(&f->fdm);
	return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, amt, off);
}

static int w_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
	struct wfile *f = (struct wfile *)p;
	if (!f->is_wal)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (f->len && (off != f->off + f->len || f->len + amt > WALBUF_CAP)) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (amt > WALBUF_PIECE) /* SQLite writes a page at most (64 KiB) */
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (!f->buf && !(f->buf = malloc(WALBUF_CAP)))
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += amt;
	return SQLITE_OK;
}

static int w_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int w_sync(sqlite3_file *p, int flags)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	if (rc != SQLITE_OK)
		return rc;
	int armed = 1;
	if (atomic_compare_exchange_strong(&f->defer, &armed, 2))
		return SQLITE_OK; /* written; the wait for the disk is sq_walbuf_sync's */
	return f->real->pMethods->xSync(f->real, flags);
}

static int w_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int w_lock(sqlite3_file *p, int level)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xLock(r, level);
}

static int w_unlock(sqlite3_file *p, int level)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xUnlock(r, level);
}

static int w_reserved(sqlite3_file *p, int *out)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xCheckReservedLock(r, out);
}

static int w_fcntl(sqlite3_file *p, int op, void *arg)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int w_sector(sqlite3_file *p)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xSectorSize(r);
}

static int w_device(sqlite3_file *p)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xDeviceCharacteristics(r);
}

/* The WAL index lives with the database file, which is never buffered: these pass through. */
static int w_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **out)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xShmMap(r, pg, pgsz, extend, out);
}

static int w_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xShmLock(r, offset, n, flags);
}

static void w_shm_barrier(sqlite3_file *p)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	r->pMethods->xShmBarrier(r);
}

static int w_shm_unmap(sqlite3_file *p, int del)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xShmUnmap(r, del);
}

static int w_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
	struct wfile *f = (struct wfile *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFetch(f->real, off, amt, out);
}

static int w_unfetch(sqlite3_file *p, sqlite3_int64 off, void *page)
{
	sqlite3_file *r = ((struct wfile *)p)->real;
	return r->pMethods->xUnfetch(r, off, page);
}

static const sqlite3_io_methods walbuf_io = {
	3,         w_close,  w_read,    w_write,   w_truncate,    w_sync,        w_size,      w_lock,
	w_unlock,  w_reserved, w_fcntl, w_sector,  w_device,      w_shm_map,     w_shm_lock,  w_shm_barrier,
	w_shm_unmap, w_fetch, w_unfetch,
};

static int w_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
	(void)vfs;
	struct wfile *f = (struct wfile *)p;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	f->sync_fd = -1;
	pthread_mutex_init(&f->fdm, NULL);
	int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
	if (f->real->pMethods) /* opened (or half): SQLite closes it through us */
		f->base.pMethods = &walbuf_io;
	f->is_wal = rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0;
	if (f->is_wal && name)
		f->path = strdup(name);
	if (!f->base.pMethods)
		pthread_mutex_destroy(&f->fdm);
	return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return base_vfs->xDelete(base_vfs, name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return base_vfs->xDlOpen(base_vfs, name);
}

static void v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	base_vfs->xDlError(base_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return base_vfs->xDlSym(base_vfs, h, sym);
}

static void v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	base_vfs->xDlClose(base_vfs, h);
}

static int v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xRandomness(base_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return base_vfs->xSleep(base_vfs, us);
}

static int v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return base_vfs->xCurrentTime(base_vfs, out);
}

static int v_lasterror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xGetLastError(base_vfs, n, out);
}

static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

const char *sq_walbuf_register(void)
{
	/* Only over the default Unix VFS, whose files have every method this one passes on. */
	base_vfs = sqlite3_vfs_find("unix");
	if (!base_vfs || base_vfs->iVersion < 2)
		return NULL;
	walbuf_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct wfile) + base_vfs->szOsFile,
		.mxPathname = base_vfs->mxPathname,
		.zName = "carecircle-walbuf",
		.xOpen = w_open,
		.xDelete = v_delete,
		.xAccess = v_access,
		.xFullPathname = v_fullpath,
		.xDlOpen = v_dlopen,
		.xDlError = v_dlerror,
		.xDlSym = v_dlsym,
		.xDlClose = v_dlclose,
		.xRandomness = v_random,
		.xSleep = v_sleep,
		.xCurrentTime = v_time,
		.xGetLastError = v_lasterror,
		.xCurrentTimeInt64 = v_time64,
	};
	return sqlite3_vfs_register(&walbuf_vfs, 0) == SQLITE_OK ? walbuf_vfs.zName : NULL;
}

void *sq_walbuf_defer(sqlite3 *db)
{
	sqlite3_file *p = NULL;
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &p) != SQLITE_OK || !p ||
	    p->pMethods != &walbuf_io)
		return NULL;
	struct wfile *f = (struct wfile *)p;
	if (!f->is_wal || !f->path)
		return NULL;
	/* The descriptor the wait will use, opened now: if it cannot be, the commit waits itself. */
	pthread_mutex_lock(&f->fdm);
	if (f->sync_fd < 0)
		f->sync_fd = open(f->path, O_RDONLY | O_CLOEXEC);
	bool ok = f->sync_fd >= 0;
	pthread_mutex_unlock(&f->fdm);
	if (!ok)
		return NULL;
	atomic_store(&f->defer, 1);
	return f;
}

bool sq_walbuf_deferred(void *token)
{
	return atomic_exchange(&((struct wfile *)token)->defer, 0) == 2;
}

int sq_walbuf_sync(void *token)
{
	/* fdatasync makes the file's data durable whichever descriptor asks: this one is ours, so
	 * the next batch may use the connection meanwhile. It stays open until the file closes. */
	return fdatasync(((struct wfile *)token)->sync_fd) == 0 ? 0 : -1;
}
