import { Ledger1763800000000 } from './1763800000000-ledger';

/** Every migration, in order. Schema changes go through here only (never `synchronize`). */
export const migrations = [Ledger1763800000000];
