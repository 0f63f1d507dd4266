/* author.c: reads post authors from joined rows. */
#include "model/author.h"

void author_read(const dbrows *r, int row, int col, author *a)
{
	a->user_id = db_int(r, row, col);
	a->username = db_text(r, row, col + 1);
	a->display_name = db_text(r, row, col + 2);
	int role = role_parse(db_text(r, row, col + 3));
	a->role = role < 0 ? ROLE_MEMBER : (enum role)role;
	a->title = db_text(r, row, col + 4);
	a->guest_name = db_isnull(r, row, col + 5) ? NULL : db_text(r, row, col + 5);
	a->anonymous = db_int(r, row, col + 6) != 0;
}
