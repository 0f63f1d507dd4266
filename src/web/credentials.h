/* credentials.h: verified guides: public credentials page, admin recording, badge state. */
#ifndef CC_WEB_CREDENTIALS_H
#define CC_WEB_CREDENTIALS_H
#include <stdint.h>

#include "http/request.h"

void page_credentials(req *r);
void page_admin_credentials(req *r);
void page_admin_guides(req *r);
/* For a guide's badge: 1 current credentials (the badge links to them), 0 none recorded (plain
 * badge), -1 expired or revoked (no badge). Cached per request. */
int web_guide_credential(req *r, int64_t user_id);

#endif
