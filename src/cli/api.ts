// The instance's HTTP API as the member's commands use it: statements are
// posted to POST /api/v1/statements (SPEC §3.8), everything else is read from
// the documented read routes. A refusal becomes an ApiError with the API's own
// code and message; an unreachable instance an InputError.
import { ApiError, InputError } from './errors';

export interface Appended {
  circle: string;
  seq: number;
  leaf: string;
  /** the new circle's id for a genesis, the proposal id for proposal.open */
  id?: string;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  url(path: string): string {
    const root = this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`;
    return new URL(path.replace(/^\//, ''), root).href;
  }

  async get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** A route answering text (a signed checkpoint, SPEC §3.6), as it came. */
  async getText(path: string): Promise<string> {
    return (await this.request('GET', path, 'text/plain')).text();
  }

  async post(jws: string): Promise<Appended> {
    return this.call<Appended>('POST', '/api/v1/statements', { jws });
  }

  /** A JSON request to another route than statements (the federation routes, SPEC §12.2). */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** The raw response of a streaming route (the caller reads and closes it). */
  async stream(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.url(path), { headers, signal });
    } catch (e) {
      throw new InputError(`cannot reach ${this.baseUrl}: ${causeOf(e)}`);
    }
    if (!res.ok) throw await refusal(res);
    return res;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const text = await (await this.request(method, path, 'application/json', body)).text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InputError(`${method} ${path}: the answer is not JSON`);
    }
  }

  /** The response of a request that succeeded; a refusal or an unreachable instance throws. */
  private async request(method: 'GET' | 'POST', path: string, accept: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers: body === undefined ? { accept } : { 'content-type': 'application/json', accept },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new InputError(`cannot reach ${this.baseUrl}: ${causeOf(e)}`);
    }
    if (!res.ok) throw await refusal(res);
    return res;
  }
}

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

async function refusal(res: Response): Promise<Error> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; field?: unknown };
    if (typeof body.code === 'string') {
      return new ApiError(res.status, body.code, typeof body.message === 'string' ? body.message : '', typeof body.field === 'string' ? body.field : undefined);
    }
  } catch {
    // not an API error body
  }
  if (res.status >= 500) return new ApiError(res.status, 'INSTANCE_ERROR', `HTTP ${res.status}`);
  return new InputError(`HTTP ${res.status} from ${res.url}`);
}
