/* sqlite_wal.h: the VFS that writes a commit's WAL frames in one call (sqlite_wal.c). */
#ifndef CC_DB_SQLITE_WAL_H
#define CC_DB_SQLITE_WAL_H
#include <sqlite3.h>
#include <stdbool.h>

/* Registers it (not as the default); returns its name, or NULL when it cannot be used. */
const char *sq_walbuf_register(void);

/* Early lock release for the group-commit writer (db.c): called before COMMIT, makes that
 * commit's sync of db's WAL only write, so the commit lets go of the write lock without waiting
 * for the disk. Returns a token, or NULL when db's WAL does not go through this VFS. */
void *sq_walbuf_defer(sqlite3 *db);
/* After the COMMIT: true when its sync was left undone (sq_walbuf_sync owes it); disarms. */
bool sq_walbuf_deferred(void *token);
/* Waits until everything written to the WAL so far is on disk; 0 or -1. Any thread. */
int sq_walbuf_sync(void *token);

#endif
