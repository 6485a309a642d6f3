// SPEC §9: the one typed catalogue of jobs. Producer and handler share these types, so they
// cannot disagree; the worker refuses to start unless every job has exactly one handler.

export enum JobName {
  /** Close a proposal at its deadline and append its `tally.result` (SPEC §5, §9). */
  CloseProposal = 'proposal.close',
  /** Keep a big circle's members at a proposal's opening, so that its tally need not scan them (SPEC §5.1). */
  SnapshotPopulation = 'proposal.population',
  /** Carry a decision's `child.decision` receipt to every ancestor's log, from `ancestor` up (SPEC §8). */
  PropagateDecision = 'decision.propagate',
  /** Create the new circle of a fork (SPEC §7). */
  ExecuteFork = 'fork.execute',
  /** Recompute a circle's regime cursor after a position moved (SPEC §6). */
  RecomputeCursor = 'regime.cursor',
  /** Cut and cache signed checkpoints of the circles whose logs grew. */
  CutCheckpoints = 'checkpoint.cut',
  /** Delete outbox rows completed more than OUTBOX_RETENTION_DAYS ago. */
  PruneOutbox = 'outbox.prune',
  /** Re-verify every log against its signed checkpoints, what is new since the last audit (docs/operations.md#self-audit). */
  AuditLogs = 'log.audit',
  /** Send new checkpoints to the policy's witnesses and store their cosignatures (SPEC §12.1). */
  CollectCosignatures = 'witness.collect',
  /** Send a new circle's signed genesis to its parent's instance, another one (SPEC §12.2). */
  AnnounceChild = 'federation.child',
}

export interface JobPayloads {
  [JobName.CloseProposal]: { proposal: string };
  [JobName.SnapshotPopulation]: { proposal: string };
  [JobName.PropagateDecision]: { circle: string; seq: number; ancestor: string };
  [JobName.ExecuteFork]: { circle: string; proposal: string };
  /** `seq`: the position entry that called for it (one recomputation per position). */
  [JobName.RecomputeCursor]: { circle: string; seq: number };
  [JobName.CutCheckpoints]: Record<string, never>;
  [JobName.PruneOutbox]: Record<string, never>;
  [JobName.AuditLogs]: Record<string, never>;
  [JobName.CollectCosignatures]: Record<string, never>;
  [JobName.AnnounceChild]: { circle: string };
}

export type JobItem = { [N in JobName]: { name: N; payload: JobPayloads[N] } }[JobName];

export interface JobPolicy {
  attempts: number;
  /** Exponential backoff base, in milliseconds. */
  backoffMs: number;
}

/** Attempts and backoff per job: named, reviewed constants (docs/operations.md). */
export const JOB_POLICY: Record<JobName, JobPolicy> = {
  [JobName.CloseProposal]: { attempts: 12, backoffMs: 500 },
  // Only a shortcut for the tally: without it the tally reads the memberships.
  [JobName.SnapshotPopulation]: { attempts: 5, backoffMs: 1000 },
  // Receipts may go to another instance (SPEC §12.2), which may be down for a while: about a day and a half.
  [JobName.PropagateDecision]: { attempts: 18, backoffMs: 500 },
  [JobName.RecomputeCursor]: { attempts: 8, backoffMs: 500 },
  [JobName.ExecuteFork]: { attempts: 12, backoffMs: 500 },
  [JobName.CutCheckpoints]: { attempts: 5, backoffMs: 1000 },
  [JobName.PruneOutbox]: { attempts: 3, backoffMs: 5000 },
  [JobName.AuditLogs]: { attempts: 3, backoffMs: 5000 },
  [JobName.CollectCosignatures]: { attempts: 3, backoffMs: 1000 },
  // A peer may be down for a while: about a day and a half of retries before it needs an operator.
  [JobName.AnnounceChild]: { attempts: 18, backoffMs: 1000 },
};

/** Natural job ids: one job per thing to do, whatever the retries or duplicate enqueues. */
export function naturalJobId(item: JobItem): string {
  switch (item.name) {
    case JobName.CloseProposal:
      return `tally-${item.payload.proposal}`;
    case JobName.SnapshotPopulation:
      return `population-${item.payload.proposal}`;
    case JobName.PropagateDecision:
      return `receipt-${item.payload.circle}-${item.payload.seq}-${item.payload.ancestor}`;
    case JobName.ExecuteFork:
      return `fork-${item.payload.proposal}`;
    case JobName.RecomputeCursor:
      return `cursor-${item.payload.circle}-${item.payload.seq}`;
    case JobName.CutCheckpoints:
      return `checkpoints-${Math.floor(Date.now() / 1000)}`;
    case JobName.PruneOutbox:
      return `outbox-prune-${Math.floor(Date.now() / 1000)}`;
    case JobName.AuditLogs:
      return `log-audit-${Math.floor(Date.now() / 1000)}`;
    case JobName.CollectCosignatures:
      return `witness-collect-${Math.floor(Date.now() / 1000)}`;
    case JobName.AnnounceChild:
      return `child-${item.payload.circle}`;
  }
}

export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JobName);
