// A proposal as the proposals feature reads it from its table.
import type { Params, ProposalKind, RegimeName } from '../core/formats/vocabulary';

export interface ProposalRow {
  id: string;
  circle: string;
  kind: ProposalKind;
  title: string;
  text: string;
  topic: string | null;
  regime: RegimeName;
  params: Params;
  openedSeq: number;
  openedAt: number;
  openedBy: string;
  closesAt: number;
  amendmentsCloseAt: number | null;
  body: Record<string, unknown>;
  result: Record<string, unknown> | null;
}
