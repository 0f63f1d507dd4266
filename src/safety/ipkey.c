/* ipkey.c: the day's random key for client address hashes, shared by all nodes (ipkey.h). */
#include "safety/ipkey.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

enum { DAY = 86400 };

static const dbq q_get = {"SELECT key FROM ip_keys WHERE day = $1", NULL};
static const dbq q_add = {"INSERT INTO ip_keys (day, key, created_at) VALUES ($1, $2, $3) "
                          "ON CONFLICT (day) DO NOTHING",
                          NULL};
static const dbq q_old_keys = {"DELETE FROM ip_keys WHERE day < $1", NULL};
static const dbq q_old_rates = {"DELETE FROM rate_counts WHERE window_start < $1", NULL};
static const dbq q_old_flags = {"UPDATE flags SET client = '' WHERE client LIKE 'ip:%' AND created_at < $1", NULL};
static const dbq q_old_ratings = {"UPDATE ratings SET addr_hash = NULL WHERE addr_hash IS NOT NULL AND day < $1",
                                  NULL};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t cached_day = -1;
static unsigned char cached_key[32];
static bool have_fallback;
static unsigned char fallback[32];

void ipkey_forget(void)
{
	pthread_mutex_lock(&lock);
	cached_day = -1;
	sodium_memzero(cached_key, sizeof cached_key);
	pthread_mutex_unlock(&lock);
}

static bool load(dbc *c, arena *a, int64_t day, unsigned char key[32])
{
	dbrows r;
	if (db_query(c, &q_get, DBP(dbi(day)), a, &r) < 0)
		return false;
	if (r.n == 0)
		return false;
	const char *hex = db_text(&r, 0, 0);
	size_t n = 0;
	return sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &n, NULL) == 0 && n == 32;
}

/* The key of day: from memory, the table, or made now (the first node to insert wins). */
static bool day_key(dbc *c, arena *a, int64_t day, unsigned char key[32])
{
	pthread_mutex_lock(&lock);
	bool hit = cached_day == day;
	if (hit)
		memcpy(key, cached_key, 32);
	pthread_mutex_unlock(&lock);
	if (hit)
		return true;
	if (!c)
		return false;
	if (!load(c, a, day, key)) {
		unsigned char fresh[32];
		util_random(fresh, sizeof fresh);
		int rc = db_exec(c, &q_add, DBP(dbi(day), dbs(util_hex(a, fresh, sizeof fresh)), dbi(util_now())));
		sodium_memzero(fresh, sizeof fresh);
		if (rc < 0 || !load(c, a, day, key))
			return false;
	}
	pthread_mutex_lock(&lock);
	cached_day = day;
	memcpy(cached_key, key, 32);
	pthread_mutex_unlock(&lock);
	return true;
}

char *ipkey_hash(arena *a, dbc *c, const char *domain, const char *addr, int64_t now, size_t outlen)
{
	unsigned char key[32];
	if (!day_key(c, a, now / DAY, key)) {
		pthread_mutex_lock(&lock);
		if (!have_fallback) {
			util_random(fallback, sizeof fallback);
			have_fallback = true;
			log_warn("msg=\"address key not in the database; using a key of this process\"");
		}
		memcpy(key, fallback, 32);
		pthread_mutex_unlock(&lock);
	}
	char *out = util_mac_hex(a, key, domain, addr, strlen(addr), outlen);
	sodium_memzero(key, sizeof key);
	return out;
}

int ipkey_purge(dbc *c, int64_t now, int retention_days)
{
	int64_t today = now / DAY;
	int rc = db_exec(c, &q_old_keys, DBP(dbi(today - 1)));
	if (rc < 0)
		return rc;
	if (retention_days < 1)
		retention_days = 1;
	int64_t cutoff = now - (int64_t)retention_days * DAY;
	if ((rc = db_exec(c, &q_old_rates, DBP(dbi(cutoff)))) < 0 ||
	    (rc = db_exec(c, &q_old_flags, DBP(dbi(cutoff)))) < 0 ||
	    (rc = db_exec(c, &q_old_ratings, DBP(dbi(cutoff / DAY)))) < 0)
		return rc;
	pthread_mutex_lock(&lock);
	if (cached_day < today - 1)
		cached_day = -1;
	pthread_mutex_unlock(&lock);
	return 0;
}
