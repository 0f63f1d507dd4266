// e2e.test.mjs: the browser suite (node --test). Starts build/carecircle with the demo, drives
// Debian's chromium through playwright-core, and checks every page type (pages.mjs) with axe
// (WCAG 2.2 AA, light and dark) and the Nu HTML checker, then runs the flows (flows.mjs).
// Screenshots and the HTML of each page type go to artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { checkPage, validateHtml } from './lib/checks.mjs';
import { startServer } from './lib/server.mjs';
import { firstQuestion, launch, manyAnswers, offsite, Site } from './lib/site.mjs';
import { flows } from './flows.mjs';
import { pageTypes } from './pages.mjs';

const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
let server, browser, site;
const htmlFiles = [];

before(async () => {
	rmSync(artifacts, { recursive: true, force: true });
	mkdirSync(artifacts, { recursive: true });
	server = await startServer(artifacts);
	browser = await launch();
	site = new Site(browser, server.base);
});

after(async () => {
	await site?.close();
	await browser?.close();
	const code = await server?.stop();
	assert.equal(code, 0, 'carecircle serve exited non-zero (see artifacts/server.log)');
});

test('page types pass axe (WCAG 2.2 AA) and the layout checks', async (t) => {
	const contexts = {};
	for (const pt of pageTypes) {
		await t.test(pt.name, async () => {
			contexts[pt.role] ??= await site.context(pt.role);
			const page = await contexts[pt.role].newPage();
			try {
				const resp = pt.open ? await pt.open(page, site) : await page.goto(pt.path);
				assert.ok(resp, 'no response');
				assert.equal(resp.status(), pt.status ?? 200, `status of ${page.url()}`);
				const html = await resp.text();
				const problems = await checkPage(page, pt.name, html, artifacts);
				htmlFiles.push(join(artifacts, 'html', `${pt.name}.html`));
				assert.deepEqual(problems, [], `${pt.name} (${page.url()}):\n${problems.join('\n')}`);
			} finally {
				await page.close();
			}
		});
	}
});

test('page types are valid HTML (Nu HTML checker)', async () => {
	assert.ok(htmlFiles.length > 0, 'no page HTML was collected');
	const errors = await validateHtml(htmlFiles);
	const text = errors.map((m) => `${m.url?.split('/').pop()}:${m.lastLine ?? '?'}: ${m.message} ${m.extract ? `[${m.extract.trim()}]` : ''}`);
	assert.deepEqual(text, [], `vnu errors:\n${text.join('\n')}`);
});

for (const f of flows) {
	test(f.name, async () => {
		await f.run(site, { artifacts, base: server.base, mailDir: server.mailDir });
	});
}

// Lighthouse (mobile, simulated throttling): >= 95 in every category on these pages. Search
// results are noindex on purpose, so there only the SEO audit "is-crawlable" may fail.
const LIGHTHOUSE_PAGES = [
	{ path: '/' },
	{ path: '/hemifacial-spasm' },
	{ path: '/hemifacial-spasm/questions/5', question: true },
	{ many: '' }, // a question with 45 answers: the first 20 and "Load more answers"
	{ many: '?answers=2' }, // and its second page of answers
	{ path: '/search' },
	{ path: '/search?q=eyelid', allowNoindex: true },
];

test('Lighthouse scores >= 95 in performance, accessibility, best practices and SEO',
	{ skip: process.env.E2E_LIGHTHOUSE === '0' && 'E2E_LIGHTHOUSE=0' }, async () => {
		const { lighthouseScores } = await import('./lib/lighthouse.mjs');
		const page = await (await site.context('guest')).newPage();
		const qurl = await firstQuestion(page, 'hemifacial-spasm');
		await page.close();
		const murl = await manyAnswers(site);
		const urls = LIGHTHOUSE_PAGES.map((p) => `${server.base}${p.question ? qurl : p.many !== undefined ? murl + p.many : p.path}`);
		const results = await lighthouseScores(urls);
		// A busy machine can slow one simulated run: measure a page again once, keep the best.
		const again = urls.filter((u) => results[u].scores.performance < 95);
		if (again.length) {
			const second = await lighthouseScores(again);
			for (const u of again)
				if (second[u].scores.performance > results[u].scores.performance) results[u] = second[u];
		}
		writeFileSync(join(artifacts, 'lighthouse.json'), JSON.stringify(results, null, 1));
		const bad = [];
		LIGHTHOUSE_PAGES.forEach((p, i) => {
			const r = results[urls[i]];
			if (r.runtimeError) bad.push(`${urls[i]}: ${r.runtimeError}`);
			for (const [cat, score] of Object.entries(r.scores)) {
				if (score >= 95) continue;
				if (cat === 'seo' && p.allowNoindex && r.failing.seo.every((f) => f.startsWith('is-crawlable'))) continue;
				bad.push(`${urls[i]} ${cat} ${score}; failing: ${r.failing[cat].join('; ')}`);
			}
		});
		assert.deepEqual(bad, [], bad.join('\n'));
	});

test('no page made a request to another origin', () => {
	assert.deepEqual(offsite, [], `requests that left the site:\n${offsite.join('\n')}`);
});
