import { Injectable } from '@nestjs/common';
import type { PublicKeyHandle } from '../core/crypto/crypto';
import { MembersRepository } from './members.repository';
import { PublicKeyCache, publicKeyFromJwk } from '../core/formats/keys';

/** Registered members' public keys, imported once and cached (importing costs as much as verifying). */
@Injectable()
export class MemberKeysService {
  private readonly cache = new PublicKeyCache(50_000);

  constructor(private readonly members: MembersRepository) {}

  async key(memberId: string): Promise<PublicKeyHandle | undefined> {
    const cached = this.cache.get(memberId);
    if (cached) return cached;
    const member = await this.members.member(memberId);
    if (!member) return undefined;
    const key = publicKeyFromJwk(member.jwk);
    this.cache.set(memberId, key);
    return key;
  }

  keyOfJwk(memberId: string, jwk: Parameters<typeof publicKeyFromJwk>[0]): PublicKeyHandle {
    const cached = this.cache.get(memberId);
    if (cached) return cached;
    const key = publicKeyFromJwk(jwk);
    this.cache.set(memberId, key);
    return key;
  }
}
