// The answers of the proposal routes (docs/api.md), as named OpenAPI components.
import { z } from 'zod';
import { named } from '../../common/openapi';
import { BODY_SCHEMAS, CHOICES, PROPOSAL_KINDS, REGIMES } from '../../core/formats/statement-types';

export const paramsAnswer = z.record(z.string(), z.union([z.string(), z.number()])).describe('Regime parameters (SPEC §5.3): exact decimals or fractions');
const seq = z.number().int().nonnegative();
export const PROPOSAL_STATUSES = ['amending', 'open', 'closed'] as const;

export const provisionalAnswer = named(
  'Provisional',
  z.object({ E: seq, Y: seq, N: seq, A: seq, O: seq, lost: seq, absent: seq }),
  'The tally so far (SPEC §5.2): E = Y + N + A + O + lost + absent',
);

const proposalFields = {
  id: z.string(),
  circle: z.string(),
  kind: z.enum(PROPOSAL_KINDS),
  title: z.string(),
  text: z.string().describe('The text as amended so far'),
  originalText: z.string().optional().describe('Amendment-regime motions: the text as opened'),
  amendments: z
    .array(z.object({ id: z.string(), find: z.string(), replace: z.string(), status: z.enum(['open', 'applied', 'void', 'rejected', 'forked']) }))
    .optional()
    .describe('Amendment-regime motions: their amendments in opening order'),
  topic: z.string().nullable(),
  regime: z.enum(REGIMES),
  params: paramsAnswer.describe('Frozen at opening'),
  status: z.enum(PROPOSAL_STATUSES),
  closesAt: z.string(),
  amendmentsCloseAt: z.string().optional(),
  openedBy: z.string(),
  openedSeq: seq,
  doer: z.string().optional().describe('Do-ocracy: who will do it'),
  proposed: z.record(z.string(), z.unknown()).optional().describe('The kind-specific part of the opening body'),
  result: BODY_SCHEMAS['tally.result'].optional().describe('Once closed: the signed tally.result body'),
};

export const proposalSummaryAnswer = named('ProposalSummary', z.object(proposalFields), 'A proposal as GET /proposals/:id, without its provisional tally');

export const proposalAnswer = named('Proposal', z.object({ ...proposalFields, provisional: provisionalAnswer.optional().describe('While open') }));

export const proposalPageAnswer = named(
  'ProposalPage',
  z.object({
    items: z.array(proposalSummaryAnswer),
    next: z.string().nullable().describe('Pass as `after` for the next (older) page; null on the last page'),
  }),
  "A page of a circle's proposals, newest first",
);

export const receiptsAnswer = named(
  'Receipts',
  z.object({
    items: z.array(
      z.object({
        ancestor: z.string(),
        seq: seq.describe("The child.decision entry in the ancestor's log"),
        leaf: z.string().describe('Its leaf hash (base64url)'),
        recordedAt: z.string(),
      }),
    ),
  }),
  "The child.decision receipts of this proposal's tally, nearest ancestor first",
);

export const weightAnswer = named(
  'Weight',
  z.object({
    member: z.string(),
    cast: z.enum(['direct', 'delegated', 'lost', 'absent']),
    choice: z.enum(CHOICES).optional().describe('direct or delegated: the choice her weight went to'),
    chain: z.array(z.string()).describe('The delegates her weight went through, in order: empty for direct and absent'),
    cycle: z.array(z.string()).optional().describe('lost in a cycle: its members, from the smallest id'),
  }),
  "How a member's weight was cast on a proposal (at close), or is cast now while it is open (SPEC §5.2)",
);

export type ProposalAnswer = z.infer<typeof proposalAnswer>;
export type ProposalSummaryAnswer = z.infer<typeof proposalSummaryAnswer>;
export type ProposalPageAnswer = z.infer<typeof proposalPageAnswer>;
export type ReceiptsAnswer = z.infer<typeof receiptsAnswer>;
export type WeightAnswer = z.infer<typeof weightAnswer>;
