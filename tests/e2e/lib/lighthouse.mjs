// lighthouse.mjs: Lighthouse scores (mobile, simulated throttling) with Debian's chromium.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

import { CHROMIUM_ARGS } from './site.mjs';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

// Returns { url: { scores: { category: 0..100 }, failing: { category: [audit…] } } }.
export async function lighthouseScores(urls) {
	const chrome = await chromeLauncher.launch({
		chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
		chromeFlags: CHROMIUM_ARGS,
		logLevel: 'silent',
	});
	const out = {};
	try {
		for (const url of urls) {
			const r = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES });
			const lhr = r.lhr;
			const scores = {};
			for (const c of CATEGORIES) scores[c] = Math.round((lhr.categories[c].score ?? 0) * 100);
			// Per category, the weighted audits that did not pass.
			const failing = {};
			for (const c of CATEGORIES) {
				failing[c] = lhr.categories[c].auditRefs
					.filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
					.map((ref) => `${ref.id}: ${lhr.audits[ref.id].displayValue || lhr.audits[ref.id].title}`);
			}
			out[url] = { scores, failing, runtimeError: lhr.runtimeError?.message };
		}
	} finally {
		await chrome.kill();
	}
	return out;
}
