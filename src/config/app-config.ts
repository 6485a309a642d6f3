import { join } from 'node:path';
import { AppConfig } from './config.schema';

/** Typed, read-only access to the validated configuration. */
export class AppConfigService {
  constructor(private readonly values: AppConfig) {}

  get<K extends keyof AppConfig>(key: K): AppConfig[K] {
    return this.values[key];
  }

  /** The resolved connection settings after embedded defaults were applied. */
  get databaseUrl(): string {
    if (!this.values.DATABASE_URL) throw new Error('DATABASE_URL has not been resolved');
    return this.values.DATABASE_URL;
  }

  /** The owner role's URL when migrations and grants run as another role than the service. */
  get ownerDatabaseUrl(): string | null {
    return this.values.DATABASE_OWNER_URL ?? this.values.MIGRATIONS_DATABASE_URL ?? null;
  }

  get instanceKeyFile(): string {
    return this.values.INSTANCE_KEY_STORE ?? join(this.values.DATA_DIR, 'instance-key.jwk');
  }

  get checkpointMirrorDir(): string {
    return this.values.CHECKPOINT_MIRROR_DIR ?? join(this.values.DATA_DIR, 'published-checkpoints');
  }

  get redisUrl(): string {
    return this.values.REDIS_URL ?? 'redis://127.0.0.1:6379';
  }

  get embeddedDatabase(): boolean {
    return process.env.ARCHIPEL_EMBEDDED_DATABASE === '1';
  }
}
