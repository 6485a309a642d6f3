// Reads a V8 CPU profile (`node --cpu-prof`, as BENCH_SERVER_ARGS gives the API process) and
// prints where the busy time went: by function (self and inclusive) and by package, as shares of
// the non-idle time. `--from`/`--to` keep the samples taken between that many seconds before the
// profile's end, so one phase of bench:ingest can be read apart from the setup (its phases print
// their durations, and the profile ends when the API is stopped, right after the last phase).
//
//   npm run build:bench
//   node dist-bench/bench/cpu-profile.js /tmp/prof/CPU.*.cpuprofile --from 12 --to 2
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '30' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node dist-bench/bench/cpu-profile.js FILE.cpuprofile [--from SECONDS] [--to SECONDS] [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const from = values.from === undefined ? Infinity : Number(values.from);
const to = values.to === undefined ? 0 : Number(values.to);
const top = Number(values.top);

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per node, counting only the samples inside the window (seconds before the end).
const spent = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  const before = (profile.endTime - at) / 1e6;
  if (before <= from && before >= to) spent.set(id, (spent.get(id) ?? 0) + delta);
});

const frameName = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
};
const packageOf = (n: ProfileNode) => {
  const url = n.callFrame.url;
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  if (url.includes('node_modules/')) return url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/') ? 'this service' : url;
};

let total = 0;
let idle = 0;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, t] of spent) {
  const node = nodes.get(id)!;
  total += t;
  if (node.callFrame.functionName === '(idle)') {
    idle += t;
    continue;
  }
  self.set(frameName(node), (self.get(frameName(node)) ?? 0) + t);
  packages.set(packageOf(node), (packages.get(packageOf(node)) ?? 0) + t);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const name = frameName(nodes.get(n)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + t);
  }
}

const busy = total - idle;
const share = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
const list = (title: string, entries: Map<string, number>, skip: (name: string) => boolean = () => false) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, t] of [...entries].filter(([name]) => !skip(name)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${share(t)}  ${name}\n`);
  }
};
process.stdout.write(
  `${(total / 1e6).toFixed(1)} s of samples in the window, ${(busy / 1e6).toFixed(1)} s busy (${((100 * idle) / Math.max(total, 1)).toFixed(1)} % idle); shares below are of the busy time\n`,
);
list('self time, by function', self);
list('inclusive time, by function (the event loop and the root left out)', inclusive, (name) => /^\((root|program)\)|^processTicksAndRejections|^runMicrotasks/.test(name));
list('self time, by package', packages);
