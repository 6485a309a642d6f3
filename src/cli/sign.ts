// Statements as the member's commands sign them: all through the core's
// StatementSigner (SPEC §3.3), so the CLI has no signing or canonical JSON of
// its own. The registry statements of SPEC §11 are built here to the letter
// (payload `{v, type, id, circle: null, at, body}`, header without `jwk`).
import { monotonicFactory } from 'ulid';
import { formatTimestamp } from '../core/formats/canonical-json';
import type { Ed25519PublicJwk } from '../core/formats/keys';
import { StatementSigner } from '../core/formats/statement-signer';

const nextUlid = monotonicFactory();

export type KeyStatement =
  | { type: 'member.key.add'; body: { member: string; jwk: Ed25519PublicJwk } }
  | { type: 'member.key.revoke'; body: { member: string; key: string } }
  | { type: 'member.recovery.set'; body: { member: string; jwk: Ed25519PublicJwk } };

/** SPEC §11: a registry statement signed by an active key or the recovery key (kid = its thumbprint). */
export function signKeyStatement(signer: StatementSigner, s: KeyStatement, at: number = Date.now()): string {
  const payload = { v: 1, type: s.type, id: nextUlid(), circle: null, at: formatTimestamp(at), body: s.body };
  return signer.signPayload(payload, { includeJwk: false });
}

/** SPEC §4, §11: `member.register` with her name and, when given, her recovery key's public JWK. */
export function signRegister(signer: StatementSigner, name: string, recovery: Ed25519PublicJwk | null): string {
  if (recovery === null) return signer.sign('member.register', null, { name });
  const payload = { v: 1, type: 'member.register', id: nextUlid(), circle: null, at: formatTimestamp(Date.now()), body: { name, recovery } };
  return signer.signPayload(payload, { includeJwk: true });
}
