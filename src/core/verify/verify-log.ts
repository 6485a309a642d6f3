// SPEC §3.4–§3.6, §3.8 — offline verification of a log (a circle's, or the
// instance registry) and of the checkpoints that describe it. Pure and
// streaming: the CLI, the tests and the server feed it one exported line at a
// time. Checks formats and signatures, not governance rules.
//
// Verification of one entry is split in two so that the stateless, costly part
// (decoding, JWS parsing, signature) can run on worker threads while the
// ordered part (seq, prev, recordedAt, replays, Merkle root) runs on one
// thread: `inspectLine` is the first half, `LogVerifier.accept` the second,
// and `LogVerifier.push` is simply both. Every caller runs these same two
// functions, so a parallel run reaches exactly the verdict of a serial one.
//
// For large logs the two halves also come in bulk: `BatchInspector` (worker
// side) takes a fast path on well-formed lines and hands every other line to
// `inspectLine`; `LogVerifier.acceptBatch` (ordered side) appends clean lines
// directly and hands anything that fails an ordered check to `accept`. Both
// shortcuts only ever confirm success; every failure is found and worded by
// the reference functions above (test/unit/verifier/fast-path.spec.ts).
//
// The code is in five files: verification.ts (codes, options, summaries), inspect-line.ts (the
// reference check of one line), batch-inspector.ts (the fast byte path), log-verifier.ts (the
// ordered half), checkpoint-checks.ts. This module gathers them for callers.
export * from './verification';
export * from './inspect-line';
export * from './batch-inspector';
export * from './log-verifier';
export * from './checkpoint-checks';
