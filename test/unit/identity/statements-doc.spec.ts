// docs/statements.md: up to date with the body schemas, and every example in it a real statement:
// it verifies under the key of its `kid` and passes the same validation the server runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBase64url } from '../../../src/core/crypto/crypto';
import { derivedId } from '../../../src/core/formats/ids';
import { publicKeyFromJwk } from '../../../src/core/formats/keys';
import { verifyInclusion } from '../../../src/core/formats/merkle';
import { openNote, parseCheckpoint } from '../../../src/core/formats/signed-note';
import { parseCompact, verifySignature } from '../../../src/core/formats/statement';
import { STATEMENT_TYPES } from '../../../src/core/formats/statement-types';
import { renderStatementsDoc } from '../../support/statement-examples';

const DOC = join(__dirname, '../../../docs/statements.md');

describe('docs/statements.md', () => {
  if (process.env.UPDATE_STATEMENTS_DOC === '1') writeFileSync(DOC, renderStatementsDoc());
  const doc = readFileSync(DOC, 'utf8');
  const keys = JSON.parse(/```json keys\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? '[]') as Array<{ kid: string; jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } }>;
  const noteKey = /signed-note verifier key `([^`]+)`/.exec(doc)?.[1] ?? '';
  const examples = [...doc.matchAll(/^## `([a-z.-]+)`$[\s\S]*?```jws\n([^\n]+)\n```/gm)].map((m) => ({ type: m[1], jws: m[2] }));

  it('is what the generator writes from the current schemas (regenerate it when a schema changes)', () => {
    expect(doc).toBe(renderStatementsDoc());
  });

  it('has one example for every statement type', () => {
    expect(examples.map((e) => e.type)).toEqual([...STATEMENT_TYPES]);
  });

  it.each(STATEMENT_TYPES.map((t) => [t]))('%s: the example verifies under its kid and passes validation', (type) => {
    const { jws } = examples.find((e) => e.type === type) as { jws: string };
    const parsed = parseCompact(jws); // the server's parsing and payload validation: throws on any fault
    expect(parsed.payload.type).toBe(type);
    const key = keys.find((k) => k.kid === parsed.header.kid);
    expect(key).toBeDefined();
    expect(verifySignature(parsed, publicKeyFromJwk(key!.jwk))).toBe(true);
    // One changed bit of what is signed breaks it.
    const signingInput = parsed.signingInput.slice();
    signingInput[signingInput.length - 1] ^= 1;
    expect(verifySignature({ ...parsed, signingInput }, publicKeyFromJwk(key!.jwk))).toBe(false);
  });

  it('child.decision: its checkpoint is signed by the instance and its proof includes the tally entry', () => {
    const decision = parseCompact(examples.find((e) => e.type === 'child.decision')!.jws).payload;
    if (decision.type !== 'child.decision') throw new Error('not a child.decision');
    const opened = openNote(decision.body.checkpoint, noteKey);
    if (!opened.ok) throw new Error(opened.reason);
    const checkpoint = parseCheckpoint(opened.text);
    const leaf = decodeBase64url(decision.body.entry.leaf) as Uint8Array;
    const path = decision.body.proof.map((h) => decodeBase64url(h) as Uint8Array);
    expect(verifyInclusion(leaf, decision.body.entry.seq, checkpoint.size, path, checkpoint.root)).toBe(true);
    expect(checkpoint.origin).toBe(`example.archipel.org/circles/${decision.body.child}`);
  });

  it('circle.split names the circle whose genesis is the circle.forked example', () => {
    const forked = examples.find((e) => e.type === 'circle.forked')!.jws;
    const split = parseCompact(examples.find((e) => e.type === 'circle.split')!.jws).payload;
    expect(split.body).toMatchObject({ newCircle: derivedId(forked) });
  });
});
