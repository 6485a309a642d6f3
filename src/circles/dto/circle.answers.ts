// The answers of the circle and member routes (docs/api.md), as named OpenAPI components.
import { z } from 'zod';
import { memberKeySchema } from '../../identity/dto/key.answers';
import { named } from '../../common/openapi';
import { paramsAnswer } from '../../proposals/dto/proposal.answers';
import { REGIMES } from '../../core/formats/statement-types';

const regime = z.enum(REGIMES);
const seq = z.number().int().nonnegative();

export const circleAnswer = named(
  'Circle',
  z.object({
    id: z.string(),
    name: z.string(),
    parent: z.string().nullable(),
    children: z.array(z.string()),
    members: z.array(z.string()),
    regime,
    params: paramsAnswer,
    size: seq.describe('Log size'),
    forkedFrom: z.object({ circle: z.string(), atSeq: seq }).nullable().describe('The circle this one was forked out of, and its last shared entry'),
  }),
);

export const memberAnswer = named(
  'Member',
  z.object({
    id: z.string(),
    name: z.string(),
    jwk: z.object({ kty: z.string(), crv: z.string(), x: z.string() }).describe('The key she registered with (her id is its thumbprint)'),
    keys: z.array(memberKeySchema).describe('Every key that ever signed for her, in the order added (SPEC §11)'),
    recovery: z.object({ kty: z.string(), crv: z.string(), x: z.string() }).optional().describe('Her recovery key in force, if any'),
  }),
);

const circleSummary = { id: z.string(), name: z.string(), parent: z.string().nullable(), regime, size: seq };

export const memberCirclesAnswer = named(
  'MemberCircles',
  z.object({ items: z.array(z.object(circleSummary)) }),
  'The circles she is a current member of, by name',
);

export const invitationsAnswer = named(
  'Invitations',
  z.object({
    items: z.array(
      z.object({
        circle: z.string(),
        circleName: z.string(),
        invitedBy: z.string(),
        seq: seq.describe("The member.invite entry in the circle's log"),
        recordedAt: z.string(),
      }),
    ),
  }),
  'Invitations she has not accepted, in circles she is not a member of (the latest per circle)',
);

export const circleListAnswer = named(
  'CircleList',
  z.object({
    items: z.array(z.object({ ...circleSummary, children: z.array(z.string()), forkedFrom: z.string().nullable() })),
  }),
);

export const forksAnswer = named(
  'Forks',
  z.object({
    items: z.array(
      z.object({
        circle: z.string().describe('The new circle'),
        name: z.string(),
        proposal: z.string().describe('The proposal that caused the fork'),
        atSeq: seq.describe('The last shared entry (the tally.result that decided the fork)'),
        members: z.array(z.string()).describe('The members who formed the new circle'),
      }),
    ),
  }),
  'Circles forked out of this one, oldest first',
);

export type CircleAnswer = z.infer<typeof circleAnswer>;
export type MemberAnswer = z.infer<typeof memberAnswer>;
export type MemberCirclesAnswer = z.infer<typeof memberCirclesAnswer>;
export type InvitationsAnswer = z.infer<typeof invitationsAnswer>;
export type CircleListAnswer = z.infer<typeof circleListAnswer>;
export type ForksAnswer = z.infer<typeof forksAnswer>;
