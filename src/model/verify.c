/* verify.c: the email_verified flag of members. */
#include "model/verify.h"

static const dbq q_is = {"SELECT email_verified FROM users WHERE id = $1", NULL};
static const dbq q_mark = {"UPDATE users SET email_verified = 1 WHERE id = $1", NULL};

int verify_is_verified(dbc *c, int64_t user_id)
{
	int rc = 0;
	int64_t v = db_scalar(c, &q_is, DBP(dbi(user_id)), 0, &rc);
	return rc < 0 ? rc : v ? 1 : 0;
}

int verify_mark(dbc *c, int64_t user_id)
{
	return db_exec(c, &q_mark, DBP(dbi(user_id)));
}
