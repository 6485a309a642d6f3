// docs/statements.md, generated: for every statement type (SPEC §4), a summary of its body's JSON
// Schema (the one the server validates with and publishes in /docs/openapi.json) and one example
// signed with the project's own signing code. The examples form one small story with fixed keys,
// ids and times, so the document is stable and every example is a real, verifiable JWS; the
// checkpoint and the inclusion proof of `child.decision` and `circle.forked` are real too.
//
//   UPDATE_STATEMENTS_DOC=1 npx jest --selectProjects unit --testPathPatterns statements-doc
import { z } from 'zod';
import { formatTimestamp } from '../../src/core/formats/canonical-json';
import { decodeBase64url, sha256, utf8 } from '../../src/core/crypto/crypto';
import { encodeEntry, prevOf } from '../../src/core/formats/entry';
import { derivedId } from '../../src/core/formats/ids';
import { appendLeaves, inclusionProof, mapGetter } from '../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../src/core/formats/signed-note';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import { BODY_SCHEMAS, BodyOf, isSignableBy, STATEMENT_TYPES, StatementType } from '../../src/core/formats/statement-types';
import { DEFAULT_PARAMS } from '../../src/core/governance/params';
import { bodyComponentName } from '../../src/statements/statement-bodies';

export const EXAMPLE_INSTANCE = 'example.archipel.org';
const T0 = Date.parse('2026-12-01T09:00:00.000Z');

/** A signer from a fixed seed: the document's examples are reproducible (never use these keys). */
const signerOf = (name: string) => StatementSigner.fromSeed(sha256(utf8(`archipel example key: ${name}`)));

export interface Example {
  type: StatementType;
  jws: string;
  signer: string;
}

export interface Examples {
  keys: Array<{ name: string; kid: string; jwk: StatementSigner['publicJwk'] }>;
  noteKey: string;
  examples: Map<StatementType, Example>;
}

export function buildExamples(): Examples {
  const alice = signerOf('alice');
  const bob = signerOf('bob');
  const laptop = signerOf('alice laptop');
  const recovery = signerOf('alice recovery');
  const instance = signerOf('instance');
  const publicKey = decodeBase64url(instance.publicJwk.x) as Uint8Array;
  const noteKey = formatVerifierKey(EXAMPLE_INSTANCE, publicKey);
  const note = (text: string) => signNote(text, EXAMPLE_INSTANCE, publicKey, (m) => instance.signBytes(m));
  const examples = new Map<StatementType, Example>();
  let n = 0;
  const sign = <T extends StatementType>(s: StatementSigner, type: T, circle: string | null, body: BodyOf<T>, show = true): string => {
    n++;
    const jws = s.sign(type, circle, body, { id: `01KBX${String(n).padStart(21, '0')}`, at: formatTimestamp(T0 + n * 60_000) });
    if (show && !examples.has(type)) examples.set(type, { type, jws, signer: s === instance ? 'instance' : s === alice ? 'alice' : s === laptop ? 'alice laptop' : 'bob' });
    return jws;
  };

  // A circle's log, entry by entry, as the instance writes it (SPEC §3.5).
  const log = (circle: string) => {
    const lines: string[] = [];
    const leaves: Uint8Array[] = [];
    return {
      append(jws: string) {
        const seq = lines.length;
        const { line, leaf } = encodeEntry({
          v: 1,
          circle,
          seq,
          prev: seq ? prevOf(leaves[seq - 1]) : null,
          recordedAt: formatTimestamp(T0 + n * 60_000 + 1),
          jws,
        });
        lines.push(line);
        leaves.push(leaf);
        return { seq, leaf: Buffer.from(leaf).toString('base64url') };
      },
      checkpoint(size: number) {
        const tree = appendLeaves(0, mapGetter([]), leaves.slice(0, size));
        return { note: note(formatCheckpoint(`${EXAMPLE_INSTANCE}/circles/${circle}`, size, tree.root)), get: mapGetter(tree.nodes) };
      },
    };
  };

  sign(alice, 'member.register', null, { name: 'Alice' });
  sign(bob, 'member.register', null, { name: 'Bob' }, false);
  const commonsGenesis = sign(alice, 'circle.create', null, { name: 'Commons', regime: 'amendment' }, false);
  const commons = derivedId(commonsGenesis);
  const gardenGenesis = sign(alice, 'circle.create', null, { name: 'Garden', parent: commons, regime: 'do-ocracy', params: { objectionShare: '1/5' } });
  const garden = derivedId(gardenGenesis);
  const gardenLog = log(garden);
  const genesis = gardenLog.append(gardenGenesis);
  sign(instance, 'child.created', commons, { child: garden, genesis: { leaf: genesis.leaf } });
  gardenLog.append(sign(alice, 'member.invite', garden, { member: bob.id }));
  gardenLog.append(sign(bob, 'member.accept', garden, {}));
  const closesAt = formatTimestamp(T0 + 7 * 24 * 3_600_000);
  const motion = sign(alice, 'proposal.open', garden, { kind: 'motion', title: 'Plant an orchard', text: 'We plant twelve pear trees along the south wall.', topic: 'land', closesAt });
  gardenLog.append(motion);
  const proposal = derivedId(motion);
  gardenLog.append(sign(bob, 'vote.cast', garden, { proposal, choice: 'support' }));
  sign(bob, 'vote.retract', garden, { proposal });
  sign(bob, 'delegation.set', garden, { to: alice.id, scope: { topic: 'land' } });
  sign(bob, 'delegation.revoke', garden, { scope: { topic: 'land' } });
  sign(alice, 'regime.position', garden, { position: 'amendment' });
  const params = { ...DEFAULT_PARAMS, objectionShare: '1/5' };
  const tally = gardenLog.append(
    sign(instance, 'tally.result', garden, {
      proposal,
      regime: 'do-ocracy',
      params,
      outcome: 'adopted',
      totals: { E: 2, Y: 1, N: 0, A: 0, O: 0 },
      lost: { weight: 0, cycles: [] },
      absent: 1,
    }),
  );
  const size = tally.seq + 1;
  const checkpoint = gardenLog.checkpoint(size);
  sign(instance, 'child.decision', commons, {
    child: garden,
    proposal,
    outcome: 'adopted',
    entry: tally,
    checkpoint: checkpoint.note,
    proof: inclusionProof(tally.seq, size, checkpoint.get).map((h) => Buffer.from(h).toString('base64url')),
  });
  sign(instance, 'regime.changed', garden, { from: 'do-ocracy', to: 'amendment', weights: { unanimity: 0, 'do-ocracy': 0, amendment: 2, split: 0 }, cast: 2, E: 2 });
  sign(bob, 'member.leave', garden, {});
  const split = derivedId(sign(bob, 'proposal.open', garden, { kind: 'split', title: 'An orchard of our own', text: 'We start apart.', name: 'Orchard', closesAt }, false));
  const forked = sign(instance, 'circle.forked', null, {
    from: garden,
    atSeq: tally.seq,
    atLeaf: tally.leaf,
    checkpoint: checkpoint.note,
    name: 'Orchard',
    parent: commons,
    regime: 'amendment',
    params: { objectionShare: '1/5' },
    members: [bob.id],
    delegations: [],
    cause: split,
  });
  sign(instance, 'circle.split', garden, { newCircle: derivedId(forked), members: [bob.id], cause: split });

  // SPEC §11: Alice sets a recovery key, adds her laptop's key, and revokes her first key from it.
  sign(alice, 'member.key.add', null, { member: alice.id, jwk: laptop.publicJwk });
  sign(laptop, 'member.key.revoke', null, { member: alice.id, key: alice.id });
  sign(laptop, 'member.recovery.set', null, { member: alice.id, jwk: recovery.publicJwk });

  const keys = [
    { name: 'alice', kid: alice.id, jwk: alice.publicJwk },
    { name: 'alice laptop', kid: laptop.id, jwk: laptop.publicJwk },
    { name: 'alice recovery', kid: recovery.id, jwk: recovery.publicJwk },
    { name: 'bob', kid: bob.id, jwk: bob.publicJwk },
    { name: 'instance', kid: instance.id, jwk: instance.publicJwk },
  ];
  return { keys, noteKey, examples };
}

/** One row per property: name, required, type and constraints, description. */
function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, p]) => {
    const row = `| \`${prefix}${name}\` | ${required.has(name) ? 'yes' : 'no'} | ${typeOf(p)} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`;
    return p.type === 'object' && p.properties ? [row, ...fieldRows(p, `${prefix}${name}.`)] : [row];
  });
}

function typeOf(p: JsonSchema): string {
  if (p.enum) return p.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(', or ');
  if (p.type === 'array') return `array of ${p.items ? typeOf(p.items) : 'anything'}${p.minItems ? ` (at least ${p.minItems})` : ''}`;
  if (p.type === 'object' && p.properties) return `object {${Object.keys(p.properties).join(', ')}}`;
  if (p.type === 'object') return 'object (name → number or string)';
  const bounds = [p.minLength !== undefined ? `${p.minLength}` : '', p.maxLength !== undefined ? `${p.maxLength}` : ''];
  const length = p.maxLength !== undefined ? ` (${bounds[0] || 0}–${bounds[1]} characters)` : '';
  return `${p.type ?? 'any'}${p.nullable ? ' or null' : ''}${length}`;
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  nullable?: boolean;
}

export function bodyJsonSchema(type: StatementType): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(BODY_SCHEMAS[type], { target: 'openapi-3.0', unrepresentable: 'any' }) as JsonSchema & { $schema?: string };
  return schema;
}

const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

export function renderStatementsDoc(ex: Examples = buildExamples()): string {
  const out: string[] = [
    '# Statements',
    '',
    'Every action is a statement: a compact JWS (EdDSA, Ed25519) whose payload is the RFC 8785 canonical JSON of',
    '`{"v":1,"type","id","circle","at","body"[,"seen"]}` (SPEC §3.3; the envelope and the logs are in',
    '[log-format.md](log-format.md)). This page gives, for every type, the fields of its `body` and one signed example.',
    '',
    'The body schemas are generated from the zod schemas the server validates with',
    '(`src/core/formats/statement-types.ts`): they are in the OpenAPI document (`/docs/openapi.json`, components',
    '`MemberRegisterBody` … `RegimeChangedBody`, and `StatementPayload`). Objects are strict: a member not listed is',
    'refused. Lengths count Unicode code points; a one-line string has no control character.',
    '',
    'The examples are real statements, generated by `test/support/statement-examples.ts` with the project\'s signing',
    'code from fixed example keys (below; never use them), and checked by `test/unit/identity/statements-doc.spec.ts`:',
    'each verifies under its `kid`\'s key and passes the server\'s validation. Regenerate this page with',
    '`UPDATE_STATEMENTS_DOC=1 npx jest --selectProjects unit --testPathPatterns statements-doc`.',
    '',
    '## Example keys',
    '',
    `Instance \`${EXAMPLE_INSTANCE}\`, signed-note verifier key \`${ex.noteKey}\`.`,
    '',
    '```json keys',
    JSON.stringify(ex.keys, null, 2),
    '```',
    '',
  ];
  for (const type of STATEMENT_TYPES) {
    const example = ex.examples.get(type);
    if (!example) throw new Error(`No example of ${type}`);
    const schema = bodyJsonSchema(type);
    const signers = [isSignableBy(type, 'member') ? 'a member' : '', isSignableBy(type, 'system') ? 'the instance (`typ: "archipel-system"`)' : ''].filter(Boolean);
    out.push(`## \`${type}\``, '', `Signed by ${signers.join(', or ')}. OpenAPI component: \`${bodyComponentName(type)}\`.`, '');
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) {
      for (const variant of variants) {
        const kind = variant.properties?.kind?.enum?.[0];
        out.push(`Body with \`kind\` = \`${String(kind)}\`:`, '', '| field | required | type | notes |', '| --- | --- | --- | --- |', ...fieldRows(variant), '');
      }
    } else if (Object.keys(schema.properties ?? {}).length) {
      out.push('| field | required | type | notes |', '| --- | --- | --- | --- |', ...fieldRows(schema), '');
    } else {
      out.push('The body is the empty object `{}`.', '');
    }
    const [header, payload] = example.jws.split('.');
    out.push(
      `Example, signed by ${example.signer}:`,
      '',
      '```jws',
      example.jws,
      '```',
      '',
      'Decoded header and payload:',
      '',
      '```json',
      JSON.stringify(decode(header)),
      JSON.stringify(decode(payload), null, 2),
      '```',
      '',
    );
  }
  return out.join('\n');
}
