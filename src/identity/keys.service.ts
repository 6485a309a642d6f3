// SPEC §11, HTTP: a member's keys over time, and whose a key is.
import { Injectable } from '@nestjs/common';
import { formatTimestamp } from '../core/formats/canonical-json';
import type { Ed25519PublicJwk } from '../core/formats/keys';
import { DomainError } from '../core/rules/domain-error';
import type { KeyAnswer, MemberKeyAnswer } from './dto/key.answers';
import { KeysRepository } from './keys.repository';

@Injectable()
export class KeysService {
  constructor(private readonly keys: KeysRepository) {}

  /** Her keys (every key that ever signed for her, in the order added) and her recovery key in force. */
  async ofMember(member: string): Promise<{ keys: MemberKeyAnswer[]; recovery?: Ed25519PublicJwk }> {
    const rows = await this.keys.ofMember(member);
    const keys = rows
      .filter((r) => r.role === 'active')
      .map((r) => ({
        kid: r.kid,
        jwk: r.jwk,
        addedAt: formatTimestamp(r.addedAt),
        ...(r.revokedAt !== null ? { revokedAt: formatTimestamp(r.revokedAt) } : {}),
      }));
    const recovery = rows.find((r) => r.role === 'recovery' && r.revokedAt === null);
    return recovery ? { keys, recovery: recovery.jwk } : { keys };
  }

  /** Whose key this is: any key ever active, or a recovery key (which names the member to recover). */
  async key(kid: string): Promise<KeyAnswer> {
    const row = await this.keys.byKid(kid);
    if (!row) throw new DomainError('UNKNOWN_KEY', `No key ${kid} was ever a key of a member of this instance`);
    return { kid: row.kid, member: row.member };
  }
}
