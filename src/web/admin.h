/* admin.h: the /admin pages (route table rows in routes.c). */
#ifndef CC_ADMIN_PAGE_H
#define CC_ADMIN_PAGE_H
#include "http/request.h"

void page_admin(req *r);
void page_admin_users(req *r);
void page_admin_user_post(req *r);
void page_admin_topics(req *r);
void page_admin_topic(req *r);
void page_admin_settings(req *r);
void page_admin_webhooks(req *r);

#endif
