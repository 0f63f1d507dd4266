/* frontend.h: first-party analytics (counted server-side, no cookies, no IPs) and the JSON
 * helpers behind the progressive-enhancement script (static/js/site.js). */
#ifndef CC_FRONTEND_H
#define CC_FRONTEND_H
#include "db/db.h"
#include "http/request.h"

/* Counts one view of the page r is answering (GET, status 200, not a known robot). Counts are
 * kept in memory and written by analytics_flush. */
void analytics_count(req *r, int status);
/* Adds the counts gathered so far to page_views in one transaction (maintenance thread). */
void analytics_flush(db *d);

/* GET /admin/analytics: page views per day, page kind and topic (admins). */
void page_admin_analytics(req *r);
/* GET /{topic}/similar?title=…: JSON list of published questions like the title being typed. */
void page_similar(req *r);

#endif
