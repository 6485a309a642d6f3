// The newest checkpoint of every log, copied outside the database as it is signed
// (CHECKPOINT_MIRROR_DIR; docs/operations.md#backups). A restored database that lost the tail of a
// log is held to it by the self-audit: the copy is the "last published checkpoint" a backup must
// reach. Only ever moves forward; one small JSON file per log, replaced atomically.
import { Injectable, Logger } from '@nestjs/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfigService } from '../config/app-config';

export interface PublishedCheckpoint {
  circle: string;
  size: number;
  note: string;
}

const SAFE = /^[A-Za-z0-9_-]{1,128}$/;

@Injectable()
export class CheckpointMirror {
  private readonly logger = new Logger('CheckpointMirror');
  private readonly dir: string;
  /** The sizes this process knows are mirrored, to skip the file when nothing moved. */
  private readonly known = new Map<string, number>();

  constructor(config: AppConfigService) {
    this.dir = config.checkpointMirrorDir;
  }

  get directory(): string {
    return this.dir;
  }

  /** Keep `note` as the log's newest published checkpoint if it is newer than the one kept. */
  publish(circle: string, size: number, note: string): void {
    if (!SAFE.test(circle) || (this.known.get(circle) ?? -1) >= size) return;
    try {
      const current = this.read(circle);
      if (current && current.size >= size) {
        this.known.set(circle, current.size);
        return;
      }
      mkdirSync(this.dir, { recursive: true });
      const file = this.fileOf(circle);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ circle, size, note }));
      renameSync(tmp, file);
      this.known.set(circle, size);
    } catch (e) {
      // The checkpoint is in the database either way; a mirror that cannot be written is reported.
      this.logger.error(`Cannot copy the checkpoint of ${circle} at ${size} to ${this.dir}: ${(e as Error).message}`);
    }
  }

  read(circle: string): PublishedCheckpoint | null {
    const file = this.fileOf(circle);
    if (!existsSync(file)) return null;
    const value = JSON.parse(readFileSync(file, 'utf8')) as PublishedCheckpoint;
    if (value.circle !== circle || !Number.isSafeInteger(value.size) || typeof value.note !== 'string') {
      throw new Error(`${file} is not a published checkpoint of ${circle}`);
    }
    return value;
  }

  /** Every log with a published checkpoint. */
  circles(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter((c) => SAFE.test(c));
  }

  private fileOf(circle: string): string {
    return join(this.dir, `${circle}.json`);
  }
}
