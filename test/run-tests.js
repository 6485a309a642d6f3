#!/usr/bin/env node
// `npm test`: runs Jest against the machine's PostgreSQL and Redis when they answer (the default
// addresses, or TEST_DATABASE_URL / TEST_REDIS_URL); otherwise against the same embedded defaults
// as `npm start` (PGlite, a redis-server child), in band, and says so.
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');
const net = require('node:net');

const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

async function pgAnswers() {
  const client = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisAnswers() {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const s = net.createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

(async () => {
  const args = process.argv.slice(2);
  const env = { ...process.env, TZ: 'UTC' };
  const [pg, redis] = await Promise.all([pgAnswers(), redisAnswers()]);
  if (!pg || !redis) {
    const missing = [!pg && `PostgreSQL (${pgUrl})`, !redis && `Redis (${redisUrl})`].filter(Boolean).join(' and ');
    process.stdout.write(
      `\nNOTE: ${missing} did not answer: the tests run on the embedded defaults of \`npm start\` ` +
        `(PGlite${redis ? '' : ' and a redis-server child process'}), one file at a time.\n\n`,
    );
    if (!pg) env.ARCHIPEL_TEST_EMBEDDED_DB = '1';
    if (!redis) env.ARCHIPEL_TEST_EMBEDDED_REDIS = '1';
    args.push('--runInBand');
  }
  const jest = require.resolve('jest/bin/jest');
  const result = spawnSync(process.execPath, [jest, ...args], { stdio: 'inherit', env });
  process.exit(result.status ?? 1);
})();
