// pages.mjs: every page type the browser suite checks. To add a page type, add a row: a name
// (used for artifacts), the role that opens it, the status it must answer with, and either a
// path or an `open(page, site)` that navigates (or submits a form) and returns the page's response.
import { firstQuestion, manyAnswers, questionBase, submit } from './lib/site.mjs';

const TOPIC = 'hemifacial-spasm';

export const pageTypes = [
	{ name: 'home', role: 'guest', path: '/' },
	{ name: 'topic', role: 'guest', path: `/${TOPIC}` },
	{
		name: 'question', role: 'guest',
		async open(page) { return page.goto(await firstQuestion(page, TOPIC)); },
	},
	{
		name: 'question-member', role: 'member',
		async open(page) { return page.goto(await firstQuestion(page, TOPIC)); },
	},
	{
		// A question with 45 answers: the first 20 and "Load more answers".
		name: 'question-many-answers', role: 'guest',
		async open(page, site) { return page.goto(await manyAnswers(site)); },
	},
	{
		// Its second page, as a reader without JavaScript (or a search engine) reaches it.
		name: 'question-answers-page-2', role: 'guest',
		async open(page, site) { return page.goto(`${await manyAnswers(site)}?answers=2`); },
	},
	{
		// The first page after "Load more answers" twice: all 45 shown, focus on answer 41.
		name: 'question-loaded-more', role: 'guest',
		async open(page, site) {
			const resp = await page.goto(await manyAnswers(site));
			for (const shown of [40, 45]) {
				await page.getByRole('button', { name: /Load more answers/ }).click();
				await page.locator('.answer-list > li').nth(shown - 1).waitFor();
			}
			return resp;
		},
	},
	{
		name: 'answer-errors', role: 'guest', status: 422,
		async open(page) {
			await page.goto(await firstQuestion(page, TOPIC));
			return submit(page, '#answer-form button[type=submit]');
		},
	},
	{ name: 'ask', role: 'guest', path: `/${TOPIC}/ask` },
	{ name: 'ask-member', role: 'member', path: `/${TOPIC}/ask` },
	{
		// The ask form with live suggestions (site.js) and counters showing.
		name: 'ask-similar', role: 'guest',
		async open(page) {
			const resp = await page.goto(`/${TOPIC}/ask`);
			await page.fill('#title', 'Is it safe to drive with my eye closing?');
			await page.locator('.similar li').first().waitFor();
			return resp;
		},
	},
	{
		name: 'ask-errors', role: 'guest', status: 422,
		async open(page) {
			await page.goto(`/${TOPIC}/ask`);
			await page.fill('#title', 'Short');
			return submit(page, 'button[value=post]');
		},
	},
	{ name: 'search', role: 'guest', path: '/search?q=eyelid+twitch' },
	{ name: 'search-form', role: 'guest', path: '/search' },
	{ name: 'search-nothing', role: 'guest', path: '/search?q=xylophone+zebra' },
	{ name: 'login', role: 'guest', path: '/login' },
	{
		name: 'login-errors', role: 'guest', status: 401,
		async open(page) {
			await page.goto('/login');
			await page.fill('#login', 'zoe_m');
			await page.fill('#password', 'not-the-password');
			return submit(page, 'form[action="/login"] button[type=submit]');
		},
	},
	{ name: 'register', role: 'guest', path: '/register' },
	{
		name: 'register-errors', role: 'guest', status: 422,
		async open(page) {
			await page.goto('/register');
			await page.fill('#username', '1x');
			return submit(page, 'form[action="/register"] button[type=submit]');
		},
	},
	{ name: 'account', role: 'member', path: '/account' },
	{ name: 'profile', role: 'guest', path: '/u/helen_writes' },
	{ name: 'terms', role: 'guest', path: '/terms' },
	{ name: 'privacy', role: 'guest', path: '/privacy' },
	{ name: 'disclaimer', role: 'guest', path: '/disclaimer' },
	{ name: 'not-found', role: 'guest', status: 404, path: '/no-such-condition-here' },
	{
		name: 'edit-question', role: 'moderator',
		async open(page) { return page.goto(`${questionBase(await firstQuestion(page, TOPIC))}/edit`); },
	},
	{
		name: 'edit-answer', role: 'moderator',
		async open(page) {
			await page.goto(await firstQuestion(page, 'migraine'));
			const edit = await page.locator('.answer-list a[href$="/edit"]').first().getAttribute('href');
			return page.goto(edit);
		},
	},
	{
		// History with an earlier version in it: a moderator edits a question first.
		name: 'history-edited', role: 'moderator',
		async open(page) {
			const base = questionBase(await firstQuestion(page, 'asthma'));
			await page.goto(`${base}/edit`);
			await page.fill('#body', `${await page.inputValue('#body')}\n\nEdited by a moderator: a typo fixed.`);
			await page.fill('#note', 'typo');
			await submit(page, 'button[type=submit]:has-text("Save changes")');
			return page.goto(`${base}/history`);
		},
	},
	{ name: 'search-in-topic', role: 'guest', path: '/search?q=inhaler&topic=asthma' },
	{ name: 'admin-analytics', role: 'admin', path: '/admin/analytics' },
	{ name: 'forbidden', role: 'member', status: 403, path: '/admin/analytics' },
	{
		name: 'history', role: 'guest',
		async open(page) { return page.goto(`${questionBase(await firstQuestion(page, TOPIC))}/history`); },
	},
];
