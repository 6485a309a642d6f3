// Instances of a federation run by one test: each its own port, database, queue prefix, instance key
// (a file, so its note key is known before it starts) and witness key; started in the test's process
// (API and workers), one after the other, each with its own environment.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '../../src/http-app';
import { LocalModule } from '../../src/local.module';
import { formatWitnessKey } from '../../src/core/formats/cosignature';
import { formatVerifierKey } from '../../src/core/formats/signed-note';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { createTestDatabase, TestDatabase } from './database';
import { embeddedTestDatabase, testRedisUrl } from './database-urls';
import { freePort } from './processes';

export type Instance = {
  name: string;
  port: number;
  url: string;
  env: Record<string, string>;
  db: TestDatabase;
  app?: NestFastifyApplication;
  /** signed-note key of its checkpoints */
  noteKey: string;
  /** cosignature/v1 key of its witness */
  witnessKey: string;
  /** the instance key, to make a forked checkpoint as a lying instance would */
  signer: StatementSigner;
};

export async function prepareInstance(dir: string, name: string): Promise<Instance> {
  const signer = StatementSigner.generate();
  const keyFile = join(dir, `${name}.jwk`);
  writeFileSync(keyFile, JSON.stringify(signer.exportPrivateJwk()), { mode: 0o600 });
  const seed = randomBytes(32);
  writeFileSync(join(dir, `${name}.witness`), seed.toString('base64'), { mode: 0o600 });
  const port = await freePort();
  const db = await createTestDatabase();
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    db,
    signer,
    noteKey: formatVerifierKey(name, signer.rawPublicKey),
    witnessKey: formatWitnessKey(`${name}/witness`, ed25519.getPublicKey(seed)),
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
      INSTANCE_NAME: name,
      INSTANCE_KEY_STORE: keyFile,
      // Its own data: the published-checkpoint mirror lives there, keyed by circle (registry included).
      DATA_DIR: join(dir, `${name}.data`),
      CHECKPOINT_MIRROR_DIR: join(dir, `${name}.published`),
      WITNESS_KEY_FILE: join(dir, `${name}.witness`),
      MIN_PROPOSAL_WINDOW_SECONDS: '1',
      CHECKPOINT_INTERVAL_SECONDS: '1',
      WITNESS_INTERVAL_SECONDS: '1',
      DATABASE_POOL_SIZE: '4',
      ...(embeddedTestDatabase() ? { ARCHIPEL_EMBEDDED_DATABASE: '1' } : {}),
    },
  };
}

export async function startInstance(instance: Instance): Promise<void> {
  Object.assign(process.env, instance.env);
  instance.app = await createHttpApp(LocalModule, { bufferLogs: false });
  await instance.app.listen({ port: instance.port, host: '127.0.0.1' });
}

export async function stopInstance(instance: Instance | undefined, drop = true): Promise<void> {
  await instance?.app?.close();
  if (instance) instance.app = undefined;
  if (drop) await instance?.db.drop();
}

/** Every instance witnesses every other, and asks all the others with a quorum of `k`. */
export function witnessEachOther(instances: Instance[], k: number): void {
  for (const me of instances) {
    const others = instances.filter((o) => o !== me);
    me.env.WITNESSED_LOGS = others.map((o) => o.noteKey).join(';');
    me.env.WITNESS_POLICY = [
      ...others.map((o, i) => `witness W${i} ${o.witnessKey} ${o.url}/witness`),
      `group peers ${k} ${others.map((_, i) => `W${i}`).join(' ')}`,
      'quorum peers',
    ].join(';');
  }
}

/** PEER_WITNESS_POLICY for instances that witness each other: any `k` of all their witnesses (a peer cannot cosign its own log). */
export function peerPolicy(instances: Instance[], k: number): string {
  return [...instances.map((o, i) => `witness P${i} ${o.witnessKey} ${o.url}/witness`), `group all-peers ${k} ${instances.map((_, i) => `P${i}`).join(' ')}`, 'quorum all-peers'].join(';');
}

export async function postText(url: string, body: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
