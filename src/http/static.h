/* static.h: embedded static assets served under fingerprinted names with long cache lifetimes. */
#ifndef CC_STATIC_H
#define CC_STATIC_H
#include "http/request.h"

/* Indexes the embedded static/ files, computing fingerprints and gzip copies. */
int static_init(void);
void static_shutdown(void);
/* "/static/css/site.3f2a9c1e.css" for "css/site.css", or NULL when there is no such asset. */
const char *static_url(const char *name);
/* Serves r->path if it names an asset (fingerprinted or plain); false when it does not. */
bool static_serve(req *r);

#endif
