/* settings.h: site settings kept in the database, shared by every node. */
#ifndef CC_SETTINGS_H
#define CC_SETTINGS_H
#include "db/db.h"

/* The value, or NULL when unset (or on error). */
const char *settings_get(dbc *c, arena *a, const char *key);
int settings_set(dbc *c, const char *key, const char *value);
/* Sets key only when it is unset; then returns whatever value is stored. */
const char *settings_init(dbc *c, arena *a, const char *key, const char *value);

#endif
