/* user.h: members, guides, moderators and admins; passwords hashed with argon2id. */
#ifndef CC_USER_H
#define CC_USER_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

enum role { ROLE_MEMBER, ROLE_GUIDE, ROLE_MODERATOR, ROLE_ADMIN };

typedef struct user {
	int64_t id;
	const char *username, *email, *display_name, *title, *bio, *status;
	enum role role;
	int64_t created_at;
	signed char trusted; /* web/safety.c's answer, asked once a request: 0 not yet, 1 yes, -1 no */
} user;

/* Limits (code points), also shown in forms and docs. */
enum {
	USERNAME_MIN = 3,
	USERNAME_MAX = 30,
	PASSWORD_MIN = 10,
	PASSWORD_MAX = 200,
	DISPLAY_NAME_MAX = 60,
	BIO_MAX = 500,
	EMAIL_MAX = 254,
};

const char *role_name(enum role r);
/* -1 when s is not a role. */
int role_parse(const char *s);
/* Shown beside a name: "Guide", "Moderator", "Admin" or NULL for members. */
const char *role_badge(enum role r);

/* Username rule: 3-30 of a-z, 0-9 and _, starting with a letter. */
bool user_valid_username(const char *s);
/* A plausible address: one @, a dot in the domain, no spaces, <= 254 bytes. */
bool user_valid_email(const char *s);

/* Hashes with argon2id at libsodium's interactive limits; NULL on failure (out of memory). */
char *user_hash_password(arena *a, const char *password);
bool user_check_password(const char *hash, const char *password);

/* All return 1 found, 0 not found, < 0 database error. */
int user_by_id(dbc *c, arena *a, int64_t id, user *out);
int user_by_username(dbc *c, arena *a, const char *username, user *out);
/* By username or email (case-insensitive email); also returns the password hash. */
int user_by_login(dbc *c, arena *a, const char *login, user *out, const char **pass_hash);

/* Creates a user; returns the new id, DB_CONSTRAINT when the name or email is taken. */
int64_t user_create(dbc *c, arena *a, const char *username, const char *email, const char *password,
                    enum role role, const char *display_name, const char *title, const char *bio);
/* The same with the password already hashed (a sign-up finished from its emailed link). */
int64_t user_create_hashed(dbc *c, arena *a, const char *username, const char *email, const char *hash,
                           enum role role, const char *display_name, const char *title, const char *bio);
int user_update_profile(dbc *c, int64_t id, const char *display_name, const char *bio);
int user_set_password(dbc *c, arena *a, int64_t id, const char *password);
int user_set_email(dbc *c, int64_t id, const char *email);
int64_t user_count(dbc *c);

#endif
