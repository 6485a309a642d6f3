// The only code that reads and writes the instance_key table.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Ed25519PrivateJwk, Ed25519PublicJwk } from '../core/formats/keys';

export interface PinnedKey {
  kid: string;
  privateJwk: Ed25519PrivateJwk | null;
}

@Injectable()
export class InstanceKeyRepository {
  constructor(private readonly ds: DataSource) {}

  async pinned(): Promise<PinnedKey | null> {
    const [row] = (await this.ds.query(`SELECT kid, private_jwk FROM instance_key WHERE id = 1`)) as Array<{
      kid: string;
      private_jwk: Ed25519PrivateJwk | null;
    }>;
    return row ? { kid: row.kid, privateJwk: row.private_jwk } : null;
  }

  /** Pin the instance's key; false when another process pinned one first. */
  async pin(kid: string, publicJwk: Ed25519PublicJwk, privateJwk: Ed25519PrivateJwk | null): Promise<boolean> {
    const rows = (await this.ds.query(
      `INSERT INTO instance_key (id, kid, public_jwk, private_jwk) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO NOTHING RETURNING kid`,
      [kid, JSON.stringify(publicJwk), privateJwk ? JSON.stringify(privateJwk) : null],
    )) as unknown[];
    return rows.length === 1;
  }
}
