// `npm run bench:verify` — the offline verifier on a large log. Generates, in
// a temporary directory, a registry of ~1,000 members and one circle log of
// BENCH_ENTRIES (default 1,000,000) entries signed with real keys, plus signed
// checkpoints, then times `archipel verify` through the very function the CLI
// calls. Goal: under 90 s for 1,000,000 entries on 2 cores.
//
// Environment: BENCH_ENTRIES (log size), BENCH_MEMBERS (default 1,000),
// BENCH_THREADS (verifier threads, default the available parallelism),
// BENCH_SERIAL=1 (also time the single-threaded reference path),
// BENCH_KEEP=1 (keep the generated files), BENCH_DIR=<dir> (verify the files
// a BENCH_KEEP=1 run kept there instead of generating new ones).
import '../src/platform/node';
import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runVerify, VerifyReport } from '../src/cli/archipel';
import { cryptoProvider, importPublicKey, verifyEd25519 } from '../src/core/crypto/crypto';
import { Ed25519PrivateJwk } from '../src/core/formats/keys';
import { StatementSigner } from '../src/core/formats/statement-signer';
import { formatTimestamp, fromBase64url } from '../src/core/formats/canonical-json';
import { encodeEntry, prevOf } from '../src/core/formats/entry';
import { StreamingMerkle } from '../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../src/core/formats/signed-note';
import { derivedId } from '../src/core/formats/ids';
import { envInt } from './bench-support';

const GOAL_SECONDS = 90;
const GOAL_ENTRIES = 1_000_000;
const INSTANCE_NAME = 'bench.archipel.test';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const CHUNK = 5_000; // statements signed per worker request
const SIGNER_WORKER = 'archipel-bench-signer';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';


/** A canonical ULID, unique per seq: the time part of `at`, then seq in base 32. */
function ulidOf(ms: number, seq: number): string {
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  let tail = '';
  for (let i = 0, n = seq; i < 16; i++, n = Math.floor(n / 32)) tail = CROCKFORD[n % 32] + tail;
  return time + tail;
}

const atOf = (seq: number): string => formatTimestamp(T0 + seq);

// ---------------------------------------------------------------- the statements of the circle log

interface SignerPlan {
  circle: string;
  /** the motion the votes point at (opened at seq 2m − 1) */
  proposal: string;
  members: Ed25519PrivateJwk[];
  instance: Ed25519PrivateJwk;
}

/** The motion the votes point at, opened by member 0 right after everyone joined. */
function openingAt(seq: number, circle: string, opener: StatementSigner): string {
  const closesAt = atOf(seq + 365 * 86_400_000); // open for the whole log: every vote is on time
  return opener.sign('proposal.open', circle, { kind: 'motion', title: 'Bench motion', text: 'We plant ten trees.', closesAt }, { id: ulidOf(T0 + seq, seq), at: atOf(seq) });
}

/**
 * Statement `seq` (≥ 1) of the circle: member 0 invites everyone, each accepts, member 0 opens a
 * motion, then members take turns with statements of the everyday types — every one admissible
 * by the rules, since \`archipel verify\` replays them; every 1,000th entry is a system statement.
 */
function statementAt(seq: number, plan: SignerPlan, signers: StatementSigner[], instance: StatementSigner): string {
  const m = signers.length;
  const opts = { id: ulidOf(T0 + seq, seq), at: atOf(seq) };
  const { circle, proposal } = plan;
  if (seq <= 2 * (m - 1)) {
    const invitee = Math.ceil(seq / 2);
    return seq % 2 === 1
      ? signers[0].sign('member.invite', circle, { member: signers[invitee].id }, opts)
      : signers[invitee].sign('member.accept', circle, {}, opts);
  }
  if (seq === 2 * m - 1) return openingAt(seq, circle, signers[0]);
  if (seq % 1000 === 0) {
    const child = Buffer.from(String(seq).padStart(16, '0')).toString('base64url');
    return instance.sign('child.created', circle, { child, genesis: { leaf: Buffer.alloc(32, seq % 251).toString('base64url') } }, opts);
  }
  const s = signers[seq % m];
  const other = signers[(seq + 1) % m].id;
  switch (seq % 4) {
    case 0:
      return s.sign('regime.position', circle, { position: 'amendment' }, opts);
    case 1:
      return s.sign('vote.cast', circle, { proposal, choice: 'support' }, opts);
    case 2:
      return s.sign('delegation.set', circle, { to: other, scope: { circle: true } }, opts);
    default:
      return s.sign('proposal.open', circle, { kind: 'motion', title: `Motion ${seq}`, text: 'We plant ten trees.', closesAt: atOf(seq + 86_400_000) }, opts);
  }
}

function runSignerWorker(plan: SignerPlan): void {
  const signers = plan.members.map((jwk) => StatementSigner.fromPrivateJwk(jwk));
  const instance = StatementSigner.fromPrivateJwk(plan.instance);
  const port = parentPort as NonNullable<typeof parentPort>;
  port.on('message', ({ from, to }: { from: number; to: number }) => {
    const jws: string[] = [];
    for (let seq = from; seq < to; seq++) jws.push(statementAt(seq, plan, signers, instance));
    port.postMessage({ from, jws });
  });
}

/** Signs statements 1..n-1 on worker threads and yields them in order. */
async function* signedStatements(n: number, plan: SignerPlan, threads: number): AsyncGenerator<string[]> {
  const workers = Array.from({ length: threads }, () => new Worker(__filename, { workerData: { kind: SIGNER_WORKER, plan } }));
  const pending = new Map<number, Promise<string[]>>();
  const waiting = new Map<number, (jws: string[]) => void>();
  let next = 1;
  let turn = 0;
  const request = (from: number): void => {
    const to = Math.min(n, from + CHUNK);
    pending.set(from, new Promise((resolve) => waiting.set(from, resolve)));
    workers[turn++ % workers.length].postMessage({ from, to });
  };
  for (const w of workers) {
    w.on('message', ({ from, jws }: { from: number; jws: string[] }) => waiting.get(from)?.(jws));
    w.on('error', (e) => {
      throw e;
    });
  }
  try {
    for (let i = 0; i < threads * 2 && next + i * CHUNK < n; i++) request(next + i * CHUNK);
    let requested = Math.min(n, next + threads * 2 * CHUNK);
    while (next < n) {
      const jws = await (pending.get(next) as Promise<string[]>);
      pending.delete(next);
      waiting.delete(next);
      if (requested < n) {
        request(requested);
        requested = Math.min(n, requested + CHUNK);
      }
      next += jws.length;
      yield jws;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// ---------------------------------------------------------------- writing the files

interface Generated {
  dir: string;
  log: string;
  registry: string;
  checkpoint: string;
  registryCheckpoint: string;
  noteKey: string;
  bytes: number;
  seconds: number;
}

async function writeLines(path: string, batches: AsyncIterable<string[]> | Iterable<string[]>): Promise<void> {
  const out = createWriteStream(path);
  for await (const lines of batches) {
    if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Wraps statements into entries of `circle`, chaining prev, and keeps the running Merkle root. */
function entries(circle: string, tree: StreamingMerkle) {
  let prev: string | null = null;
  return (statements: string[]): string[] =>
    statements.map((jws) => {
      const seq = tree.size;
      const { line, leaf } = encodeEntry({ v: 1, circle, seq, prev, recordedAt: atOf(seq), jws });
      tree.push(leaf);
      prev = prevOf(leaf);
      return line;
    });
}

async function generate(n: number, memberCount: number, threads: number): Promise<Generated> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'archipel-verify-bench-'));
  const instance = StatementSigner.generate();
  const instancePublic = fromBase64url(instance.publicJwk.x) as Uint8Array;
  const instancePrivate = createPrivateKey({ key: { ...instance.exportPrivateJwk() }, format: 'jwk' });
  const note = (origin: string, size: number, root: Uint8Array): string =>
    signNote(formatCheckpoint(origin, size, root), INSTANCE_NAME, instancePublic, (m) => new Uint8Array(sign(null, m, instancePrivate)));
  const members = Array.from({ length: memberCount }, () => StatementSigner.generate());

  // The registry.
  const registryTree = new StreamingMerkle();
  const registryLines = entries('registry', registryTree)(
    members.map((s, i) => s.sign('member.register', null, { name: `Member ${i}` }, { id: ulidOf(T0 - 1000, i), at: atOf(-1000 + i) })),
  );
  const registry = join(dir, 'registry.jsonl');
  await writeLines(registry, [registryLines]);
  const registryCheckpoint = join(dir, 'registry-checkpoint.txt');
  writeFileSync(registryCheckpoint, note(`${INSTANCE_NAME}/registry`, registryTree.size, registryTree.root()));

  // The circle log.
  const genesis = members[0].sign('circle.create', null, { name: 'Bench', regime: 'do-ocracy' }, { id: ulidOf(T0, 0), at: atOf(0) });
  const circle = derivedId(genesis);
  const plan: SignerPlan = {
    circle,
    proposal: derivedId(openingAt(2 * members.length - 1, circle, members[0])),
    members: members.map((s) => s.exportPrivateJwk()),
    instance: instance.exportPrivateJwk(),
  };
  const tree = new StreamingMerkle();
  const wrap = entries(circle, tree);
  const log = join(dir, 'circle.jsonl');
  let shown = 0;
  async function* allLines(): AsyncGenerator<string[]> {
    yield wrap([genesis]);
    for await (const batch of signedStatements(n, plan, threads)) {
      yield wrap(batch);
      if (process.stderr.isTTY && tree.size - shown >= 50_000) {
        shown = tree.size;
        process.stderr.write(`\r  generated ${shown.toLocaleString('en-US')} / ${n.toLocaleString('en-US')}`);
      }
    }
    if (process.stderr.isTTY && shown > 0) process.stderr.write('\n');
  }
  await writeLines(log, allLines());
  const checkpoint = join(dir, 'checkpoint.txt');
  writeFileSync(checkpoint, note(`${INSTANCE_NAME}/circles/${circle}`, tree.size, tree.root()));

  const noteKey = formatVerifierKey(INSTANCE_NAME, instancePublic);
  writeFileSync(join(dir, 'note-key.txt'), `${noteKey}\n`);
  return {
    dir,
    log,
    registry,
    checkpoint,
    registryCheckpoint,
    noteKey,
    bytes: statSync(log).size,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The files a BENCH_KEEP=1 run left in `dir`. */
function reuse(dir: string): Generated {
  const log = join(dir, 'circle.jsonl');
  return {
    dir,
    log,
    registry: join(dir, 'registry.jsonl'),
    checkpoint: join(dir, 'checkpoint.txt'),
    registryCheckpoint: join(dir, 'registry-checkpoint.txt'),
    noteKey: readFileSync(join(dir, 'note-key.txt'), 'utf8').trim(),
    bytes: statSync(log).size,
    seconds: 0,
  };
}

// ---------------------------------------------------------------- timing the verifier

type Timed = { report: VerifyReport; cpuSeconds: number };

async function timeVerify(g: Generated, threads: number): Promise<Timed> {
  const cpu = process.cpuUsage(); // the whole process: worker threads included
  const report = await runVerify({
    log: g.log,
    registry: g.registry,
    checkpoint: g.checkpoint,
    registryCheckpoint: g.registryCheckpoint,
    key: g.noteKey,
    threads,
  });
  const used = process.cpuUsage(cpu);
  return { report, cpuSeconds: (used.user + used.system) / 1e6 };
}

/**
 * Microseconds of one bare Ed25519 verification on this machine: with the verifier's own provider
 * (libsodium, src/platform/node-crypto.ts), the floor; and with OpenSSL (node:crypto), the
 * yardstick earlier reports used.
 */
function ed25519VerifyMicros(): { provider: number; openssl: number } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(450, 0x61);
  const signature = sign(null, message, privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const handle = importPublicKey(raw);
  const rounds = 2000;
  const time = (once: () => boolean) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) if (!once()) throw new Error('verify failed');
    return Number(process.hrtime.bigint() - started) / 1e3 / rounds;
  };
  return { provider: time(() => verifyEd25519(handle, message, signature)), openssl: time(() => verify(null, message, publicKey, signature)) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function line({ report, cpuSeconds }: Timed, entries: number): string {
  const projected = (report.seconds * GOAL_ENTRIES) / entries;
  const verdict = projected < GOAL_SECONDS ? 'within' : 'OVER';
  const projection = entries === GOAL_ENTRIES ? '' : ` (≈ ${projected.toFixed(1)} s for ${fmt(GOAL_ENTRIES)})`;
  return (
    `  ${report.threads} thread${report.threads === 1 ? ' ' : 's'}: ${report.seconds.toFixed(2)} s wall${projection}, ` +
    `${fmt(entries / report.seconds)} entries/s, CPU ${cpuSeconds.toFixed(1)} s (${fmt((cpuSeconds * 1e6) / entries)} µs/entry)` +
    ` — goal: under ${GOAL_SECONDS} s for ${fmt(GOAL_ENTRIES)} entries on 2 cores: ${verdict}`
  );
}

async function main(): Promise<void> {
  const n = envInt('BENCH_ENTRIES', GOAL_ENTRIES);
  const memberCount = Math.min(envInt('BENCH_MEMBERS', 1000), Math.max(1, Math.floor((n - 1) / 2)));
  const cores = availableParallelism();
  const threads = envInt('BENCH_THREADS', cores);
  const load = loadavg()[0];
  console.log(`verify bench: ${fmt(n)} entries, ${fmt(memberCount)} members, ${cores} cores, load average ${load.toFixed(2)}`);
  const reused = process.env.BENCH_DIR;
  const g = reused ? reuse(reused) : await generate(n, memberCount, cores);
  if (reused) console.log(`  reusing ${g.dir}: log ${(g.bytes / 2 ** 20).toFixed(0)} MiB`);
  else console.log(`  generated in ${g.seconds.toFixed(1)} s: log ${(g.bytes / 2 ** 20).toFixed(0)} MiB in ${g.dir}`);
  try {
    const timed = await timeVerify(g, threads);
    const { report } = timed;
    if (report.log.size !== n) throw new Error(`verified ${report.log.size} entries, expected ${n}`);
    console.log(line(timed, n));
    if (process.env.BENCH_SERIAL === '1' && threads !== 1) console.log(line(await timeVerify(g, 1), n));
    // Signatures dominate: their bare cost on this machine bounds what any verifier can do here.
    const micros = ed25519VerifyMicros();
    const floor = (micros.provider * GOAL_ENTRIES) / 1e6 / Math.min(2, cores);
    console.log(
      `  bare Ed25519 verification here: ${micros.provider.toFixed(0)} µs each (${cryptoProvider().name}; OpenSSL ${micros.openssl.toFixed(0)} µs), ` +
        `so ${fmt(GOAL_ENTRIES)} signatures alone take ≥ ${floor.toFixed(0)} s on ${Math.min(2, cores)} cores of this machine`,
    );
    const mem = process.memoryUsage();
    console.log(`  main thread memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    if (process.env.BENCH_KEEP === '1' || reused) console.log(`  kept ${g.dir}`);
    else rmSync(g.dir, { recursive: true, force: true });
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === SIGNER_WORKER) {
  runSignerWorker((workerData as { plan: SignerPlan }).plan);
} else if (isMainThread && require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
