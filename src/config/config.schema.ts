// One schema for every environment variable, validated at boot (docs/configuration.md).
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Absent: an embedded PostgreSQL (PGlite) keeps its data under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /**
   * The owner role that runs the migrations and grants the service role (DATABASE_URL's user) only
   * what it needs (docs/operations.md#database-roles). Absent: one role does both.
   */
  DATABASE_OWNER_URL: z.string().url().optional(),
  /** Another name for DATABASE_OWNER_URL; DATABASE_OWNER_URL wins when both are set. */
  MIGRATIONS_DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  /** HTTP API processes behind one port (node:cluster), for `node dist/main.js`; each has its own pool. */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** Absent: redis://127.0.0.1:6379, or a redis-server child process when nothing answers there. */
  REDIS_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('.archipel'),
  INSTANCE_NAME: z
    .string()
    .min(1)
    .regex(/^[^\s+]+$/, 'no spaces and no "+" (it names a signed-note key)')
    .default('archipel.localhost'),
  /**
   * The file holding the instance's Ed25519 private key (mode 0600, created on first start).
   * Absent: DATA_DIR/instance-key.jwk. The private key is never kept in the database.
   */
  INSTANCE_KEY_STORE: z
    .string()
    .min(1)
    .refine((v) => v !== 'database', {
      message:
        'the instance private key is no longer kept in the database: remove INSTANCE_KEY_STORE (DATA_DIR/instance-key.jwk) or set it to a file path; the migration moves an existing key there (docs/operations.md#the-instance-key)',
    })
    .optional(),
  /**
   * Where the newest checkpoint of every log is copied as it is signed, outside the database: the
   * self-audit holds a restored database to it (docs/operations.md#backups). Absent: DATA_DIR/published-checkpoints.
   */
  CHECKPOINT_MIRROR_DIR: z.string().min(1).optional(),
  /** The self-audit of every log against its signed checkpoints runs this often (only what is new). */
  AUDIT_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  /** Every log is re-verified from its first entry at least this often (the rolling full pass). */
  AUDIT_FULL_PASS_HOURS: z.coerce.number().positive().default(24),
  MIN_PROPOSAL_WINDOW_SECONDS: z.coerce.number().nonnegative().default(60),
  CLOCK_SKEW_SECONDS: z.coerce.number().nonnegative().default(300),
  MAX_STATEMENT_BYTES: positiveInt.default(65536),
  WORKER_CONCURRENCY: positiveInt.default(8),
  CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
  /** Completed outbox rows older than this are deleted (hourly); 0 keeps them all. */
  OUTBOX_RETENTION_DAYS: z.coerce.number().nonnegative().default(7),
  QUEUE_PREFIX: z.string().min(1).default('archipel'),
  /** A comment line this often keeps an idle event stream (GET /circles/:id/events) open. */
  EVENTS_KEEP_ALIVE_SECONDS: z.coerce.number().positive().default(15),
  ADMIN_USER: z.string().min(1).default('admin'),
  /** Bull Board at /admin/queues is disabled while no password is set. */
  ADMIN_PASSWORD: z.string().min(8).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RUN_MIGRATIONS: bool.default(true),
  // Witnessing (SPEC §12.1, docs/federation.md).
  /** The key name of this instance's cosignatures; default `<INSTANCE_NAME>/witness`. */
  WITNESS_NAME: z
    .string()
    .regex(/^[^\s+]+$/, 'no spaces and no "+" (it names a signed-note key)')
    .optional(),
  /** A file holding the witness key's 32-byte Ed25519 seed (base64), created if missing; absent: kept in the database. */
  WITNESS_KEY_FILE: z.string().min(1).optional(),
  /** Logs this instance witnesses: items separated by ";" or newlines, each `VKEY` or `ORIGIN VKEY`. */
  WITNESSED_LOGS: z.string().default(''),
  /** A Sigsum policy file naming the witnesses this instance asks to cosign, and the quorum. */
  WITNESS_POLICY_FILE: z.string().min(1).optional(),
  /** The same policy inline (";" separates lines); WITNESS_POLICY_FILE wins when both are set. */
  WITNESS_POLICY: z.string().optional(),
  /** Most add-checkpoint requests per second this instance sends to any one witness. */
  WITNESS_REQUESTS_PER_SECOND: z.coerce.number().positive().default(10),
  /** How often the worker sends new checkpoints to the witnesses. */
  WITNESS_INTERVAL_SECONDS: z.coerce.number().positive().default(5),
  WITNESS_TIMEOUT_MS: positiveInt.default(5000),
  // Circles across instances (SPEC §12.2, docs/federation.md).
  /** The instances this one federates with: items separated by ";" or newlines, each `NAME URL`. */
  FEDERATION_PEERS: z.string().default(''),
  /** How long a request to a peer may take. */
  FEDERATION_TIMEOUT_MS: positiveInt.default(5000),
  /**
   * A policy (Sigsum's format, ";" separating lines, as WITNESS_POLICY) that the child checkpoint
   * of every receipt a peer sends must meet (SPEC §12.2); unset: the pinned key alone is checked.
   */
  PEER_WITNESS_POLICY: z.string().optional(),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/**
 * The items of a list variable (FEDERATION_PEERS, WITNESSED_LOGS): separated by `;` or new
 * lines, blank ones skipped, each with its words (separated by white space).
 */
export function listItems(value: string): Array<{ item: string; words: string[] }> {
  return value
    .split(/[;\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => ({ item, words: item.split(/\s+/) }));
}

export function parseConfig(env: NodeJS.ProcessEnv): AppConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
