// What the writer hands to the projected state tables, without knowing which feature owns which:
// the projector is provided by the statements feature (src/statements/projections.ts), above the
// ledger, so the ledger imports no feature.
import type { EntityManager } from 'typeorm';
import type { LoadedState, StateNeeds } from '../core/rules/batch-state';
import type { PlacedEffect } from '../core/rules/state';

export type { PlacedEffect };

export abstract class EffectProjector {
  /** The state a batch needs, read on the writer's transaction. */
  abstract load(m: EntityManager, needs: StateNeeds): Promise<LoadedState>;
  /**
   * Writes the effects of a batch, in order, on the writer's transaction: every query issued before
   * it returns, and a mistake thrown then, not as a rejection (the writer sends COMMIT right behind).
   */
  abstract apply(m: EntityManager, placed: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<unknown>;
}
