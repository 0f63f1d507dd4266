// site.mjs: browser and session helpers shared by the page list and the flows.
import { chromium } from 'playwright-core';

export const PASSWORD = 'demo-password-1';
// Demo accounts by role (data/demo/demo.json).
export const ACCOUNTS = { member: 'zoe_m', guide: 'helen_writes', moderator: 'priya', admin: 'admin' };

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'];

export function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: CHROMIUM_ARGS,
	});
}

// Every request any page makes; the suite fails if one leaves the site's origin.
export const offsite = [];

export class Site {
	constructor(browser, base) {
		this.browser = browser;
		this.base = base;
		this.contexts = [];
	}

	// A fresh browser context (own cookies), logged in as role unless role is 'guest'.
	async context(role = 'guest', opts = {}) {
		const ctx = await this.browser.newContext({ baseURL: this.base, viewport: { width: 1280, height: 900 }, ...opts });
		this.contexts.push(ctx);
		ctx.on('request', (req) => {
			const u = req.url();
			if (u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') return;
			if (new URL(u).origin !== this.base) offsite.push(`${req.frame()?.url() ?? '?'} -> ${u}`);
		});
		if (role !== 'guest') {
			const page = await ctx.newPage();
			await login(page, ACCOUNTS[role] || role);
			await page.close();
		}
		return ctx;
	}

	async close() {
		for (const c of this.contexts) await c.close().catch(() => {});
	}
}

// Submits the form that holds `button` and waits for the page it leads to; returns its response.
const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
	'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

// Answers a form's CAPTCHA the way a person who cannot read the image would: through its
// text question ("What is seven plus four?").
export async function solveCaptcha(form) {
	const box = form.locator('#captcha_answer');
	if (!(await box.count()))
		return;
	const q = await form.locator('#captcha_question strong').innerText();
	const m = /What is (\w+) (plus|minus) (\w+)\?/.exec(q);
	if (!m)
		throw new Error(`unexpected CAPTCHA question: ${q}`);
	const x = NUMBERS.indexOf(m[1]), y = NUMBERS.indexOf(m[3]);
	await box.fill(String(m[2] === 'plus' ? x + y : x - y));
}

export async function submit(page, button) {
	const btn = page.locator(button).first();
	await solveCaptcha(btn.locator('xpath=ancestor::form[1]'));
	const [resp] = await Promise.all([page.waitForNavigation(), btn.click()]);
	return resp;
}

export async function login(page, username, password = PASSWORD) {
	await page.goto('/login');
	await page.fill('#login', username);
	await page.fill('#password', password);
	const resp = await submit(page, 'form[action="/login"] button[type=submit]');
	if (!(await page.locator('.site-nav a[href="/account"]').count()))
		throw new Error(`login as ${username} failed (status ${resp?.status()})`);
	return resp;
}

// The canonical URL of the first question listed on a topic page.
export async function firstQuestion(page, topic = 'hemifacial-spasm') {
	await page.goto(`/${topic}`);
	const href = await page.locator('.question-list a.question-title').first().getAttribute('href');
	if (!href) throw new Error(`no question on /${topic}`);
	return href;
}

// "/topic/questions/12-some-slug" -> "/topic/questions/12"
export function questionBase(url) {
	const m = url.match(/^(\/[^/]+\/questions\/\d+)/);
	if (!m) throw new Error(`not a question URL: ${url}`);
	return m[1];
}

// About 800 characters of varied words, so gzip gets no easy repeats (the page weight test).
const VOCAB = ('the a it my for with after before days weeks doctor nurse injection effect eye face muscle '
	+ 'spasm twitch eased better worse first second third dose clinic appointment diary notes helped calm '
	+ 'sleep stress coffee cold warm light tired morning evening drive work family friend asked told '
	+ 'neurologist botulinum toxin small needle cheek eyelid corner mouth smile droop weak strong months '
	+ 'expect notice change slowly quickly about around nearly almost usually sometimes never always').split(' ');
export function proseMaker(seed = 7) {
	const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
	return (n) => {
		let out = '';
		while (out.length < n) {
			const len = 6 + Math.floor(rnd() * 10);
			const w = Array.from({ length: len }, () => VOCAB[Math.floor(rnd() * VOCAB.length)]);
			out += `${w.join(' ')}. `;
		}
		return out.replace(/(^|\. )([a-z])/g, (m, p, c) => p + c.toUpperCase());
	};
}

// A guide (trusted: no CAPTCHA, no review) asks in topic and posts n answers, numbered
// "Answer 1: …" to "Answer n: …" (each about chars long). Returns the question's path.
export async function questionWithAnswers(site, { topic = 'hemifacial-spasm', title, n, chars = 120 }) {
	const ctx = await site.context('guide');
	const page = await ctx.newPage();
	await page.goto(`/${topic}/ask`);
	await page.fill('#title', title);
	await page.fill('#body', 'A question asked by the browser tests, with enough words for the form to accept it.');
	await submit(page, 'button[value=post]');
	const url = new URL(page.url()).pathname;
	const action = (await page.getAttribute('#answer-form form', 'action')).split('#')[0];
	const csrf = await page.inputValue('#answer-form input[name=csrf]');
	const prose = proseMaker(n);
	for (let i = 1; i <= n; i++) {
		const r = await ctx.request.post(action, { form: { csrf, body: `Answer ${i}: ${prose(chars)}` }, maxRedirects: 0 });
		if (r.status() !== 303) throw new Error(`answer ${i}: status ${r.status()}`);
	}
	await ctx.close();
	return url;
}

// One question with 45 answers (three pages of 20), made once for the page types and flows.
let many;
export function manyAnswers(site) {
	many ??= questionWithAnswers(site, { title: `What helped you most in the first year? ${Date.now().toString(36)}`, n: 45 });
	return many;
}

// The path of the first link starting with prefix in a mail to `to` that the server wrote to
// mailDir (no SMTP in the browser tests); waits up to 15 s for the mail worker.
export async function mailLink(mailDir, to, prefix) {
	const { readdirSync, readFileSync } = await import('node:fs');
	const { join } = await import('node:path');
	for (let i = 0; i < 150; i++) {
		let names = [];
		try { names = readdirSync(mailDir); } catch { /* not made yet */ }
		for (const n of names) {
			const text = readFileSync(join(mailDir, n), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
			const at = text.indexOf(prefix);
			if (at >= 0 && text.includes(to)) return text.slice(at).match(/^[^\s"<>]+/)[0];
		}
		await new Promise((ok) => setTimeout(ok, 100));
	}
	throw new Error(`no mail to ${to} with ${prefix}`);
}

// Joins as a person does: the form (with the CAPTCHA), then the link in the mail, which signs
// the page's browser in.
export async function join(page, mailDir, name, displayName, password) {
	await page.goto('/register');
	await page.fill('#username', name);
	await page.fill('#display_name', displayName);
	await page.fill('#email', `${name}@example.test`);
	await page.fill('#password', password);
	await submit(page, 'form[action="/register"] button[type=submit]');
	if (!/Check your email/.test(await page.locator('h1').innerText())) throw new Error('sign-up was not accepted');
	await page.goto(await mailLink(mailDir, `${name}@example.test`, '/join/'));
	await submit(page, 'main form button[type=submit]');
}
