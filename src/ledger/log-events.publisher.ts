// Live logs across processes (docs/architecture.md#live-events): after each commit, the writer (in whichever process appended: an API
// process or a worker) publishes the new sizes of the logs it grew on one Redis channel. Every API
// process subscribes once (src/events/log-events.hub.ts) and feeds its event streams from the database. The
// message is only a cue: a stream reads the entries themselves, by seq, from the database, so a
// lost message delays a stream until the next message or its periodic check, and loses nothing.
import { Inject, Injectable, Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { AppConfigService } from '../config/app-config';
import { REDIS } from '../queue/queue.service';
import { REGISTRY } from '../core/rules/state';

/** The channel of one deployment (its queue prefix), so instances sharing a Redis do not mix. */
export function logChannel(queuePrefix: string): string {
  return `${queuePrefix}:log-appended`;
}

/** A message: `[[circle, size], …]`, the new size of every circle log the commit grew. */
export type LogCue = Array<[string, number]>;

@Injectable()
export class LogEventsPublisher {
  private readonly logger = new Logger('LogEvents');
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: IORedis,
    config: AppConfigService,
  ) {
    this.channel = logChannel(config.get('QUEUE_PREFIX'));
  }

  /** After a commit (never before: a reader must find the entries). Does not wait for Redis. */
  appended(heads: ReadonlyArray<{ circle: string; size: number }>): void {
    const cue: LogCue = heads.filter((h) => h.circle !== REGISTRY).map((h) => [h.circle, h.size]);
    if (!cue.length) return;
    this.redis.publish(this.channel, JSON.stringify(cue)).catch((e: Error) => this.logger.warn(`Log cue not published: ${e.message}`));
  }
}
