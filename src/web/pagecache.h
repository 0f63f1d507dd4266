/* pagecache.h: an in-process cache of rendered guest pages, dropped whenever content changes
 * (on this node at once; on other nodes within a poll interval), with gzip done once per page. */
#ifndef CC_PAGECACHE_H
#define CC_PAGECACHE_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "http/request.h"

/* max_bytes 0 disables the cache. ttl: seconds an entry may live at most. */
void pagecache_init(size_t max_bytes, int ttl);
void pagecache_shutdown(void);
bool pagecache_enabled(void);

/* Serves r from the cache when there is a fresh entry for its path and query. */
bool pagecache_serve(req *r);
/* The generation to pass to pagecache_store: a page rendered before a change is not kept. */
uint64_t pagecache_gen(void);
/* Keeps r's response (status 200, no cookies set) if no change happened since gen. Parts
 * between <!--hole:NAME--> and <!--/hole:NAME--> are made anew for every request by
 * web_fill_hole() (a CAPTCHA must never be shared between visitors). */
void pagecache_store(req *r, uint64_t gen);
/* Content changed through this node: drop the cache and tell the other nodes. */
void pagecache_changed(dbc *c);
/* Maintenance: drops the cache when another node (or process) changed content. */
void pagecache_poll(dbc *c);

#endif
