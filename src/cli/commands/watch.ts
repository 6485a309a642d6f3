// `archipel watch CIRCLE`: follows a circle's log live through its event
// stream (GET /api/v1/circles/:id/events, server-sent events) and prints each
// new entry as a readable line, and each move of a provisional tally. The
// entries themselves are read from the log route, so what is printed is
// what the log holds.
import { Command, InvalidArgumentError } from 'commander';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Api } from '../api';
import type { CliContext } from '../context';
import { InputError } from '../errors';
import { EntryLine, formatEntry, formatTotals, shortId } from '../format';

function naturalArg(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('a whole number');
  return Number(value);
}

/** A log line as a readable entry: the payload is read, not verified (that is `archipel verify`'s job). */
export function entryLineOf(line: string): EntryLine & { kid: string } {
  const entry = JSON.parse(line) as { seq: number; recordedAt: string; jws: string };
  const [header, payload] = entry.jws.split('.');
  const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string };
  const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { type: string; body: Record<string, unknown> };
  return { seq: entry.seq, recordedAt: entry.recordedAt, type: p.type, signer: h.kid, kid: h.kid, body: p.body };
}

/** Names of signers by key id (SPEC §11: a kid names a key, GET /keys/:kid its member). */
function signerNames(api: Api): (kid: string) => Promise<string> {
  const cache = new Map<string, string>();
  return async (kid) => {
    const hit = cache.get(kid);
    if (hit !== undefined) return hit;
    let name = shortId(kid);
    for (const path of [`/api/v1/members/${encodeURIComponent(kid)}`, `/api/v1/keys/${encodeURIComponent(kid)}`]) {
      try {
        const answer = await api.get<{ name?: string; member?: string }>(path);
        if (answer.name) {
          name = answer.name;
          break;
        }
        if (answer.member) {
          name = (await api.get<{ name: string }>(`/api/v1/members/${encodeURIComponent(answer.member)}`)).name;
          break;
        }
      } catch {
        // try the next route
      }
    }
    cache.set(kid, name);
    return name;
  };
}

export function watchCommand(ctx: CliContext): Command {
  return new Command('watch')
    .description("Follow a circle's log live: one readable line per new entry, and provisional tallies as they move.")
    .argument('<circle>')
    .option('--from <seq>', 'start with the entries from this seq (default: only new ones)', naturalArg)
    .option('--max <n>', 'stop after printing this many entries', naturalArg)
    .addHelpText('after', '\nExamples:\n  archipel watch <circle>\n  archipel watch <circle> --from 0 --json     (JSON Lines: entries and tally moves)\n')
    .action(async (circle: string, o: { from?: number; max?: number }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const json = ctx.globals(cmd).json === true;
      const c = encodeURIComponent(circle);
      const size = (await a.api.get<{ size: number }>(`/api/v1/circles/${c}`)).size;
      let next = o.from ?? size;
      let printed = 0;
      const nameOf = signerNames(a.api);
      const names = new Map<string, string>();
      const done = (): boolean => o.max !== undefined && printed >= o.max;
      if (!json && ctx.io.stderr.isTTY) ctx.io.stderr.write(`${ctx.t(cmd)('watch.start', { circle, from: next })}\n`);

      const printFrom = async (): Promise<void> => {
        const res = await a.api.stream(`/api/v1/circles/${c}/log?from=${next}`, { accept: 'application/x-ndjson' });
        const text = await res.text();
        for (const line of text.split('\n')) {
          if (line === '' || done()) continue;
          const e = entryLineOf(line);
          const signer = await nameOf(e.kid);
          names.set(e.kid, signer);
          if (json) ctx.io.stdout.write(`${JSON.stringify({ event: 'entry', ...e })}\n`);
          else ctx.io.stdout.write(`${formatEntry(e, (id) => names.get(id) ?? shortId(id))}\n`);
          next = e.seq + 1;
          printed++;
        }
      };

      await printFrom();
      if (done()) return;
      const abort = new AbortController();
      const res = await a.api.stream(`/api/v1/circles/${c}/events`, { accept: 'text/event-stream', 'last-event-id': String(next - 1) }, abort.signal);
      if (res.body === null) throw new InputError('the event stream has no body');
      let chain = Promise.resolve();
      let failure: unknown = null;
      const parser = createParser({
        onEvent: (m: EventSourceMessage) => {
          chain = chain.then(async () => {
            if (done() || failure !== null) return;
            if (m.event === 'entry') {
              const seq = (JSON.parse(m.data) as { seq: number }).seq;
              if (seq >= next) await printFrom();
            } else if (m.event === 'tally') {
              const t = JSON.parse(m.data) as { proposal: string; provisional: { E: number; Y: number; N: number; A: number; O: number; lost: number; absent: number } };
              if (json) ctx.io.stdout.write(`${JSON.stringify({ event: 'tally', ...t })}\n`);
              else ctx.io.stdout.write(`   tally of ${shortId(t.proposal)} so far: ${formatTotals(t.provisional, 'amendment')}\n`);
            }
            if (done()) abort.abort();
          }).catch((e: unknown) => {
            failure ??= e;
            abort.abort();
          });
        },
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (done() || failure !== null) break;
        }
      } catch (e) {
        if (!abort.signal.aborted) throw new InputError(`the event stream broke: ${(e as Error).message}`);
      }
      await chain;
      if (failure !== null) throw failure;
    });
}
