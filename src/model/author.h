/* author.h: who wrote a post, as read with it (member, guest, or anonymous member). */
#ifndef CC_AUTHOR_H
#define CC_AUTHOR_H
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "model/user.h"

typedef struct author {
	int64_t user_id; /* 0 for guests */
	const char *username, *display_name, *title;
	enum role role;
	const char *guest_name; /* NULL or "" shows "Anonymous" */
	bool anonymous;         /* a member who chose to post anonymously */
} author;

/* The columns to select, given the post table alias p and users alias u (7 columns). */
#define AUTHOR_COLS(p) p ".user_id, u.username, u.display_name, u.role, u.title, " p ".guest_name, " p ".anonymous"

/* Reads the 7 AUTHOR_COLS starting at col. */
void author_read(const dbrows *r, int row, int col, author *out);

#endif
