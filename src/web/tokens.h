/* tokens.h: the /account/tokens page (personal access tokens for the JSON API). */
#ifndef CC_TOKENS_PAGE_H
#define CC_TOKENS_PAGE_H
#include "http/request.h"

void page_tokens(req *r);

#endif
