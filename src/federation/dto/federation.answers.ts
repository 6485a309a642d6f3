import { z } from 'zod';
import { named } from '../../common/openapi';
import { childRequestSchema, memberImportSchema, receiptRequestSchema } from './federation.requests';

export const childRequestBody = named('FederationChildRequest', childRequestSchema, "A child circle's genesis entry with its instance's checkpoint and the inclusion proof (SPEC §12.2)");
export const receiptRequestBody = named('FederationReceiptRequest', receiptRequestSchema, 'A receipt of a decision taken below `via`, with its proofs (SPEC §8, §12.2)');
export const memberImportBody = named('FederationMemberImport', memberImportSchema, 'A member to bring from her home instance (SPEC §12.2)');

const seqOrNull = z.number().int().nonnegative().nullable().describe('the entry appended; null when it was already there (a retry)');

export const childAnswer = named('FederationChildAnswer', z.object({ circle: z.string(), seq: seqOrNull, child: z.string() }));
export type ChildAnswer = z.infer<typeof childAnswer>;

export const receiptAnswer = named('FederationReceiptAnswer', z.object({ circle: z.string(), seq: seqOrNull }));
export type ReceiptAnswer = z.infer<typeof receiptAnswer>;

export const memberImportAnswer = named(
  'FederationMemberImportAnswer',
  z.object({ member: z.string(), appended: z.number().int(), present: z.number().int().describe('entries already in this registry') }),
);
export type MemberImportAnswer = z.infer<typeof memberImportAnswer>;

export const memberRegistryAnswer = named(
  'FederationMemberRegistry',
  z.object({
    checkpoint: z.string().describe("a signed checkpoint of this instance's registry"),
    entries: z.array(z.object({ seq: z.number().int(), line: z.string(), proof: z.array(z.string()) })).describe('her registry entries, in order, each with its inclusion proof in that checkpoint'),
  }),
  "A member's registry entries on her home instance, proven (SPEC §11, §12.2)",
);
export type MemberRegistryAnswer = z.infer<typeof memberRegistryAnswer>;

export const peersAnswer = named(
  'FederationPeers',
  z.object({
    items: z.array(
      z.object({
        name: z.string(),
        url: z.string(),
        kid: z.string().nullable().describe('the key pinned at first contact; null before any contact'),
        noteKey: z.string().nullable(),
        pinnedAt: z.string().nullable(),
        flaggedAt: z.string().nullable().describe('when it was caught equivocating: its requests are held'),
        flagReason: z.string().nullable(),
        evidence: z.array(z.object({ origin: z.string(), reason: z.string(), knownNote: z.string(), note: z.string(), recordedAt: z.string() })),
      }),
    ),
  }),
  'The peers this instance federates with (FEDERATION_PEERS), their pinned keys and any evidence of equivocation',
);
export type PeersAnswer = z.infer<typeof peersAnswer>;
