/* sqlite_wal.h: the VFS that writes a commit's WAL frames in one call (sqlite_wal.c). */
#ifndef CC_DB_SQLITE_WAL_H
#define CC_DB_SQLITE_WAL_H
#include <sqlite3.h>

/* Registers it (not as the default); returns its name, or NULL when it cannot be used. */
const char *sq_walbuf_register(void);

#endif
