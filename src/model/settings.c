/* settings.c: key/value site settings. */
#include "model/settings.h"

static const dbq q_get = {"SELECT value FROM settings WHERE key = $1", NULL};
static const dbq q_set = {
	"INSERT INTO settings (key, value) VALUES ($1, $2) "
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	NULL};
static const dbq q_init = {
	"INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", NULL};

const char *settings_get(dbc *c, arena *a, const char *key)
{
	dbrows r;
	if (db_query(c, &q_get, DBP(dbs(key)), a, &r) != 1)
		return NULL;
	return db_text(&r, 0, 0);
}

int settings_set(dbc *c, const char *key, const char *value)
{
	return db_exec(c, &q_set, DBP(dbs(key), dbs(value)));
}

const char *settings_init(dbc *c, arena *a, const char *key, const char *value)
{
	if (db_exec(c, &q_init, DBP(dbs(key), dbs(value))) < 0)
		return NULL;
	return settings_get(c, a, key);
}
