/* routes.c: the one route table. Order does not matter: the router sorts it most specific
 * first, so "/search" wins over "/{topic}". Each feature adds its rows here. */
#include "web/frontend.h"
#include "web/pages.h"
#include "web/web.h"

route web_routes[] = {
	{M_GET, "/", page_home, 0},
	{M_GET, "/search", page_search, 0},
	{M_GET, "/healthz", page_healthz, 0},
	{M_GET, "/robots.txt", page_robots, 0},
	{M_GET | M_POST, "/login", page_login, R_FORM},
	{M_GET | M_POST, "/register", page_register, R_FORM},
	{M_POST, "/logout", page_logout, R_LOGIN},
	{M_GET | M_POST, "/account", page_account, R_LOGIN | R_FORM},
	{M_GET, "/u/{username}", page_profile, 0},
	{M_GET, "/terms", page_terms, 0},
	{M_GET, "/privacy", page_privacy, 0},
	{M_GET, "/disclaimer", page_disclaimer, 0},
	{M_GET, "/{topic}", page_topic, 0},
	{M_GET | M_POST, "/{topic}/ask", page_ask, R_FORM},
	{M_GET, "/{topic}/questions/{id}", page_question, 0},
	{M_POST, "/{topic}/questions/{id}/answers", page_answer_post, R_FORM},
	{M_POST, "/{topic}/questions/{id}/accept", page_accept, R_LOGIN},
	{M_GET | M_POST, "/{topic}/questions/{id}/edit", page_question_edit, R_LOGIN | R_FORM},
	{M_GET, "/{topic}/questions/{id}/history", page_question_history, 0},
	{M_GET | M_POST, "/{topic}/questions/{id}/answers/{aid}/edit", page_answer_edit, R_LOGIN | R_FORM},
	{M_GET, "/{topic}/questions/{id}/answers/{aid}/history", page_answer_history, 0},
	/* issue 7: front end (analytics, JSON for progressive enhancement) */
	{M_GET, "/admin/analytics", page_admin_analytics, R_ADMIN},
	{M_GET, "/{topic}/similar", page_similar, 0},
};

const int web_nroutes = (int)(sizeof web_routes / sizeof web_routes[0]);
