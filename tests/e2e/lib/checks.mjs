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

// Tabs through the page (up to 60 stops) and checks that every stop shows a focus indicator
// (an outline of at least 2px, or a label ring for visually hidden inputs) and is on screen.
async function focusWalk(page) {
	const problems = [];
	await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
	await page.keyboard.press('Tab');
	const seen = new Set();
	for (let i = 0; i < 60; i++) {
		const f = await page.evaluate(() => {
			const el = document.activeElement;
			if (!el || el === document.body) return null;
			const cs = getComputedStyle(el);
			let ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
			if (!ring && el.id) {
				const lab = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
				if (lab) { const ls = getComputedStyle(lab); ring = ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) >= 2; }
			}
			const r = el.getBoundingClientRect();
			const desc = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className ? `.${String(el.className).split(' ')[0]}` : '')
				+ ` "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
			return { desc, ring, visible: r.width > 0 && r.height > 0, key: desc + r.top + r.left };
		});
		if (!f || seen.has(f.key)) break;
		seen.add(f.key);
		if (!f.ring) problems.push(`keyboard focus on ${f.desc} has no visible focus indicator`);
		if (!f.visible) problems.push(`keyboard focus lands on ${f.desc}, which has no size on screen`);
		await page.keyboard.press('Tab');
	}
	if (seen.size === 0) problems.push('Tab reaches nothing on the page');
	await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
	return problems;
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

	problems.push(...await focusWalk(page));

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
	await scheme(page, 'dark');
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
	await page.screenshot({ path: join(artifacts, 'shots', `${name}-${WIDTHS[0]}-dark.png`), fullPage: true });
	await scheme(page, 'light');
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
