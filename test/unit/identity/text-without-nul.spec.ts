// Multi-line texts (a proposal's text, an amendment's find and replace, a vote's reason) take any
// character but U+0000, which PostgreSQL cannot store in text: a proposal whose text held one was
// answered 500 by the writer (found by the fuzz campaign, docs/testing.md). Refused with the field.
import { validatePayload } from '../../../src/core/formats/statement-types';

const P = 'AAAAAAAAAAAAAAAAAAAAAA';
const envelope = (type: string, body: object) => ({ v: 1, type, id: '01J0000000000000000000000A', circle: P, at: '2026-12-06T00:00:00.000Z', body });
const motion = (over: object) => ({ kind: 'motion', title: 'T', text: 't', closesAt: '2027-01-01T00:00:00.000Z', ...over });
const amendment = (over: object) => ({ kind: 'amendment', title: 'T', text: 't', closesAt: '2027-01-01T00:00:00.000Z', target: P, find: 'a', replace: 'b', ...over });

describe('U+0000 in a multi-line text', () => {
  it.each([
    ['proposal.open', motion({ text: 'a\u0000b' }), 'body.text'],
    ['proposal.open', motion({ text: '\u0000' }), 'body.text'],
    ['proposal.open', amendment({ find: 'x\u0000' }), 'body.find'],
    ['proposal.open', amendment({ replace: '\u0000' }), 'body.replace'],
    ['vote.cast', { proposal: P, choice: 'object', reason: 'why\u0000' }, 'body.reason'],
  ])('%s with %j is refused at %s', (type, body, field) => {
    expect(validatePayload(envelope(type, body), 'member')).toEqual({ ok: false, field, message: 'must not contain U+0000' });
  });

  it('every other character stays allowed in them, control characters included', () => {
    const text = 'line\nbreak\r\n\ttab \u0001\u001f\u007f\u0085 \u2028 🙂 \uffff';
    expect(validatePayload(envelope('proposal.open', motion({ text })), 'member').ok).toBe(true);
    expect(validatePayload(envelope('proposal.open', amendment({ find: text, replace: text })), 'member').ok).toBe(true);
    expect(validatePayload(envelope('vote.cast', { proposal: P, choice: 'object', reason: text }), 'member').ok).toBe(true);
  });
});
