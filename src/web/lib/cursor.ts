// SPEC §6 seen from the page: each member's latest `regime.position` read from the circle's log,
// the circle-scoped delegations in force from the API, and the weighted distribution and median
// computed by the core's `regimeCursor`, the code the worker runs.
import { ReplayDecoder } from '../../core/verify/replay';
import { regimeCursor, type CursorResult } from '../../core/governance/cursor';
import type { RegimeName } from '../../core/formats/vocabulary';
import type { Api, Circle } from './api';

export interface CursorView extends CursorResult {
  positions: Map<string, RegimeName>;
}

/** Latest position per member, from a log's lines (later entries win); `memberOf` names a key's member (SPEC §11). */
export function positionsFromLog(text: string, memberOf: (kid: string) => string = (kid) => kid): Map<string, RegimeName> {
  const decoder = new ReplayDecoder(memberOf);
  const encoder = new TextEncoder();
  const positions = new Map<string, RegimeName>();
  for (const line of text.split('\n')) {
    if (!line.includes('"jws"')) continue;
    const e = decoder.entry(encoder.encode(line));
    if (e.payload.type === 'regime.position') positions.set(e.signer, e.payload.body.position);
  }
  return positions;
}

export async function loadCursor(api: Api, circle: Circle): Promise<CursorView> {
  const [log, delegations] = await Promise.all([api.log(circle.id), api.delegations(circle.id)]);
  // A position signed on another of her devices carries that key's id: GET /keys/:kid names her.
  const members = new Set(circle.members);
  const otherKeys = [...positionsFromLog(log).keys()].filter((kid) => !members.has(kid));
  const owners = new Map(await Promise.all(otherKeys.map(async (kid) => [kid, (await api.key(kid)).member] as const)));
  const positions = positionsFromLog(log, (kid) => owners.get(kid) ?? kid);
  const circleScoped = new Map(delegations.delegations.filter((d) => d.scope.kind === 'circle').map((d) => [d.member, d.delegate]));
  return { ...regimeCursor({ members: circle.members, positions, delegations: circleScoped, params: circle.params }), positions };
}
