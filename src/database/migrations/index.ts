import { Ledger1763800000000 } from './1763800000000-ledger';
import { Proposals1763900000000 } from './1763900000000-proposals';
import { Receipts1764000000000 } from './1764000000000-receipts';
import { RegimePositions1764100000000 } from './1764100000000-regime-positions';
import { Forks1764200000000 } from './1764200000000-forks';
import { OutboxCompletion1764300000000 } from './1764300000000-outbox-completion';
import { MemberNumbers1764400000000 } from './1764400000000-member-numbers';
import { ReadRoutes1764520000000 } from './1764520000000-read-routes';
import { Defence1764700000000 } from './1764700000000-defence';
import { MemberKeys1764600000000 } from './1764600000000-member-keys';
import { Witnessing1764610000000 } from './1764610000000-witnessing';
import { Federation1764800000000 } from './1764800000000-federation';
import { HeadFillfactor1764850000000 } from './1764850000000-head-fillfactor';
import { ProposalPopulation1764900000000 } from './1764900000000-proposal-population';
import { InvitationPending1765000000000 } from './1765000000000-invitation-pending';
import { ProposalClosedOnce1765100000000 } from './1765100000000-proposal-closed-once';
import { WitnessEvidenceNotes1765200000000 } from './1765200000000-witness-evidence-notes';

/** Every migration, in order. Schema changes go through here only (never `synchronize`). */
export const migrations = [
  Ledger1763800000000,
  Proposals1763900000000,
  Receipts1764000000000,
  RegimePositions1764100000000,
  Forks1764200000000,
  OutboxCompletion1764300000000,
  MemberNumbers1764400000000,
  ReadRoutes1764520000000,
  MemberKeys1764600000000,
  Witnessing1764610000000,
  Defence1764700000000,
  Federation1764800000000,
  HeadFillfactor1764850000000,
  ProposalPopulation1764900000000,
  InvitationPending1765000000000,
  ProposalClosedOnce1765100000000,
  WitnessEvidenceNotes1765200000000,
];
