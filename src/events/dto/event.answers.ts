// The events of GET /circles/:id/events (docs/api.md), as named OpenAPI components.
import { z } from 'zod';
import { named } from '../../common/openapi';
import { provisionalAnswer } from '../../proposals/dto/proposal.answers';

export const entryEvent = named(
  'EntryEvent',
  z.object({
    circle: z.string(),
    seq: z.number().int().nonnegative(),
    type: z.string().describe('The statement type of the entry'),
    leaf: z.string().describe('Its leaf hash (base64url)'),
    recordedAt: z.string(),
  }),
  'The data of an `entry` event (its `id` is the seq): a new entry of the circle\'s log',
);

export const tallyEvent = named(
  'TallyEvent',
  z.object({ proposal: z.string(), provisional: provisionalAnswer }),
  'The data of a `tally` event: the provisional tally of an open proposal after an entry moved it',
);

export type EntryEvent = z.infer<typeof entryEvent>;
export type TallyEvent = z.infer<typeof tallyEvent>;
