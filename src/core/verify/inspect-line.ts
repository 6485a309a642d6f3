// SPEC §3.4–§3.6 — the reference check of one log line, needing no earlier entry (the stateless
// half of verification; see verify-log.ts).
import { type PublicKeyHandle } from '../crypto/crypto';
import { publicKeyFromJwk } from '../formats/keys';
import { assertSignature, parseCompact, ParsedStatement, StatementError } from '../formats/statement';
import { isRegistryType, STATEMENT_TYP, SYSTEM_TYP } from '../formats/statement-types';
import { derivedId } from '../formats/ids';
import { decodeEntryBytes, decodeEntryLine, DecodeEntryResult, LogEntry } from '../formats/entry';
import { EntryHead, InspectedEntry, KeyLookup, LogVerifierOptions, Problem, problem, REGISTRY } from './verification';

// ---------------------------------------------------------------- the stateless half

/** What inspecting a line needs: the log's circle, the keys, the instance kid. */
export type InspectContext = Required<Pick<LogVerifierOptions, 'circle' | 'keys' | 'instanceKid'>>;

export const noKeys: KeyLookup = () => undefined;

function decodeLine(line: string | Uint8Array): DecodeEntryResult {
  return typeof line === 'string' ? decodeEntryLine(line) : decodeEntryBytes(line);
}


/**
 * Everything about one line that needs no earlier entry: its decoding, its
 * leaf hash, the JWS (header, canonical payload, schema), the signer's key
 * and signature, and whether the payload belongs in this log (genesis id at
 * seq 0). Bad input never throws: it becomes the `problem`.
 */
export function inspectLine(line: string | Uint8Array, ctx: InspectContext): InspectedEntry {
  const decoded = decodeLine(line);
  if (!decoded.ok) {
    return { head: null, leaf: null, problem: problem('MALFORMED_ENTRY', `not a log entry: ${decoded.reason}`), kid: null, id: null };
  }
  const { entry, leaf } = decoded;
  const head: EntryHead = { circle: entry.circle, seq: entry.seq, prev: entry.prev, recordedAt: entry.recordedAt };
  const result: InspectedEntry = { head, leaf, problem: null, kid: null, id: null };

  let parsed: ParsedStatement;
  try {
    parsed = parseCompact(entry.jws);
  } catch (e) {
    result.problem = statementProblem(e);
    return result;
  }
  result.kid = parsed.header.kid;
  result.id = parsed.payload.id;
  try {
    const key = ctx.circle === REGISTRY ? checkRegistration(parsed, result) : checkCircleStatement(parsed, entry, ctx);
    // A key change's key is known only to the ordered half (the registry so far): checked there.
    if (key !== null) assertSignature(parsed, key);
  } catch (e) {
    result.problem = e instanceof WrongPlace ? e.problem : statementProblem(e);
    delete result.registration;
    delete result.statement;
  }
  return result;
}

class WrongPlace extends Error {
  constructor(readonly problem: Problem) {
    super(problem.reason);
  }
}

function statementProblem(e: unknown): Problem {
  if (e instanceof StatementError) {
    const code = e.code === 'CLOCK_SKEW' ? 'INVALID_STATEMENT' : e.code;
    return problem(code, `statement: ${e.message}${e.field ? ` (${e.field})` : ''}`);
  }
  throw e;
}

function checkRegistration(parsed: ParsedStatement, result: InspectedEntry): PublicKeyHandle | null {
  const type = parsed.payload.type;
  if (!isRegistryType(type) || parsed.header.typ !== STATEMENT_TYP) {
    throw new WrongPlace(problem('NOT_REGISTRATION', `the registry holds only member.register and key changes, not ${type}`));
  }
  result.statement = parsed;
  if (type !== 'member.register') return null;
  if (parsed.header.jwk === undefined) throw new WrongPlace(problem('NOT_REGISTRATION', 'member.register without its jwk'));
  // parseCompact has checked that kid is the thumbprint of this jwk.
  const key = publicKeyFromJwk(parsed.header.jwk);
  result.registration = { jwk: parsed.header.jwk, key };
  return key;
}

function checkCircleStatement(parsed: ParsedStatement, entry: LogEntry, ctx: InspectContext): PublicKeyHandle | undefined {
  const { payload, header } = parsed;
  if (entry.seq === 0) {
    if (payload.type !== 'circle.create' && payload.type !== 'circle.forked') {
      throw new WrongPlace(problem('WRONG_GENESIS', `entry 0 must be circle.create or circle.forked, not ${payload.type}`));
    }
    const derived = derivedId(entry.jws);
    if (derived !== ctx.circle) {
      throw new WrongPlace(problem('WRONG_GENESIS', `the genesis names circle ${derived}, not ${ctx.circle}`));
    }
  } else if (isRegistryType(payload.type)) {
    throw new WrongPlace(problem('WRONG_CIRCLE', `${payload.type} belongs in the registry log`));
  } else if (payload.circle === null) {
    throw new WrongPlace(problem('WRONG_CIRCLE', `${payload.type} is a genesis: it can only be entry 0`));
  } else if (payload.circle !== ctx.circle) {
    throw new WrongPlace(problem('WRONG_CIRCLE', `statement is for circle ${payload.circle}, not ${ctx.circle}`));
  }
  if (header.typ === SYSTEM_TYP) {
    if (header.kid !== ctx.instanceKid) {
      throw new WrongPlace(problem('WRONG_SIGNER', `system statement signed by ${header.kid}, not the instance key`));
    }
  } else if (header.kid === ctx.instanceKid) {
    throw new WrongPlace(problem('WRONG_SIGNER', 'member statement signed with the instance key'));
  }
  return ctx.keys(header.kid);
}
