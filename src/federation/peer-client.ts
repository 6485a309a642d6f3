// Talking to the instances this one federates with (SPEC §12.2): each peer's key is pinned at first
// contact from its `/.well-known/archipel.json` (like an SSH host key) and every checkpoint it shows
// is held to the ones it showed before, so that a peer which shows two histories of one log is
// caught, its evidence kept and its requests held until an operator decides.
import { Injectable, Logger } from '@nestjs/common';
import { equalBytes } from '../core/crypto/crypto';
import { isEd25519PublicJwk, memberIdOf } from '../core/formats/keys';
import type { Checkpoint } from '../core/formats/signed-note';
import { DomainError } from '../core/rules/domain-error';
import { checkConsistencyProof, instanceFromNoteKey } from '../core/verify/checkpoint-checks';
import { CheckpointFailure } from '../core/verify/verification';
import { FederationSettings } from './federation-settings';
import { PeersRepository, PinnedPeer, SeenCheckpoint } from './peers.repository';

/** A peer's checkpoint checked against the newest seen of its log (`against`), not recorded yet. */
export interface HeldCheckpoint {
  peer: PinnedPeer;
  origin: string;
  note: string;
  checkpoint: Checkpoint;
  request?: unknown;
  against: SeenCheckpoint | null;
}

/** Compare-and-set rounds before `record` gives up (each lost round means another request recorded). */
const RECORD_ATTEMPTS = 8;

/** A peer answered, with a status other than 2xx: its JSON error body (§10) when it has one. */
export class PeerAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: { code?: string; message?: string } | null,
    peer: string,
  ) {
    super(`${peer} answered ${status}${body?.code ? ` ${body.code}` : ''}${body?.message ? `: ${body.message}` : ''}`);
  }
}

@Injectable()
export class PeerClient {
  private readonly logger = new Logger('Federation');

  constructor(
    private readonly settings: FederationSettings,
    private readonly peers: PeersRepository,
  ) {}

  /** The instance a qualified id or an origin names, as a configured peer with its pinned key. */
  async pinned(name: string): Promise<PinnedPeer> {
    const address = this.settings.peers.get(name);
    if (!address) {
      throw new DomainError('UNKNOWN_PEER', `${name} is not a peer of this instance: its operator adds it to FEDERATION_PEERS (docs/federation.md)`);
    }
    const known = await this.peers.peer(name);
    if (known) return known;
    const described = await this.request<{ name?: unknown; kid?: unknown; jwk?: unknown; noteKey?: unknown }>(name, address.url, 'GET', '/.well-known/archipel.json');
    const { kid, jwk, noteKey } = described;
    if (described.name !== name || typeof kid !== 'string' || !isEd25519PublicJwk(jwk) || typeof noteKey !== 'string') {
      throw new DomainError('PEER_BAD_PROOF', `${address.url}/.well-known/archipel.json does not describe an instance named ${name}`);
    }
    let identity;
    try {
      identity = instanceFromNoteKey(noteKey);
    } catch (e) {
      throw new DomainError('PEER_BAD_PROOF', `${name}'s noteKey: ${(e as Error).message}`);
    }
    if (memberIdOf(jwk) !== kid || identity.kid !== kid || identity.name !== name) {
      throw new DomainError('PEER_BAD_PROOF', `${name}'s kid, jwk and noteKey are not one key named ${name}`);
    }
    const pinned = await this.peers.pin({ name, url: address.url, kid, jwk, noteKey });
    this.logger.log(`Pinned the key of ${name} (${pinned.kid}) at first contact`);
    return pinned;
  }

  /** A peer that proved it equivocates is held: nothing it sends is taken until an operator decides. */
  async trusted(name: string): Promise<PinnedPeer> {
    const peer = await this.pinned(name);
    if (peer.flaggedAt) {
      throw new DomainError('PEER_EQUIVOCATED', `${name} was caught showing two histories (${peer.flagReason}); its requests are held until an operator decides (docs/federation.md#equivocation)`);
    }
    return peer;
  }

  get<T>(peer: string, path: string): Promise<T> {
    return this.request<T>(peer, this.urlOf(peer), 'GET', path);
  }

  /** One entry line of a peer's log (`GET …/log?from=seq`), as it serves it. */
  async entryLine(peer: string, circle: string, seq: number): Promise<string> {
    const url = `${this.urlOf(peer)}/api/v1/circles/${circle}/log?from=${seq}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (e) {
      throw new DomainError('PEER_UNREACHABLE', `${peer} cannot be reached: ${(e as Error).message}; it will be tried again`);
    }
    const text = await res.text();
    if (!res.ok) throw new PeerAnswer(res.status, null, peer);
    const line = text.split('\n')[0];
    if (!line) throw new DomainError('PEER_BAD_PROOF', `${peer} serves no entry ${seq} of ${circle}`);
    return line;
  }

  post<T>(peer: string, path: string, body: unknown): Promise<T> {
    return this.request<T>(peer, this.urlOf(peer), 'POST', path, body);
  }

  /**
   * Holds a checkpoint of `origin` the peer signed (its signature checked by the caller) to the
   * newest one it showed before: the same size with another root, or no consistency proof between
   * them, is an equivocation: the evidence is kept, the peer flagged, and PEER_EQUIVOCATED thrown.
   * Nothing is recorded yet: once every other check of the request passed, `record` the held
   * checkpoints (which checks again, atomically, whatever was recorded meanwhile).
   */
  async holdConsistent(peer: PinnedPeer, origin: string, note: string, checkpoint: Checkpoint, request?: unknown): Promise<HeldCheckpoint> {
    const held: HeldCheckpoint = { peer, origin, note, checkpoint, request, against: await this.peers.seen(origin) };
    await this.checkAgainstSeen(held);
    return held;
  }

  /**
   * Records held checkpoints as the newest seen of their logs, as one compare-and-set: in one
   * transaction, with each log's row locked, only if what was seen is still what each was checked
   * against. A checkpoint recorded meanwhile by a concurrent request is checked against in turn
   * (an equivocation between the two is caught there), and the set is tried again.
   */
  async record(held: readonly HeldCheckpoint[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const moved = await this.peers.sawIfUnchanged(
        held.map((h) => ({ peer: h.peer.name, origin: h.origin, size: h.checkpoint.size, root: h.checkpoint.root, note: h.note, against: h.against })),
      );
      if (moved.size === 0) return;
      if (attempt === RECORD_ATTEMPTS) {
        throw new DomainError('SERVICE_UNAVAILABLE', 'The checkpoints of this peer moved under this request too many times; try again');
      }
      for (const h of held) {
        if (!moved.has(h.origin)) continue;
        h.against = moved.get(h.origin) ?? null;
        await this.checkAgainstSeen(h);
      }
    }
  }

  private async checkAgainstSeen({ peer, origin, note, checkpoint, request, against: seen }: HeldCheckpoint): Promise<void> {
    if (!seen) return;
    const known: Checkpoint = { origin, size: seen.size, root: new Uint8Array(seen.root) };
    if (known.size === checkpoint.size && equalBytes(known.root, checkpoint.root)) return;
    const [older, newer] = known.size <= checkpoint.size ? [known, checkpoint] : [checkpoint, known];
    const path = origin.slice(peer.name.length + 1); // circles/<id> or registry
    let proof: { path?: unknown };
    try {
      proof = older.size === newer.size ? { path: [] } : await this.get<{ path?: unknown }>(peer.name, `/api/v1/${path}/proof/consistency?from=${older.size}&to=${newer.size}`);
    } catch (e) {
      // A peer that cannot prove a consistency it must have is caught as well, but not for a
      // network failure: that is retried.
      if (!(e instanceof PeerAnswer) || e.status >= 500) throw e;
      proof = { path: null };
    }
    try {
      if (!Array.isArray(proof.path)) throw new CheckpointFailure('BAD_PROOF', 'no consistency proof');
      checkConsistencyProof(older, newer, proof.path as string[]);
    } catch (e) {
      const reason = `${origin}: checkpoints of size ${known.size} and ${checkpoint.size} are not consistent (${(e as Error).message})`;
      await this.peers.flag(peer.name, origin, seen.note, note, reason, request);
      this.logger.error(`Equivocation by ${peer.name}: ${reason}. Its requests are held; evidence kept (GET /api/v1/federation/peers)`);
      throw new DomainError('PEER_EQUIVOCATED', `${peer.name} showed two histories of ${origin}; its requests are held until an operator decides`);
    }
  }

  private urlOf(peer: string): string {
    const address = this.settings.peers.get(peer);
    if (!address) throw new DomainError('UNKNOWN_PEER', `${peer} is not a peer of this instance: add it to FEDERATION_PEERS`);
    return address.url;
  }

  private async request<T>(peer: string, base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (e) {
      throw new DomainError('PEER_UNREACHABLE', `${peer} (${base}) cannot be reached: ${(e as Error).message}; it will be tried again`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) throw new PeerAnswer(res.status, (parsed as { code?: string; message?: string }) ?? null, peer);
    if (parsed === null) throw new DomainError('PEER_UNREACHABLE', `${peer} answered ${method} ${path} with something that is not JSON`);
    return parsed as T;
  }
}
