/* routes.c: the one route table. Order does not matter: the router sorts it most specific
 * first, so "/search" wins over "/{topic}". Each feature adds its rows here. */
#include "web/content.h"
#include "web/credentials.h"
#include "web/frontend.h"
#include "web/engage.h"
#include "web/pages.h"
#include "web/images.h"
#include "web/safety.h"
#include "web/admin.h"
#include "web/api.h"
#include "web/metrics.h"
#include "web/pages.h"
#include "web/tokens.h"
#include "web/web.h"

route web_routes[] = {
	{M_GET, "/", page_home, R_CACHE},
	{M_GET, "/search", page_search, R_CACHE},
	{M_GET, "/healthz", page_healthz, 0},
	{M_GET, "/robots.txt", page_robots, 0},
	{M_GET | M_POST, "/login", page_login, R_FORM},
	{M_GET | M_POST, "/register", page_register, R_FORM},
	{M_GET | M_POST, "/join/{token}", page_join, R_NOCSRF},
	{M_POST, "/logout", page_logout, R_LOGIN},
	{M_GET | M_POST, "/account", page_account, R_LOGIN | R_FORM},
	{M_GET, "/u/{username}", page_profile, R_CACHE},
	{M_GET, "/terms", page_terms, R_CACHE},
	{M_GET, "/privacy", page_privacy, R_CACHE},
	{M_GET, "/disclaimer", page_disclaimer, R_CACHE},
	{M_GET, "/{topic}", page_topic, R_CACHE},
	{M_GET | M_POST, "/{topic}/ask", page_ask, R_FORM | R_UPLOAD},
	{M_GET, "/{topic}/questions/{id}", page_question, R_CACHE},
	{M_POST, "/{topic}/questions/{id}/answers", page_answer_post, R_FORM | R_UPLOAD},
	{M_GET, "/{topic}/questions/{id}/answers", page_answers_more, R_CACHE},
	{M_POST, "/{topic}/questions/{id}/accept", page_accept, R_LOGIN},
	{M_GET | M_POST, "/{topic}/questions/{id}/edit", page_question_edit, R_LOGIN | R_FORM},
	{M_GET, "/{topic}/questions/{id}/history", page_question_history, 0},
	{M_GET | M_POST, "/{topic}/questions/{id}/answers/{aid}/edit", page_answer_edit, R_LOGIN | R_FORM},
	{M_GET, "/{topic}/questions/{id}/answers/{aid}/history", page_answer_history, 0},
	/* Issue 5: articles, feeds, sitemap, guide workflow. */
	{M_GET, "/{topic}/content/{slug}", page_article, R_CACHE},
	{M_GET | M_POST, "/{topic}/content/new", page_article_new, R_GUIDE | R_FORM},
	{M_GET | M_POST, "/{topic}/content/{slug}/edit", page_article_edit, R_GUIDE | R_FORM},
	{M_GET, "/feeds/{feed}", page_feed, 0},
	{M_GET, "/sitemap.xml", page_sitemap, 0},
	{M_GET | M_POST, "/guides/queue", page_guide_queue, R_GUIDE},
	{M_GET | M_POST, "/guides/notices/{token}/unsubscribe", page_guide_unsubscribe, R_NOCSRF},
	{M_GET, "/u/{username}/credentials", page_credentials, 0},
	{M_GET | M_POST, "/admin/guides/{username}", page_admin_credentials, R_ADMIN | R_FORM},
	{M_GET, "/admin/guides", page_admin_guides, R_ADMIN},
	/* Issue 3: safe posting: CAPTCHA, crisis help, reports, moderation. */
	{M_GET, "/captcha/{token}", page_captcha_png, 0},
	{M_GET, "/help/urgent", page_help_urgent, 0},
	{M_GET | M_POST, "/{topic}/questions/{id}/flag", page_flag, R_FORM},
	{M_GET, "/account/posts", page_own_posts, R_LOGIN},
	{M_GET, "/mod", page_mod_queue, R_MOD},
	{M_GET, "/mod/post", page_mod_post, R_MOD},
	{M_POST, "/mod/act", page_mod_act, R_MOD},
	{M_GET, "/mod/log", page_mod_log, R_MOD},
	{M_GET, "/images/{file}", page_image, 0},

	/* Issue 10: JSON API, operations, administration. */
	{M_GET, "/metrics", page_metrics, 0},
	{M_GET | M_POST, "/account/tokens", page_tokens, R_LOGIN | R_FORM},
	/* Data rights (docs/security.md, Privacy). */
	{M_POST, "/account/export", page_account_export, R_LOGIN},
	{M_GET | M_POST, "/account/delete", page_account_delete, R_LOGIN | R_FORM},
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
	{M_GET | M_POST | M_OPTIONS, "/api/v1/topics/{slug}/articles", api_articles, R_NOCSRF},
	{M_GET | M_PATCH | M_OPTIONS, "/api/v1/topics/{slug}/articles/{article}", api_article, R_NOCSRF},
	{M_GET | M_POST | M_OPTIONS, "/api/v1/questions/{id}/rating", api_question_rating, R_NOCSRF},
	{M_GET | M_POST | M_OPTIONS, "/api/v1/answers/{id}/rating", api_answer_rating, R_NOCSRF},
	{M_GET | M_POST | M_OPTIONS, "/api/v1/subscriptions", api_subscriptions, R_NOCSRF},
	{M_GET | M_DELETE | M_OPTIONS, "/api/v1/subscriptions/{id}", api_subscription, R_NOCSRF},
	/* issue 7: front end (analytics, JSON for progressive enhancement) */
	{M_GET, "/admin/analytics", page_admin_analytics, R_ADMIN},
	{M_GET, "/{topic}/similar", page_similar, 0},
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
