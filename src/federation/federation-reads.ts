// Read routes of the federation (SPEC §12.2): a member's registry entries with proofs, for another
// instance to bring her over; the peers with their pinned keys and evidence, for the operator.
import { Injectable } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { REGISTRY } from '../core/rules/state';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import type { MemberRegistryAnswer, PeersAnswer } from './dto/federation.answers';
import { FederationSettings } from './federation-settings';
import { PeersRepository } from './peers.repository';

@Injectable()
export class FederationReads {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly logs: LedgerService,
    private readonly peersRepository: PeersRepository,
    private readonly settings: FederationSettings,
  ) {}

  async memberRegistry(member: string): Promise<MemberRegistryAnswer> {
    const checkpoint = await this.logs.checkpoint(REGISTRY);
    const size = Number(checkpoint.split('\n')[1]);
    // Every registry entry signed for her (the signer is the member, whichever key signed, §11).
    const rows = await this.ledger.linesSignedBy(REGISTRY, member, size);
    if (rows.length === 0) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${member}`);
    const entries = await Promise.all(rows.map(async ({ seq, line }) => ({ seq, line, proof: (await this.logs.inclusion(REGISTRY, seq, size)).path })));
    return { checkpoint, entries };
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
