/* verify.h: whether a member's email address is verified (one-click subscriptions need it). */
#ifndef CC_VERIFY_H
#define CC_VERIFY_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* 1 verified, 0 not, < 0 error. */
int verify_is_verified(dbc *c, int64_t user_id);
/* Marks the address verified (accounts an operator or the demo loader creates). */
int verify_mark(dbc *c, int64_t user_id);

#endif
