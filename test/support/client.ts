// A small HTTP client for the API, acting as members with real Ed25519 keys.
import { StatementSigner } from '../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../src/core/formats/statement-types';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async get<T = Record<string, unknown>>(path: string): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`);
    const text = await res.text();
    return { status: res.status, body: safeJson(text) as T, text, headers: res.headers };
  }

  async postJws(jws: string): Promise<ApiAnswer> {
    return this.post('/api/v1/statements', { jws });
  }

  async post(path: string, body: unknown): Promise<ApiAnswer> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: safeJson(text) as Record<string, unknown>, text, headers: res.headers };
  }

  /** Sign and submit; throws unless the statement was appended. */
  async act<T extends StatementType>(signer: StatementSigner, type: T, circle: string | null, body: BodyOf<T>): Promise<{ circle: string; seq: number; leaf: string; id?: string }> {
    const answer = await this.postJws(signer.sign(type, circle, body));
    if (answer.status !== 201) throw new Error(`${type} refused: ${answer.status} ${answer.text}`);
    return answer.body as { circle: string; seq: number; leaf: string; id?: string };
  }

  async register(name: string): Promise<StatementSigner> {
    const member = StatementSigner.generate();
    await this.act(member, 'member.register', null, { name });
    return member;
  }

  /** Create a circle (optionally under a parent) and bring these members in. */
  async circle(
    creator: StatementSigner,
    name: string,
    opts: { parent?: string; members?: StatementSigner[]; regime?: string; params?: Record<string, string> } = {},
  ): Promise<string> {
    const body = {
      name,
      regime: opts.regime ?? 'amendment',
      ...(opts.parent ? { parent: opts.parent } : {}),
      ...(opts.params ? { params: opts.params } : {}),
    } as BodyOf<'circle.create'>;
    const { id } = await this.act(creator, 'circle.create', null, body);
    for (const m of opts.members ?? []) {
      await this.act(creator, 'member.invite', id as string, { member: m.id });
      await this.act(m, 'member.accept', id as string, {});
    }
    return id as string;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
