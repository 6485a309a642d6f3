import { Injectable } from '@nestjs/common';

/**
 * The instance's clock, injected wherever a service reads the time (`recordedAt`, `at`, deadlines),
 * so tests can hold it still or move it. Milliseconds since the epoch, like Date.now().
 */
export abstract class Clock {
  abstract now(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
