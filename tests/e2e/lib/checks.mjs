// checks.mjs: what every page type must pass: axe (WCAG 2.2 AA, light and dark), one h1, lang,
// no horizontal scroll at 320 px, screenshots at 390 and 1280 px, and its HTML kept for vnu.
import AxeBuilder from '@axe-core/playwright';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
export const WIDTHS = [390, 1280];

function describeViolations(vs) {
	return vs.map((v) => `  [${v.id}] ${v.help}\n` +
		v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'))
		.join('\n');
}

// Switches the colour scheme and waits for CSS transitions to finish, so axe sees final colours.
async function scheme(page, colorScheme) {
	await page.emulateMedia({ colorScheme });
	await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
}

async function axe(page, label) {
	const res = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
	if (res.violations.length)
		return [`axe (${label}): ${res.violations.length} violation(s)\n${describeViolations(res.violations)}`];
	return [];
}

// Runs every check on the page as it is now; html is the server's response text. Returns a
// list of problems (empty when the page passes) and writes artifacts/{shots,html}/name.*.
export async function checkPage(page, name, html, artifacts) {
	const problems = [];
	mkdirSync(join(artifacts, 'html'), { recursive: true });
	mkdirSync(join(artifacts, 'shots'), { recursive: true });
	writeFileSync(join(artifacts, 'html', `${name}.html`), html);

	const facts = await page.evaluate(() => ({
		h1: document.querySelectorAll('h1').length,
		lang: document.documentElement.getAttribute('lang'),
		inlineScripts: [...document.scripts].filter((s) => !s.src).length,
		skipFirst: (() => {
			const a = document.querySelector('a[href], button, input, select, textarea');
			return a && a.classList.contains('skip-link');
		})(),
	}));
	if (facts.h1 !== 1) problems.push(`expected one h1, found ${facts.h1}`);
	if (facts.lang !== 'en') problems.push(`html lang is ${facts.lang}`);
	if (facts.inlineScripts) problems.push(`${facts.inlineScripts} inline script(s)`);
	if (!facts.skipFirst) problems.push('the first focusable element is not the skip link');

	await scheme(page, 'light');
	problems.push(...await axe(page, 'light'));
	await scheme(page, 'dark');
	problems.push(...await axe(page, 'dark'));
	await scheme(page, 'light');

	const vp = page.viewportSize();
	await page.setViewportSize({ width: 320, height: 640 });
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	if (overflow > 0) problems.push(`scrolls sideways by ${overflow}px at 320px width`);
	for (const w of WIDTHS) {
		await page.setViewportSize({ width: w, height: 900 });
		await page.screenshot({ path: join(artifacts, 'shots', `${name}-${w}.png`), fullPage: true });
	}
	await page.setViewportSize(vp);
	return problems;
}

// Validates the saved HTML files with the Nu HTML checker in one JVM; returns errors per file.
export async function validateHtml(files) {
	const jar = String((await import('vnu-jar')).default);
	let out;
	try {
		out = await promisify(execFile)('java', ['-Xss4m', '-jar', jar, '--format', 'json', '--exit-zero-always', ...files],
			{ maxBuffer: 64 << 20 });
	} catch (e) {
		throw new Error(`vnu could not run: ${e.message}`);
	}
	const msgs = JSON.parse(out.stderr || out.stdout || '{"messages":[]}').messages;
	return msgs.filter((m) => m.type === 'error' || (m.type === 'non-document-error'));
}
