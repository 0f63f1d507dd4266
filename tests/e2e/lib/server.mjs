// server.mjs: starts build/carecircle on a free loopback port with a fresh SQLite file and the demo.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Options for `serve` in the browser tests. Features that slow or limit people on purpose
// (rate limits, minimum time to fill a form) add their test settings here; E2E_SERVE_ARGS
// adds more from the environment.
export const SERVE_ARGS = ['--secret', 'e2e-secret-e2e-secret-e2e-secret-0', '--threads', '2',
	// The abuse limits are tested in tests/http; here a test person fills forms at machine speed.
	'--min-fill-seconds', '0', '--rate-guest-posts', '10000', '--rate-member-posts', '10000',
	'--rate-registrations', '10000', '--rate-reads', '100000'];

function freePort() {
	return new Promise((ok, fail) => {
		const s = createServer();
		s.on('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
	});
}

async function waitReady(base, proc, ms) {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		if (proc.exitCode !== null) throw new Error(`carecircle serve exited with ${proc.exitCode}`);
		try {
			const r = await fetch(`${base}/healthz`);
			if (r.ok) return;
		} catch { /* not listening yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('carecircle serve did not answer /healthz in time');
}

// Starts the server; returns { base, stop() }. The log goes to artifacts/server.log.
export async function startServer(artifacts) {
	const bin = resolve(process.env.CARECIRCLE_BIN || '../../build/carecircle');
	const dir = mkdtempSync(join(tmpdir(), 'carecircle-e2e-'));
	const dbPath = join(dir, 'e2e.db');
	execFileSync(bin, ['demo', '--db', dbPath], { stdio: 'ignore' });
	const port = await freePort();
	const log = openSync(join(artifacts, 'server.log'), 'w');
	const proc = spawn(bin, ['serve', '--db', dbPath, '--listen', `127.0.0.1:${port}`, ...SERVE_ARGS,
		...(process.env.E2E_SERVE_ARGS || '').split(' ').filter(Boolean)],
	{ stdio: ['ignore', log, log], cwd: dir }); // mail without SMTP lands in dir/data/mail, removed at stop
	const base = `http://127.0.0.1:${port}`;
	await waitReady(base, proc, 20000);
	return {
		base,
		mailDir: join(dir, 'data', 'mail'),
		async stop() {
			if (proc.exitCode === null) {
				const done = new Promise((r) => proc.once('exit', r));
				proc.kill('SIGTERM');
				await done;
			}
			rmSync(dir, { recursive: true, force: true });
			return proc.exitCode;
		},
	};
}
