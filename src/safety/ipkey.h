/* ipkey.h: client addresses as keyed hashes under a key that rotates every UTC day.
 *
 * The key of a day is random, made by the first node that needs it and kept in the ip_keys
 * table so every node hashes an address the same way that day. Keys older than yesterday are
 * deleted (ipkey_purge), after which their hashes cannot be tied to an address or to the
 * same address on another day. Rows holding such hashes are cleared after the retention. */
#ifndef CC_IPKEY_H
#define CC_IPKEY_H
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"

/* Hex keyed BLAKE2b (2*outlen chars) of addr under the key of now's UTC day, separated by
 * domain. Never fails: when the database cannot give the day's key it uses a random key of
 * this process (rate limits then hold per node until the database is back). */
char *ipkey_hash(arena *a, dbc *c, const char *domain, const char *addr, int64_t now, size_t outlen);
/* Deletes keys of days before yesterday and clears stored address hashes older than
 * retention_days (rate-limit windows, guests' flag and rating hashes). Returns 0 or < 0. */
int ipkey_purge(dbc *c, int64_t now, int retention_days);
/* Forgets the key kept in memory (tests, and after a purge). */
void ipkey_forget(void);

#endif
