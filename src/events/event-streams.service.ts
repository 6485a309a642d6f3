// GET /circles/:id/events: server-sent events of a circle's log. Each API process keeps one tail
// per circle someone watches: cued by the Redis channel (log-events.hub.ts), and every 15 s by a
// look at the log's head in case a cue was lost, it reads the new entries once from the database
// and hands them to every stream of that circle, then recomputes the provisional tallies the
// entries can move. A stream resumes after `Last-Event-ID` (an entry's seq) by reading the gap from
// the database; entries are always read by seq, so a stream never skips or repeats one.
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/rules/domain-error';
import { AppConfigService } from '../config/app-config';
import { EntrySummary, LedgerRepository } from '../ledger/ledger.repository';
import { ProposalsService } from '../proposals/proposals.service';
import type { EntryEvent, TallyEvent } from './dto/event.answers';
import { LogEventsHub } from './log-events.hub';

/** How often a watched circle's log head is read, in case a cue was lost. */
const CHECK_MS = 15_000;
const PAGE = 500;
/** A client this far behind (bytes not yet sent) is dropped; it resumes with Last-Event-ID. */
const MAX_BUFFERED = 8 * 1024 * 1024;
/** Entries after which a provisional tally may have moved: on one proposal, or on every open one. */
const MOVES_ONE = new Set(['vote.cast', 'vote.retract']);
const MOVES_ALL = new Set(['delegation.set', 'delegation.revoke', 'member.leave']);

interface Stream {
  circle: string;
  /** The seq of the last entry sent (-1: none). */
  sent: number;
  /** Writes, in order. */
  chain: Promise<void>;
  closed: boolean;
  write(chunk: string): void;
}

interface Tail {
  circle: string;
  /** The seq after the last entry read. */
  next: number;
  /** The log size the last cue announced. */
  target: number;
  streams: Set<Stream>;
  /** The last provisional tally sent per open proposal (JSON). */
  provisional: Map<string, string>;
  draining: boolean;
  stopped: boolean;
  stop(): void;
}

@Injectable()
export class EventStreamsService implements OnModuleDestroy {
  private readonly logger = new Logger('EventStreams');
  private readonly tails = new Map<string, Promise<Tail>>();
  private readonly open = new Set<() => void>();

  /** A comment line this often keeps proxies and browsers from closing an idle stream (EVENTS_KEEP_ALIVE_SECONDS). */
  private readonly keepAliveMs: number;

  constructor(
    private readonly hub: LogEventsHub,
    private readonly ledger: LedgerRepository,
    private readonly proposals: ProposalsService,
    config: AppConfigService,
  ) {
    this.keepAliveMs = config.get('EVENTS_KEEP_ALIVE_SECONDS') * 1000;
  }

  /** Answer the request with the circle's event stream, after `lastEventId` (or `after`) when given. */
  async stream(circle: string, resume: { lastEventId?: string; after?: number }, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const head = await this.ledger.head(circle);
    if (!head) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${circle}`);
    const from = resume.lastEventId !== undefined ? lastEventSeq(resume.lastEventId) : resume.after;
    let tail = await this.tail(circle);
    // Its last stream may have closed (and stopped it) while this one waited: take a fresh tail.
    while (tail.stopped) tail = await this.tail(circle);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    const stream: Stream = {
      circle,
      sent: Math.min(from ?? head.size - 1, head.size - 1),
      chain: Promise.resolve(),
      closed: false,
      write: (chunk) => {
        if (stream.closed) return;
        raw.write(chunk);
        if (raw.writableLength > MAX_BUFFERED) raw.destroy();
      },
    };
    stream.write(`retry: 2000\n: ${circle} size ${head.size}\n\n`);
    const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), this.keepAliveMs);
    tail.streams.add(stream);
    const close = () => {
      if (stream.closed) return;
      stream.closed = true;
      clearInterval(keepAlive);
      tail.streams.delete(stream);
      this.open.delete(close);
      if (!tail.streams.size) this.release(tail);
      raw.end();
    };
    this.open.add(close);
    // The response closes when the client goes away (or at the end).
    raw.on('close', close);
    raw.on('error', close);
    // What it missed (a resume), up to where the tail has read; the tail sends what follows.
    this.enqueue(stream, () => this.catchUp(stream, tail.next));
  }

  private tail(circle: string): Promise<Tail> {
    let tail = this.tails.get(circle);
    if (!tail) {
      tail = this.startTail(circle);
      this.tails.set(circle, tail);
      tail.catch(() => this.tails.delete(circle));
    }
    return tail;
  }

  private async startTail(circle: string): Promise<Tail> {
    const tail: Tail = { circle, next: 0, target: 0, streams: new Set(), provisional: new Map(), draining: false, stopped: false, stop: () => undefined };
    const unlisten = await this.hub.listen(circle, (size) => this.cue(tail, size));
    // Read the head only once listening: a commit after this read is cued, one before is in it.
    const size = (await this.ledger.head(circle))?.size ?? 0;
    tail.next = tail.target = size;
    const check = setInterval(() => {
      this.ledger
        .head(circle)
        .then((head) => head && this.cue(tail, head.size))
        .catch((e: Error) => this.logger.warn(`Head of ${circle}: ${e.message}`));
    }, CHECK_MS);
    tail.stop = () => {
      clearInterval(check);
      unlisten();
    };
    return tail;
  }

  private release(tail: Tail): void {
    tail.stopped = true;
    tail.stop();
    this.tails.delete(tail.circle);
  }

  private cue(tail: Tail, size: number): void {
    tail.target = Math.max(tail.target, size);
    if (tail.draining || tail.next >= tail.target) return;
    tail.draining = true;
    this.drain(tail)
      .catch((e: Error) => this.logger.warn(`Reading ${tail.circle} for its streams: ${e.message}`))
      .finally(() => {
        tail.draining = false;
      });
  }

  private async drain(tail: Tail): Promise<void> {
    while (tail.next < tail.target && tail.streams.size) {
      const entries = await this.ledger.entrySummaries(tail.circle, tail.next, tail.target, PAGE);
      if (!entries.length) return;
      tail.next = entries[entries.length - 1].seq + 1;
      for (const stream of tail.streams) this.enqueue(stream, () => this.send(stream, entries));
      await this.tallies(tail, entries);
    }
  }

  /** SPEC §5.2: the provisional tallies these entries can have moved; a `tally` event for each that did. */
  private async tallies(tail: Tail, entries: EntrySummary[]): Promise<void> {
    const proposals = new Set<string>();
    for (const e of entries) {
      if (MOVES_ONE.has(e.type)) proposals.add(proposalOfVote(e.line));
      else if (MOVES_ALL.has(e.type)) for (const id of await this.proposals.openProposalIds(tail.circle)) proposals.add(id);
    }
    for (const proposal of proposals) {
      const provisional = await this.proposals.provisionalOf(proposal);
      if (!provisional) {
        tail.provisional.delete(proposal);
        continue;
      }
      const json = JSON.stringify(provisional);
      if (tail.provisional.get(proposal) === json) continue;
      tail.provisional.set(proposal, json);
      const event: TallyEvent = { proposal, provisional };
      const chunk = `event: tally\ndata: ${JSON.stringify(event)}\n\n`;
      for (const stream of tail.streams) this.enqueue(stream, async () => stream.write(chunk));
    }
  }

  /** The entries of the stream's log from the one after `sent` up to `upTo` (excluded), from the database. */
  private async catchUp(stream: Stream, upTo: number): Promise<void> {
    while (stream.sent + 1 < upTo && !stream.closed) {
      const entries = await this.ledger.entrySummaries(stream.circle, stream.sent + 1, upTo, PAGE);
      if (!entries.length) return;
      this.write(stream, entries);
    }
  }

  private async send(stream: Stream, entries: EntrySummary[]): Promise<void> {
    if (entries[0].seq > stream.sent + 1) await this.catchUp(stream, entries[0].seq);
    this.write(stream, entries);
  }

  private write(stream: Stream, entries: EntrySummary[]): void {
    let chunk = '';
    for (const e of entries) {
      if (e.seq <= stream.sent) continue;
      const event: EntryEvent = { circle: stream.circle, seq: e.seq, type: e.type, leaf: e.leaf, recordedAt: e.recordedAt };
      chunk += `id: ${e.seq}\nevent: entry\ndata: ${JSON.stringify(event)}\n\n`;
      stream.sent = e.seq;
    }
    if (chunk) stream.write(chunk);
  }

  private enqueue(stream: Stream, step: () => Promise<void>): void {
    stream.chain = stream.chain
      .then(() => (stream.closed ? undefined : step()))
      .catch((e: Error) => {
        this.logger.warn(`Event stream of ${stream.circle}: ${e.message}`);
      });
  }

  /** Before the HTTP server closes: end every stream (a client reconnects with Last-Event-ID). */
  onModuleDestroy(): void {
    for (const close of [...this.open]) close();
  }
}

/** `Last-Event-ID`: the seq of the last entry the client received. */
function lastEventSeq(value: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value.trim())) {
    throw new DomainError('INVALID_REQUEST', 'Last-Event-ID must be the id (seq) of an entry event this stream sent', 'Last-Event-ID');
  }
  return Number(value.trim());
}

/** The proposal a vote.cast or vote.retract entry is about (read from the stored, verified entry). */
function proposalOfVote(line: string): string {
  const { jws } = JSON.parse(line) as { jws: string };
  const payload = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8')) as { body: { proposal: string } };
  return payload.body.proposal;
}
