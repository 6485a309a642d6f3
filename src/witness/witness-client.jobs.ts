// SPEC §12.1, the log side: send each log's newest checkpoint to every witness of the policy
// (C2SP tlog-witness add-checkpoint) with a consistency proof from the size that witness last
// cosigned, resync on 409, check and store the cosignature lines. Batched per witness: each tick
// sends at most WITNESS_REQUESTS_PER_SECOND × WITNESS_INTERVAL_SECONDS requests to a witness,
// paced evenly, and only the newest checkpoint of a log (checkpoints cut in between are skipped).
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { fromBase64url } from '../core/formats/canonical-json';
import { parseSignatureLines, verifyCosignature } from '../core/formats/cosignature';
import { PolicyWitness } from '../core/formats/witness-policy';
import { formatAddCheckpoint, parseTlogSize, TLOG_SIZE_CONTENT_TYPE } from '../core/formats/witness-protocol';
import { LedgerService } from '../ledger/ledger.service';
import { JobName } from '../queue/job-catalogue';
import { HandlesJob } from '../queue/job-handlers';
import { NewestCheckpoint, WitnessRepository } from './witness.repository';
import { WitnessSettings } from './witness-settings';

export type WitnessTally = { witness: string; sent: number; cosigned: number; conflicts: number; refused: number; failed: number };

/** Requests in flight to one witness at once (for different logs). */
const IN_FLIGHT_PER_WITNESS = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
export class WitnessClientJobs {
  private readonly logger = new Logger('WitnessClient');
  /** When this process last sent to each witness: the pace holds across rounds. */
  private readonly lastSent = new Map<string, number>();
  /** One round at a time in this process: a round that outlasts the interval is not doubled. */
  private round: Promise<WitnessTally[]> | null = null;

  constructor(
    private readonly repository: WitnessRepository,
    private readonly ledger: LedgerService,
    private readonly settings: WitnessSettings,
    private readonly config: AppConfigService,
  ) {}

  /** One round: every witness of the policy that has a URL, in parallel. */
  @HandlesJob(JobName.CollectCosignatures)
  async collect(): Promise<WitnessTally[]> {
    if (this.round) return [];
    const witnesses = (this.settings.policy?.witnesses ?? []).filter((w) => w.url !== null);
    this.round = Promise.all(witnesses.map((w) => this.collectFor(w)));
    try {
      return await this.round;
    } finally {
      this.round = null;
    }
  }

  private async collectFor(witness: PolicyWitness): Promise<WitnessTally> {
    const rate = this.config.get('WITNESS_REQUESTS_PER_SECOND');
    const intervalMs = this.config.get('WITNESS_INTERVAL_SECONDS') * 1000;
    const budget = Math.max(1, Math.floor((rate * intervalMs) / 1000));
    const spacing = 1000 / rate;
    // The round ends before the next one is due, so rounds follow each other without a gap.
    const deadline = Date.now() + intervalMs * 0.9;
    const tally: WitnessTally = { witness: witness.name, sent: 0, cosigned: 0, conflicts: 0, refused: 0, failed: 0 };
    // Each request reserves its slot before waiting (no await in between), so lanes never share one.
    const pace = async () => {
      const slot = Math.max(Date.now(), (this.lastSent.get(witness.vkey) ?? 0) + spacing);
      this.lastSent.set(witness.vkey, slot);
      tally.sent++;
      const wait = slot - Date.now();
      if (wait > 0) await sleep(wait);
    };
    const pending = await this.repository.pending(witness.vkey, budget);
    // A few requests in flight (each for another log), still paced: the rate, not the witness's
    // latency, bounds a round.
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < pending.length; i = next++) {
        if (tally.sent >= budget || Date.now() >= deadline) return;
        const checkpoint = pending[i];
        try {
          await this.send(witness, checkpoint, checkpoint.witnessSize ?? 0, pace, tally, budget);
        } catch (e) {
          tally.failed++;
          // Moves it to the back of the queue, so one failing log does not starve the others.
          await this.repository.saveProgress(witness.vkey, checkpoint.circle, checkpoint.witnessSize ?? 0).catch(() => undefined);
          this.logger.warn(`Witness ${witness.name} (${witness.url}): ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT_PER_WITNESS }, lane));
    if (tally.sent) this.logger.log(`Witness ${witness.name}: ${tally.sent} sent, ${tally.cosigned} cosigned, ${tally.conflicts} resynced, ${tally.refused} refused, ${tally.failed} failed`);
    return tally;
  }

  private async send(witness: PolicyWitness, cp: NewestCheckpoint, oldSize: number, pace: () => Promise<void>, tally: WitnessTally, budget: number, resynced = false): Promise<void> {
    if (oldSize > cp.size) return; // a newer checkpoint was cosigned meanwhile; the next round sends the newest
    const proof = oldSize === 0 ? [] : (await this.ledger.consistency(cp.circle, oldSize, cp.size)).path.map((h) => fromBase64url(h) as Uint8Array);
    await pace();
    const response = await fetch(`${witness.url}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: formatAddCheckpoint(oldSize, proof, cp.note),
      signal: AbortSignal.timeout(this.config.get('WITNESS_TIMEOUT_MS')),
    });
    const body = await response.text();
    if (response.status === 200) {
      const text = cp.note.slice(0, cp.note.lastIndexOf('\n\n') + 1);
      const mine = parseSignatureLines(body).filter((sig) => verifyCosignature(text, sig, witness.key, Math.floor(Date.now() / 1000) + 300));
      if (!mine.length) throw new Error(`${cp.circle}: the answer holds no valid cosignature from ${witness.vkey}`);
      await this.repository.saveCosignature(cp.circle, cp.size, witness.vkey, mine[0].line);
      await this.repository.saveProgress(witness.vkey, cp.circle, cp.size);
      tally.cosigned++;
      return;
    }
    if (response.status === 409 && (response.headers.get('content-type') ?? '').startsWith(TLOG_SIZE_CONTENT_TYPE)) {
      tally.conflicts++;
      const size = parseTlogSize(body);
      if (size === null) throw new Error(`${cp.circle}: a 409 without a size`);
      if (resynced) throw new Error(`${cp.circle}: still 409 (size ${size}) after resyncing; the witness may hold another root at that size`);
      await this.repository.saveProgress(witness.vkey, cp.circle, size);
      // Ahead of this checkpoint: a newer one was sent meanwhile; the next round sends the newest.
      if (size > cp.size) return;
      if (tally.sent >= budget) return;
      return this.send(witness, cp, size, pace, tally, budget, true);
    }
    tally.refused++;
    throw new Error(`${cp.circle}: add-checkpoint answered ${response.status}: ${body.slice(0, 200)}`);
  }
}
