/* routes.c: the one route table. Order does not matter: the router sorts it most specific
 * first, so "/search" wins over "/{topic}". Each feature adds its rows here. */
#include "web/engage.h"
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
	/* Issue 4: ratings, helpful answers, email updates, newsletter, account emails, outbox. */
	{M_POST, "/{topic}/questions/{id}/rate", page_rate, 0},
	{M_POST, "/{topic}/questions/{id}/answers/{aid}/rate", page_rate, 0},
	{M_POST, "/{topic}/questions/{id}/answers/{aid}/helpful", page_helpful, R_LOGIN},
	{M_POST, "/{topic}/questions/{id}/subscribe", page_question_subscribe, R_FORM},
	{M_POST, "/{topic}/subscribe", page_topic_subscribe, R_FORM},
	/* The token in these links is the credential; mail clients POST one-click unsubscribes. */
	{M_GET | M_POST, "/subscriptions/{token}", page_email_prefs, R_NOCSRF},
	{M_GET | M_POST, "/subscriptions/{token}/confirm", page_email_confirm, R_NOCSRF},
	{M_GET | M_POST, "/subscriptions/{token}/unsubscribe", page_email_unsubscribe, R_NOCSRF},
	{M_GET | M_POST, "/newsletter", page_newsletter, R_FORM},
	{M_GET | M_POST, "/admin/newsletter", page_admin_newsletter, R_ADMIN | R_FORM},
	{M_GET, "/admin/mail", page_admin_mail, R_ADMIN},
	{M_POST, "/account/verify", page_verify_send, R_LOGIN},
	{M_GET, "/verify/{token}", page_verify, 0},
	{M_GET | M_POST, "/reset", page_reset_request, R_FORM},
	{M_GET | M_POST, "/reset/{token}", page_reset, R_FORM},
};

const int web_nroutes = (int)(sizeof web_routes / sizeof web_routes[0]);
