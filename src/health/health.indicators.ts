import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { QueueService, REDIS } from '../queue/queue.service';
import { WitnessRepository } from '../witness/witness.repository';

const TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), TIMEOUT_MS).unref())]);
}

@Injectable()
export class HealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redisClient: IORedis,
    private readonly queues: QueueService,
    private readonly witness: WitnessRepository,
  ) {}

  /**
   * The witness: how many origins it cosigns, and any evidence of a fork it was shown (kept in
   * witness_evidence, listed at GET /witness/evidence). Evidence is for the operator to act on; it
   * does not make this instance unhealthy.
   */
  async witnessing() {
    const session = this.health.check('witness');
    try {
      const [origins, evidence] = await withTimeout(Promise.all([this.witness.witnessedCount(), this.witness.evidenceSummary()]), 'witness');
      return session.up({ origins, forkEvidence: evidence.count, forkedOrigins: evidence.origins });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }

  async database() {
    const session = this.health.check('database');
    try {
      const [row] = await withTimeout(this.ds.query(`SELECT count(*)::int AS migrations FROM migrations`), 'database');
      return session.up({ migrations: row.migrations });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }

  async redis() {
    const session = this.health.check('redis');
    try {
      const pong = await withTimeout(this.redisClient.ping(), 'redis');
      return pong === 'PONG' ? session.up() : session.down({ message: pong });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }

  /**
   * Logs the self-audit froze (docs/operations.md#self-audit): an alert for the operator, not a
   * failed check — reads go on, and restarting the service would not repair anything.
   */
  async logs() {
    const session = this.health.check('logs');
    try {
      const rows = (await withTimeout(
        this.ds.query(`SELECT circle, code, reason, detected_by, detected_at FROM log_freeze ORDER BY detected_at, circle`),
        'logs',
      )) as Array<{ circle: string; code: string; reason: string; detected_by: string; detected_at: Date }>;
      const frozen = rows.map((r) => ({ circle: r.circle, code: r.code, reason: r.reason, detectedBy: r.detected_by, detectedAt: r.detected_at.toISOString() }));
      if (!frozen.length) return session.up({ frozen });
      return session.up({
        frozen,
        alert: `${frozen.length} log(s) frozen: altered below the service; appends to them are refused until an operator acts (docs/operations.md#self-audit)`,
      });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }

  /** Queue depth and failures, per job; failures do not make the service unhealthy. */
  async queueDepths() {
    const session = this.health.check('queues');
    try {
      return session.up(await withTimeout(this.queues.counts(), 'queues'));
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }
}
