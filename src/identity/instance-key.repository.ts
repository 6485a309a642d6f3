// The only code that reads and writes the instance_key table: public material only (the private
// key is outside the database), one row, never updated, deleted or truncated.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Ed25519PublicJwk } from '../core/formats/keys';

export interface PinnedKey {
  kid: string;
}

@Injectable()
export class InstanceKeyRepository {
  constructor(private readonly ds: DataSource) {}

  async pinned(): Promise<PinnedKey | null> {
    const [row] = (await this.ds.query(`SELECT kid FROM instance_key WHERE id = 1`)) as Array<{ kid: string }>;
    return row ? { kid: row.kid } : null;
  }

  /** Pin the instance's public key; false when another process pinned one first. */
  async pin(kid: string, publicJwk: Ed25519PublicJwk): Promise<boolean> {
    const rows = (await this.ds.query(
      `INSERT INTO instance_key (id, kid, public_jwk) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING RETURNING kid`,
      [kid, JSON.stringify(publicJwk)],
    )) as unknown[];
    return rows.length === 1;
  }
}
