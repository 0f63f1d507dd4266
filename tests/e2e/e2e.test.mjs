// e2e.test.mjs: the browser suite (node --test). Starts build/carecircle with the demo, drives
// Debian's chromium through playwright-core, and checks every page type (pages.mjs) with axe
// (WCAG 2.2 AA, light and dark) and the Nu HTML checker, then runs the flows (flows.mjs).
// Screenshots and the HTML of each page type go to artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { checkPage, validateHtml } from './lib/checks.mjs';
import { startServer } from './lib/server.mjs';
import { launch, offsite, Site } from './lib/site.mjs';
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
				const resp = pt.open ? await pt.open(page) : await page.goto(pt.path);
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
		await f.run(site, { artifacts, base: server.base });
	});
}

test('no page made a request to another origin', () => {
	assert.deepEqual(offsite, [], `requests that left the site:\n${offsite.join('\n')}`);
});
