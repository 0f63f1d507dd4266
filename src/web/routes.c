/* routes.c: the one route table. Order does not matter: the router sorts it most specific
 * first, so "/search" wins over "/{topic}". Each feature adds its rows here. */
#include "web/admin.h"
#include "web/api.h"
#include "web/metrics.h"
#include "web/pages.h"
#include "web/tokens.h"
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

	/* Issue 10: JSON API, operations, administration. */
	{M_GET, "/metrics", page_metrics, 0},
	{M_GET | M_POST, "/account/tokens", page_tokens, R_LOGIN | R_FORM},
	{M_GET, "/admin", page_admin, R_ADMIN},
	{M_GET, "/admin/users", page_admin_users, R_ADMIN},
	{M_POST, "/admin/users/{username}", page_admin_user_post, R_ADMIN},
	{M_GET | M_POST, "/admin/topics", page_admin_topics, R_ADMIN | R_FORM},
	{M_GET | M_POST, "/admin/topics/{slug}", page_admin_topic, R_ADMIN | R_FORM},
	{M_GET | M_POST, "/admin/settings", page_admin_settings, R_ADMIN | R_FORM},
	{M_GET | M_POST, "/admin/webhooks", page_admin_webhooks, R_ADMIN | R_FORM},
	{M_GET | M_OPTIONS, "/api/v1/me", api_me, 0},
	{M_GET | M_OPTIONS, "/api/v1/topics", api_topics, 0},
	{M_GET | M_OPTIONS, "/api/v1/topics/{slug}", api_topic, 0},
	{M_GET | M_POST | M_OPTIONS, "/api/v1/topics/{slug}/questions", api_topic_questions, R_NOCSRF},
	{M_GET | M_OPTIONS, "/api/v1/questions", api_questions, 0},
	{M_GET | M_OPTIONS, "/api/v1/questions/{id}", api_question, 0},
	{M_GET | M_POST | M_OPTIONS, "/api/v1/questions/{id}/answers", api_answers, R_NOCSRF},
	{M_GET | M_OPTIONS, "/api/v1/search", api_search, 0},
	{M_GET | M_OPTIONS, "/api/v1/openapi.json", api_openapi, 0},
};

const int web_nroutes = (int)(sizeof web_routes / sizeof web_routes[0]);
