// Read routes of the federation (SPEC §12.2): a member's registry entries with proofs, for another
// instance to bring her over; the peers with their pinned keys and evidence, for the operator.
import { Injectable } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { REGISTRY } from '../core/rules/state';
import { LedgerService } from '../ledger/ledger.service';
import type { MemberRegistryAnswer, PeersAnswer } from './dto/federation.answers';
import { FederationSettings } from './federation-settings';
import { PeersRepository } from './peers.repository';

@Injectable()
export class FederationReads {
  constructor(
    private readonly logs: LedgerService,
    private readonly peersRepository: PeersRepository,
    private readonly settings: FederationSettings,
  ) {}

  async memberRegistry(member: string): Promise<MemberRegistryAnswer> {
    const answer = await this.logs.signedBy(REGISTRY, member);
    if (answer.entries.length === 0) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${member}`);
    return answer;
  }

  async peers(): Promise<PeersAnswer> {
    const pinned = new Map((await this.peersRepository.peers()).map((p) => [p.name, p]));
    const items = await Promise.all(
      [...this.settings.peers.values()].map(async ({ name, url }) => {
        const p = pinned.get(name);
        return {
          name,
          url,
          kid: p?.kid ?? null,
          noteKey: p?.noteKey ?? null,
          pinnedAt: p?.pinnedAt ?? null,
          flaggedAt: p?.flaggedAt ?? null,
          flagReason: p?.flagReason ?? null,
          evidence: p ? await this.peersRepository.evidence(name) : [],
        };
      }),
    );
    return { items };
  }
}
