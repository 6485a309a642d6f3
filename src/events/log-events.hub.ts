// The subscribing side of log-events.publisher.ts: one Redis subscription per API process, opened
// when the first event stream starts, dispatching each cue to the circles someone listens to.
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { AppConfigService } from '../config/app-config';
import { REDIS } from '../queue/queue.service';
import { LogCue, logChannel } from '../ledger/log-events.publisher';

export type SizeListener = (size: number) => void;

@Injectable()
export class LogEventsHub implements OnApplicationShutdown {
  private readonly logger = new Logger('LogEvents');
  private readonly channel: string;
  private readonly listeners = new Map<string, Set<SizeListener>>();
  private subscriber: IORedis | null = null;
  private subscribed: Promise<void> | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: IORedis,
    config: AppConfigService,
  ) {
    this.channel = logChannel(config.get('QUEUE_PREFIX'));
  }

  /** Call `listener` with the new size of `circle`'s log after each commit that grows it. */
  async listen(circle: string, listener: SizeListener): Promise<() => void> {
    await this.subscribe();
    const set = this.listeners.get(circle) ?? new Set<SizeListener>();
    set.add(listener);
    this.listeners.set(circle, set);
    return () => {
      set.delete(listener);
      if (!set.size && this.listeners.get(circle) === set) this.listeners.delete(circle);
    };
  }

  private subscribe(): Promise<void> {
    this.subscribed ??= (async () => {
      // A connection in subscriber mode serves nothing else (ioredis subscribes again after a reconnect).
      const subscriber = this.redis.duplicate();
      this.subscriber = subscriber;
      subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
      subscriber.on('error', (e: Error) => this.logger.warn(`Log cue subscription: ${e.message}`));
      await subscriber.subscribe(this.channel);
    })().catch((e: unknown) => {
      this.subscribed = null;
      throw e;
    });
    return this.subscribed;
  }

  private dispatch(message: string): void {
    let cue: LogCue;
    try {
      cue = JSON.parse(message) as LogCue;
    } catch {
      return;
    }
    for (const [circle, size] of cue) for (const listener of this.listeners.get(circle) ?? []) listener(size);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}
