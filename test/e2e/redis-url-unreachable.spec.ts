// REDIS_URL set to an address where nothing answers: the service stops at once with one message
// that says what to check and what to start (and never prints the URL's password).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { adminUrl } from '../support/database-urls';
import { freePort } from '../support/processes';

const SCRIPTS = ['main.js', 'worker.js'].map((name) => resolve(__dirname, '../../dist', name));

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((r) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.once('exit', (code) => r({ code, stderr }));
  });
}

describe('REDIS_URL pointing at nothing', () => {
  it.each(SCRIPTS)('%s stops with a message saying what to check and start', async (script) => {
    const port = await freePort();
    const { code, stderr } = await run(script, { REDIS_URL: `redis://:s3cret-password@127.0.0.1:${port}`, DATABASE_URL: adminUrl(), LOG_LEVEL: 'warn' });
    expect(code).toBe(1);
    expect(stderr).toContain(`REDIS_URL=redis://:***@127.0.0.1:${port}`);
    expect(stderr).toContain('redis-cli');
    expect(stderr).toContain('redis-server');
    expect(stderr).toContain('leave REDIS_URL unset');
    expect(stderr).not.toContain('s3cret-password');
    // one paragraph, no stack trace
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
