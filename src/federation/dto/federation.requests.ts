// What peers send each other (SPEC §12.2), validated before anything is looked at.
import { z } from 'zod';
import { BODY_SCHEMAS, hashSchema, LIMITS, memberIdSchema, qualifiedCircleIdSchema } from '../../core/formats/statement-types';

/** An entry line a peer sends: the largest statement a log takes, with its entry around it. */
const ENTRY_LINE_MAX = 1_000_000;

const provenEntrySchema = z.strictObject({
  line: z.string().min(1).max(ENTRY_LINE_MAX),
  checkpoint: z.string().min(1).max(LIMITS.checkpoint),
  proof: z.array(hashSchema).max(LIMITS.proofLength),
});

/** An entry proven against a checkpoint given elsewhere in the request. */
const includedEntrySchema = z.strictObject({
  line: z.string().min(1).max(ENTRY_LINE_MAX),
  proof: z.array(hashSchema).max(LIMITS.proofLength),
});

export const childRequestSchema = z.strictObject({ genesis: provenEntrySchema });
export type ChildRequest = z.infer<typeof childRequestSchema>;

export const receiptRequestSchema = z.strictObject({
  /** the circle on the sender's instance whose parent is here */
  via: qualifiedCircleIdSchema,
  /** the body of the child.decision to append, `child` qualified */
  receipt: BODY_SCHEMAS['child.decision'],
  /** the decision's tally.result entry line, when the sender holds it (else it is fetched from its instance) */
  decision: z.optional(z.string().min(1).max(ENTRY_LINE_MAX)),
  /** the sender's own child.decision entry in `via`, when the decision was taken below `via` */
  carrier: z.optional(provenEntrySchema),
  /**
   * For a motion adopted with `ratify: true` in `via` itself: its opening entry and, per adopted
   * amendment, its opening and its tally, each proven against the receipt's checkpoint (SPEC §8).
   */
  ratification: z.optional(
    z.strictObject({
      opening: includedEntrySchema,
      amendments: z.array(z.strictObject({ opening: includedEntrySchema, tally: includedEntrySchema })).max(1000),
    }),
  ),
});
export type ReceiptRequest = z.infer<typeof receiptRequestSchema>;

export const memberImportSchema = z.strictObject({
  member: memberIdSchema,
  /** her home instance: the one whose registry holds her member.register */
  instance: z.string().min(1).max(200).regex(/^[^\s+/]+$/, 'must be an instance name'),
});
export type MemberImport = z.infer<typeof memberImportSchema>;
