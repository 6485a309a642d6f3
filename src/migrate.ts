import 'reflect-metadata';
import './platform/node';
import { exitOnFatal } from './bootstrap';
import { AppConfigService } from './config/app-config';
import { parseConfig } from './config/config.schema';
import { StatementSigner } from './core/formats/statement-signer';
import { writeKeyFile } from './database/instance-key-file';
import { roleOf } from './database/roles';
import { migrateAndGrant } from './database/schema';

/**
 * `node dist/migrate.js --create-instance-key [file]`: a new instance key file (mode 0600 in a 0700
 * directory; default INSTANCE_KEY_STORE or DATA_DIR/instance-key.jwk), before the first start of a
 * deployment that hands the key in read-only (compose's `instance-key` secret). Never over an
 * existing file: replacing the key is an operator's decision (docs/operations.md#the-instance-key).
 */
function createInstanceKey(file: string): void {
  const key = StatementSigner.generate();
  try {
    writeKeyFile(file, key.exportPrivateJwk());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${file} exists already: an instance key is never replaced by this command (docs/operations.md#the-instance-key).`);
    }
    throw e;
  }
  process.stdout.write(`archipel: created the instance key ${key.id} in ${file} (mode 0600): back it up with the database\n`);
}

/**
 * `node dist/migrate.js`: apply the pending migrations as the owner role (DATABASE_OWNER_URL) and
 * grant the service role (DATABASE_URL's user) its rights, then exit (docs/operations.md#migrations).
 * The one process that holds the owner's credentials, for as long as that takes: compose runs it
 * as a one-shot service before the api and the workers, which start without them.
 */
async function main(argv: string[]): Promise<void> {
  const config = new AppConfigService(parseConfig(process.env));
  if (argv[0] === '--create-instance-key') return createInstanceKey(argv[1] ?? config.instanceKeyFile);
  if (argv.length) throw new Error(`Unknown argument ${argv[0]}: node dist/migrate.js [--create-instance-key [file]]`);
  if (!process.env.DATABASE_URL) {
    throw new Error('DATABASE_URL is not set: it names the service role the migration grants its rights to (docs/operations.md#database-roles).');
  }
  const ownerUrl = config.ownerDatabaseUrl;
  if (!ownerUrl) process.stderr.write('archipel: no DATABASE_OWNER_URL: migrating as DATABASE_URL\'s role, which then owns the schema (one role, no grants).\n');
  const ran = await migrateAndGrant({ ownerUrl, serviceUrl: config.databaseUrl, instanceKeyFile: config.instanceKeyFile });
  process.stdout.write(ran.length ? `archipel: migrations applied: ${ran.join(', ')}\n` : 'archipel: the schema is up to date: no migration pending\n');
  if (ownerUrl) process.stdout.write(`archipel: the service role ${roleOf(config.databaseUrl)} holds its rights (docs/operations.md#database-roles)\n`);
}

if (require.main === module) main(process.argv.slice(2)).catch(exitOnFatal);
