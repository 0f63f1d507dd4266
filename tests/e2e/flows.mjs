// flows.mjs: what people do on the site, end to end in the browser. To add a flow, add an entry
// { name, run(site, env) }; site.context(role) gives a browser context (guest or logged in).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';

import { firstQuestion, join, manyAnswers, proseMaker, questionBase, submit } from './lib/site.mjs';

const uniq = () => Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);

// Asks a question; returns whether the "did you mean" step came first (without JavaScript,
// when similar questions exist, the first Post lists them and keeps the form).
async function ask(page, topic, title, body) {
	await page.goto(`/${topic}/ask`);
	await page.fill('#title', title);
	await page.fill('#body', body);
	let resp = await submit(page, 'button[value=post]');
	const step = (await page.locator('#similar-h', { hasText: 'Did you mean' }).count()) > 0;
	if (step) {
		assert.equal(resp.status(), 200);
		assert.equal(await page.inputValue('#title'), title, 'the step keeps the text');
		assert.ok((await page.locator('.similar a').count()) > 0, 'the step lists similar questions');
		resp = await submit(page, 'button[value=post]');
	}
	assert.equal(resp.status(), 200);
	assert.equal(await page.locator('h1').innerText(), title);
	assert.match(await page.locator('.flash').innerText(), /Your question is posted/);
	return step;
}

async function answer(page, body) {
	await page.fill('#answer-form #body', body);
	const resp = await submit(page, '#answer-form button[type=submit]');
	assert.equal(resp.status(), 200);
	assert.match(await page.locator('.flash').innerText(), /Your answer is posted/);
	assert.ok(await page.locator('.answer-list .post-body', { hasText: body }).count(), 'the answer is shown');
}

// GET with gzip, not decoded: the bytes a phone would download.
function gzBytes(base, path) {
	return new Promise((ok, fail) => {
		const req = httpRequest(`${base}${path}`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
			let n = 0;
			res.on('data', (d) => { n += d.length; });
			res.on('end', () => ok({ status: res.statusCode, bytes: n, enc: res.headers['content-encoding'], headers: res.headers }));
		});
		req.on('error', fail);
		req.end();
	});
}

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

export const flows = [
	{
		name: 'guest finds a topic, searches, asks a question and answers it',
		async run(site) {
			const ctx = await site.context('guest');
			const page = await ctx.newPage();
			await page.goto('/');
			await page.getByRole('link', { name: /Hemifacial Spasm/ }).first().click();
			await page.waitForURL('**/hemifacial-spasm');
			assert.equal(await page.locator('h1').innerText(), 'Hemifacial Spasm');

			await page.fill('#site-search', 'eyelid');
			await submit(page, '.header-search button');
			assert.match(page.url(), /\/search\?q=eyelid/);
			assert.ok(await page.locator('.question-list mark').count() > 0, 'search highlights the words');

			await page.goto('/hemifacial-spasm');
			await page.getByRole('link', { name: 'Ask the Community' }).click();
			const title = `Does warm weather make the spasm worse? ${uniq()}`;
			const step = await ask(page, 'hemifacial-spasm', title, 'Since summer began the twitching near my eye comes more often in the afternoon.');
			assert.equal(step, false, 'with JavaScript the similar questions show while typing: no extra step');
			await answer(page, 'For me a cool cloth over the eye for ten minutes helped on hot days.');

			await page.goto(`/search?q=${encodeURIComponent('warm weather spasm')}`);
			assert.ok(await page.locator('.question-list a', { hasText: title }).count(), 'the new question is found by search');
		},
	},
	{
		name: 'a form with mistakes comes back with the text, a summary and errors tied to fields',
		async run(site) {
			const page = await (await site.context('guest')).newPage();
			await page.goto('/hemifacial-spasm/ask');
			await page.fill('#title', 'Too short');
			await page.fill('#body', 'My text stays here.');
			const resp = await submit(page, 'button[value=post]');
			assert.equal(resp.status(), 422);
			assert.equal(await page.inputValue('#title'), 'Too short');
			assert.equal(await page.inputValue('#body'), 'My text stays here.');
			const summary = page.locator('#error-summary');
			assert.ok(await summary.isVisible());
			assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
			assert.match(await page.getAttribute('#title', 'aria-describedby'), /\btitle-error\b/);
			assert.match(await page.locator('#title-error').innerText(), /at least/);
			// The summary links to the field.
			await summary.locator('a[href="#title"]').click();
			assert.equal(await page.evaluate(() => document.activeElement.id), 'title');
		},
	},
	{
		name: 'a member registers, logs out, logs in, edits a question and sees its history',
		async run(site, { mailDir }) {
			const page = await (await site.context('guest')).newPage();
			const name = `e2e_${uniq()}`.slice(0, 30);
			await join(page, mailDir, name, 'Test Reader', 'a-long-password-1');
			assert.match(await page.locator('.flash').innerText(), /Welcome to the community/);

			await submit(page, '.site-nav button');
			assert.match(await page.locator('.flash').innerText(), /logged out/);
			await page.goto('/login');
			await page.fill('#login', name);
			await page.fill('#password', 'a-long-password-1');
			await submit(page, 'form[action="/login"] button[type=submit]');
			assert.ok(await page.locator('.site-nav a[href="/account"]').count());

			const title = `How do I track how often my eyelid twitches? ${uniq()}`;
			await ask(page, 'blepharospasm', title, 'I want to show my neurologist a simple record of the spasms each day.');
			const url = new URL(page.url()).pathname;
			await page.getByRole('link', { name: 'Edit your question' }).click();
			await page.fill('#body', 'I want to show my neurologist a simple daily record of the spasms and what I did.');
			await page.fill('#note', 'clearer wording');
			await submit(page, 'button[type=submit]:has-text("Save changes")');
			assert.match(await page.locator('.flash').innerText(), /changes are saved/);
			await page.goto(`${questionBase(url)}/history`);
			assert.match(await page.locator('main').innerText(), /simple record of the spasms each day/);
			assert.match(await page.locator('main').innerText(), /clearer wording/);
		},
	},
	{
		name: 'a member saves a draft and finds it filled in later',
		async run(site) {
			const page = await (await site.context('member')).newPage();
			const title = `Draft: does caffeine matter for migraine? ${uniq()}`;
			await page.goto('/migraine/ask');
			await page.fill('#title', title);
			await page.fill('#body', 'Half written: I drink three coffees a day and');
			await submit(page, 'button[value=draft]');
			assert.match(await page.locator('.flash').innerText(), /draft is saved/);
			await page.goto('/account');
			assert.ok(await page.locator('.question-list a', { hasText: title }).count(), 'the draft is listed on the account page');
			await page.goto('/migraine/ask');
			assert.equal(await page.inputValue('#title'), title);
			await submit(page, 'button[value=discard]');
			await page.goto('/migraine/ask');
			assert.equal(await page.inputValue('#title'), '');
		},
	},
	{
		name: 'with JavaScript off a guest can still ask and answer',
		async run(site) {
			const page = await (await site.context('guest', { javaScriptEnabled: false })).newPage();
			const title = `Is it safe to exercise with asthma in cold air? ${uniq()}`;
			const step = await ask(page, 'asthma', title, 'Cold mornings make me cough when I run. Should I stop running in winter?');
			assert.ok(step, 'without JavaScript, posting first shows the similar asthma questions');
			await answer(page, 'A scarf over the mouth warms the air; ask your nurse about using your inhaler before.');
		},
	},
	{
		name: 'keyboard: the skip link is the first stop and moves focus to the main content',
		async run(site) {
			const page = await (await site.context('guest')).newPage();
			await page.goto('/hemifacial-spasm');
			await page.keyboard.press('Tab');
			assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
			assert.ok(await page.locator('.skip-link').isVisible(), 'the skip link shows when focused');
			await page.keyboard.press('Enter');
			await page.keyboard.press('Tab');
			const inMain = await page.evaluate(() => !!document.activeElement.closest('main'));
			assert.ok(inMain, 'after the skip link, Tab goes into the main content');
		},
	},
	{
		name: 'privacy and security headers on every page',
		async run(site, { base }) {
			for (const path of ['/', '/hemifacial-spasm', '/search?q=eye', '/login', '/nope-nope']) {
				const r = await gzBytes(base, path);
				const h = r.headers;
				const csp = h['content-security-policy'] || '';
				assert.match(csp, /default-src 'self'/, path);
				assert.match(csp, /script-src 'self'(;|$)/, path);
				assert.doesNotMatch(csp, /unsafe-(inline|eval)/, path);
				assert.match(csp, /frame-ancestors 'none'/, path);
				assert.ok(h['referrer-policy'], `${path} Referrer-Policy`);
				assert.ok(h['permissions-policy'], `${path} Permissions-Policy`);
				assert.equal(h['set-cookie'], undefined, `${path}: a guest reading a page gets no cookie`);
			}
		},
	},
	{
		name: 'a question page with 20 answers weighs under 60 KB compressed',
		async run(site, { base, artifacts }) {
			// Posted by a guide through the browser's own session (guides are trusted, so a guest
			// CAPTCHA or rate limit does not get in the way of measuring).
			const ctx = await site.context('guide');
			const page = await ctx.newPage();
			const title = `How long does a botulinum injection take to work? ${uniq()}`;
			await ask(page, 'hemifacial-spasm', title, 'My first injection is next week. When should I expect to notice a change?');
			const url = new URL(page.url()).pathname;
			const action = (await page.getAttribute('#answer-form form', 'action')).split('#')[0];
			const csrf = await page.inputValue('#answer-form input[name=csrf]');
			// About 800 characters each of varied words, so gzip gets no easy repeats.
			const prose = proseMaker(7);
			for (let i = 1; i <= 20; i++) {
				const r = await ctx.request.post(action, { form: { csrf, body: prose(800) }, maxRedirects: 0 });
				assert.equal(r.status(), 303, `answer ${i}`);
			}
			const resp = await page.goto(url);
			assert.equal(await page.locator('.answer-list > li').count(), 20);
			await page.context().clearCookies(); // weigh what a guest downloads
			const assets = await page.evaluate(() => [
				...[...document.querySelectorAll('link[rel=stylesheet], link[rel=icon]')].map((l) => l.getAttribute('href')),
				...[...document.scripts].map((s) => s.getAttribute('src')),
			]);
			let total = 0;
			const parts = [];
			for (const p of [url, ...assets]) {
				const r = await gzBytes(base, p);
				assert.equal(r.status, 200, p);
				total += r.bytes;
				parts.push(`${p}: ${r.bytes} B${r.enc ? ` (${r.enc})` : ''}`);
			}
			const { writeFileSync } = await import('node:fs');
			writeFileSync(`${artifacts}/page-weight.txt`, `${parts.join('\n')}\ntotal: ${total} B\n`);
			assert.ok(resp.ok());
			assert.ok(total < 60 * 1024, `question page with 20 answers is ${total} bytes compressed:\n${parts.join('\n')}`);
		},
	},
	{
		name: 'print: an article prints as text only, without navigation or forms',
		async run(site, { artifacts }) {
			const page = await (await site.context('guest')).newPage();
			await page.goto(await firstQuestion(page));
			await page.emulateMedia({ media: 'print' });
			const shown = await page.evaluate(() => Object.fromEntries(
				['.site-nav', '.header-search', '#answer-form', '.breadcrumbs', '.footer-nav', '.skip-link', 'h1', '.post-body', '.disclaimer']
					.map((s) => [s, getComputedStyle(document.querySelector(s)).display !== 'none'])));
			assert.deepEqual(shown, {
				'.site-nav': false, '.header-search': false, '#answer-form': false, '.breadcrumbs': false,
				'.footer-nav': false, '.skip-link': false, h1: true, '.post-body': true, '.disclaimer': true,
			});
			await page.pdf({ path: `${artifacts}/question-print.pdf` });
		},
	},
	{
		name: 'site.js: character counters count and announce near the limit',
		async run(site) {
			const page = await (await site.context('guest')).newPage();
			await page.goto('/hemifacial-spasm/ask');
			const counter = page.locator('#title + .counter');
			assert.match(await counter.innerText(), /^0 of 150 characters$/);
			await page.fill('#title', 'Short one');
			assert.match(await counter.innerText(), /9 characters: at least 10 needed/);
			await page.fill('#title', 'x'.repeat(145));
			assert.match(await counter.innerText(), /145 of 150 characters/);
			assert.equal(await counter.getAttribute('data-state'), 'near');
			assert.equal(await counter.locator('[aria-live]').innerText(), '5 characters left');
			await page.fill('#body', 'é'.repeat(30));
			assert.match(await page.locator('#body + .counter').innerText(), /30 of 20,000 characters/, 'code points, not bytes');
			// The answer form has one too.
			await page.goto(await firstQuestion(page));
			assert.match(await page.locator('#answer-form .counter').innerText(), /0 of 20,000 characters/);
		},
	},
	{
		name: 'site.js: similar questions appear while a title is typed',
		async run(site, { base }) {
			const page = await (await site.context('guest')).newPage();
			await page.goto('/hemifacial-spasm/ask');
			assert.ok(await page.locator('.similar').isHidden());
			await page.fill('#title', 'Can I keep driving when my eye closes?');
			const link = page.locator('.similar li a').first();
			await link.waitFor();
			assert.match(await link.getAttribute('href'), /^\/hemifacial-spasm\/questions\/\d+-/);
			assert.match(await page.locator('form [aria-live]').last().innerText(), /similar question/);
			// The JSON endpoint itself.
			const r = await fetch(`${base}/hemifacial-spasm/similar?title=${encodeURIComponent('botox injections')}`);
			assert.equal(r.status, 200);
			assert.match(r.headers.get('content-type'), /^application\/json/);
			const j = await r.json();
			assert.ok(j.questions.length >= 1 && j.questions.length <= 5);
			assert.ok(j.questions.every((q) => q.url.startsWith('/hemifacial-spasm/questions/') && typeof q.answers === 'number'));
			assert.equal((await fetch(`${base}/no-such-topic/similar?title=anything`)).status, 404);
			assert.deepEqual(await (await fetch(`${base}/hemifacial-spasm/similar?title=a`)).json(), { questions: [] });
		},
	},
	{
		name: 'analytics: page views are counted per topic without cookies and shown to admins',
		async run(site, { base }) {
			const before = await topicViews(site, 'type-2-diabetes');
			const reader = await (await site.context('guest', { userAgent: BROWSER_UA })).newPage();
			for (let i = 0; i < 3; i++) await reader.goto('/type-2-diabetes');
			assert.deepEqual(await reader.context().cookies(), [], 'reading leaves no cookie');
			// Robots are not counted.
			await fetch(`${base}/type-2-diabetes`, { headers: { 'User-Agent': 'ExampleBot/1.0 (+crawler)' } });
			let after = before;
			for (let t = 0; t < 40 && after < before + 3; t++) {
				await new Promise((r) => setTimeout(r, 500));
				after = await topicViews(site, 'type-2-diabetes');
			}
			assert.equal(after, before + 3, 'three views counted (counts are flushed every 5 s)');
		},
	},
	{
		name: 'load more answers: with JavaScript in place, focus moved and announced; without, a plain link',
		async run(site) {
			const url = await manyAnswers(site);
			const page = await (await site.context('guest')).newPage();
			await page.goto(url);
			const items = page.locator('.answer-list > li');
			assert.equal(await items.count(), 20);
			assert.match(await page.locator('.answers-range').innerText(), /1–20 of 45/);
			const more = page.getByRole('button', { name: /Load more answers/ });
			assert.match(await more.innerText(), /21–40 of 45/);
			const live = page.locator('.answers [aria-live=polite]');
			// Keyboard: the button is a normal Tab stop and Enter presses it.
			await more.focus();
			const [resp] = await Promise.all([
				page.waitForResponse((r) => /\/answers\?page=2$/.test(r.url())),
				page.keyboard.press('Enter'),
			]);
			assert.equal(resp.status(), 200);
			await items.nth(39).waitFor();
			assert.equal(await items.count(), 40);
			assert.match(await items.nth(20).innerText(), /Answer 21:/);
			assert.equal(page.url().endsWith(url), true, 'no navigation');
			const focused = await page.evaluate(() => document.activeElement.closest('li')?.id);
			assert.equal(focused, await items.nth(20).getAttribute('id'), 'focus moves to the first new answer');
			assert.match(await live.innerText(), /20 more answers loaded: answers 1 to 40 of 45 are shown/);
			assert.match(await page.locator('.answers-range').innerText(), /1–40 of 45/);
			// The new answers work like the first ones: their rating forms are there.
			assert.equal(await items.nth(30).locator('form.rating-form').count(), 1);
			await more.click();
			await items.nth(44).waitFor();
			assert.equal(await items.count(), 45);
			assert.equal(await page.getByRole('button', { name: /Load more answers/ }).count(), 0, 'nothing more to load');
			assert.match(await live.innerText(), /5 more answers loaded.*These are all the answers/);
			// No answer twice.
			const ids = await items.evaluateAll((els) => els.map((e) => e.id));
			assert.equal(new Set(ids).size, 45);

			// Without JavaScript: the link goes to page 2, which links on to page 3 and back.
			const plain = await (await site.context('guest', { javaScriptEnabled: false })).newPage();
			await plain.goto(url);
			const link = plain.getByRole('link', { name: /More answers/ });
			assert.equal(await link.getAttribute('rel'), 'next');
			await Promise.all([plain.waitForNavigation(), link.click()]);
			assert.match(plain.url(), /\?answers=2$/);
			assert.equal(await plain.locator('.answer-list > li').count(), 20);
			assert.equal(await plain.locator('.answer-list').getAttribute('start'), '21');
			assert.match(await plain.locator('.answer-list > li').first().innerText(), /Answer 21:/);
			assert.match(await plain.title(), /answers 21–40 of 45/);
			assert.ok(await plain.locator('a[rel=prev]').count(), 'a link back to the first answers');
			await Promise.all([plain.waitForNavigation(), plain.getByRole('link', { name: /More answers/ }).click()]);
			assert.equal(await plain.locator('.answer-list > li').count(), 5);
			assert.equal(await plain.getByRole('link', { name: /More answers/ }).count(), 0);
		},
	},
	{
		name: 'keyboard and screen reader: rating stars are a radio group, Enter saves without a reload',
		async run(site) {
			const page = await (await site.context('member')).newPage();
			await page.goto(await manyAnswers(site)); // a question nobody has rated yet
			const posts = [];
			page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
			// Tab from the top of the page to the question's stars.
			let onStar = false;
			for (let i = 0; i < 80 && !onStar; i++) {
				await page.keyboard.press('Tab');
				onStar = await page.evaluate(() => document.activeElement.name === 'stars' && !!document.activeElement.closest('#question'));
			}
			assert.ok(onStar, 'Tab reaches the rating of the question');
			const group = page.getByRole('group', { name: /^Rate this question/ });
			assert.equal(await group.count(), 1, 'the stars are a group named "Rate this question"');
			assert.equal(await group.getByRole('radio').count(), 5);
			const name = () => page.evaluate(() => document.querySelector(`label[for="${document.activeElement.id}"]`).innerText.trim());
			assert.equal(await page.evaluate(() => document.activeElement.type), 'radio');
			assert.match(await name(), /^★\s*1 star$/);
			// Space chooses, arrows move the choice: nothing is sent yet.
			await page.keyboard.press('Space');
			for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
			assert.match(await name(), /4 stars$/);
			assert.ok(await group.getByRole('radio', { name: '4 stars', checked: true }).count());
			assert.ok(!(await group.getByRole('radio', { name: '1 star', checked: true }).count()));
			assert.deepEqual(posts, [], 'choosing with the keyboard does not save');
			// Enter saves, without a reload; the status line says so; focus stays on the star.
			const [resp] = await Promise.all([
				page.waitForResponse((r) => r.url().endsWith('/rate') && r.request().method() === 'POST'),
				page.keyboard.press('Enter'),
			]);
			assert.equal(resp.status(), 200);
			const status = page.locator('#question .rating-status');
			assert.equal(await status.getAttribute('role'), 'status');
			await page.waitForFunction(() => /saved/.test(document.querySelector('#question .rating-status').textContent));
			assert.equal(await status.innerText(), 'Thank you: your rating of 4 stars is saved.');
			assert.equal(posts.length, 1);
			assert.equal(await page.evaluate(() => document.activeElement.id), 'q-star-4');
			assert.match(await page.locator('#question legend').innerText(), /you gave 4 of 5/);
			assert.match(await page.locator('#question .rating-summary').innerText(), /out of 5/);
			assert.ok(await group.getByRole('radio', { name: '4 stars', checked: true }).count());
			// After a reload the server agrees.
			await page.reload();
			assert.match(await page.locator('#question legend').innerText(), /you gave 4 of 5/);
			assert.equal(await page.locator('#q-star-4').isChecked(), true);
			// A click on a star saves at once.
			await Promise.all([
				page.waitForResponse((r) => r.url().endsWith('/rate')),
				page.locator('label[for="q-star-5"]').click(),
			]);
			await page.waitForFunction(() => /5 stars is saved/.test(document.querySelector('#question .rating-status').textContent));
		},
	},
	{
		name: 'keyboard with JavaScript off: the rating is a plain form post',
		async run(site) {
			const page = await (await site.context('guest', { javaScriptEnabled: false })).newPage();
			await page.goto(await firstQuestion(page, 'asthma'));
			let onStar = false;
			for (let i = 0; i < 80 && !onStar; i++) {
				await page.keyboard.press('Tab');
				onStar = await page.evaluate(() => document.activeElement.name === 'stars' && !!document.activeElement.closest('#question'));
			}
			assert.ok(onStar, 'Tab reaches the rating of the question');
			await page.keyboard.press('Space');
			await page.keyboard.press('ArrowRight');
			await page.keyboard.press('ArrowRight');
			assert.equal(await page.evaluate(() => document.activeElement.id), 'q-star-3');
			await page.keyboard.press('Tab');
			assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Rate');
			const [resp] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
			assert.equal(resp.status(), 200);
			assert.match(await page.locator('.flash').innerText(), /your rating is saved/);
			assert.match(await page.locator('#question legend').innerText(), /you gave 3 of 5/);
			assert.equal(await page.locator('#q-star-3').isChecked(), true);
		},
	},
	{
		name: 'a member registers, logs in, rates an answer and subscribes to a question and a topic',
		async run(site, { mailDir }) {
			const page = await (await site.context('guest')).newPage();
			const name = `rater_${uniq()}`.slice(0, 30);
			await join(page, mailDir, name, 'Rating Reader', 'a-long-password-2');
			assert.match(await page.locator('.flash').innerText(), /Welcome to the community/);
			await submit(page, '.site-nav button');
			await page.goto('/login');
			await page.fill('#login', name);
			await page.fill('#password', 'a-long-password-2');
			await submit(page, 'form[action="/login"] button[type=submit]');
			assert.ok(await page.locator('.site-nav a[href="/account"]').count(), 'logged in');

			// Rate This: a tap on the fifth star of the first answer saves it without a reload.
			await page.goto('/hemifacial-spasm/questions/2'); // a demo question with answers
			const answer = page.locator('.answer-list > li').first();
			const [rated] = await Promise.all([
				page.waitForResponse((r) => r.url().endsWith('/rate')),
				answer.locator('.rating-form label').nth(4).click(),
			]);
			assert.equal(rated.status(), 200, await rated.text());
			await page.waitForFunction((id) => /5 stars is saved/.test(document.querySelector(`#${id} .rating-status`).textContent),
				await answer.getAttribute('id'));
			assert.match(await answer.locator('legend').innerText(), /Rate this answer \(you gave 5 of 5/);
			await page.reload();
			assert.match(await answer.locator('legend').innerText(), /you gave 5 of 5/);

			// Get Email Updates on the question: a new address is confirmed first.
			const box = page.locator('#updates');
			assert.equal(await box.getByRole('heading').innerText(), 'Get Email Updates');
			await submit(page, '#updates button[type=submit]');
			assert.match(await page.locator('.flash').innerText(), /check your inbox|you will get these emails/);
			assert.match(await page.locator('#updates').innerText(), /We sent a link|You get these emails/);
			assert.ok(await page.getByRole('button', { name: 'Stop these emails' }).count());

			// And on the topic: a daily digest.
			await page.goto('/hemifacial-spasm');
			await page.locator('#updates').getByLabel('A daily digest').check();
			await submit(page, '#updates button[type=submit]');
			assert.match(await page.locator('.flash').innerText(), /check your inbox|you will get these emails/);
			assert.ok(await page.locator('#updates').getByRole('button', { name: 'Stop these emails' }).count());
			await page.goto('/account');
			const subs = await page.locator('main').innerText();
			assert.match(subs, /Hemifacial Spasm/);
		},
	},
	{
		name: 'a moderator hides an answer and guests no longer see it',
		async run(site) {
			const guest = await (await site.context('guest')).newPage();
			const url = await firstQuestion(guest, 'blepharospasm');
			await guest.goto(url);
			const text = `Sunglasses with a side shield helped me outdoors. ${uniq()}`;
			await answer(guest, text);
			const aid = (await guest.locator('.answer-list > li', { hasText: text }).getAttribute('id')).replace('answer-', '');

			const mod = await (await site.context('moderator')).newPage();
			await mod.goto(url);
			await mod.locator(`#answer-${aid}`).getByRole('link', { name: 'Moderate' }).click();
			await mod.waitForURL(`**/mod/post?type=answer&id=${aid}`);
			assert.match(await mod.locator('.mod-body').innerText(), /Sunglasses with a side shield/);
			await mod.getByLabel(/^Reason/).fill('Test of hiding: off topic');
			await submit(mod, 'button[name=action][value=hide]');
			assert.match(await mod.locator('.flash').innerText(), /Done/);
			await mod.goto('/mod/log');
			assert.match(await mod.locator('main').innerText(), /Test of hiding: off topic/);

			// A guest (a new visitor, and the one who posted) no longer sees it.
			const other = await (await site.context('guest')).newPage();
			await other.goto(url);
			assert.equal(await other.locator(`#answer-${aid}`).count(), 0);
			assert.doesNotMatch(await other.locator('main').innerText(), /side shield/);
			await guest.reload();
			assert.equal(await guest.locator(`#answer-${aid}`).count(), 0);
		},
	},
];

let adminPage;
async function topicViews(site, slug) {
	adminPage ??= await (await site.context('admin')).newPage();
	const resp = await adminPage.goto('/admin/analytics');
	assert.equal(resp.status(), 200);
	const row = adminPage.locator(`tr:has(a[href="/${slug}"]) td.num`);
	return (await row.count()) ? Number((await row.innerText()).replace(/\D/g, '')) : 0;
}

export { firstQuestion };
