/* content.h: handlers of issue 5: guide articles, feeds, sitemap, guide workflow. */
#ifndef CC_WEB_CONTENT_H
#define CC_WEB_CONTENT_H
#include "http/request.h"

void page_article(req *r);
void page_article_new(req *r);
void page_article_edit(req *r);
void page_feed(req *r);
void page_sitemap(req *r);
void page_guide_queue(req *r);
void page_guide_unsubscribe(req *r);

#endif
