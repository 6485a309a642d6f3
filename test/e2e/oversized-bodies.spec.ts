// SPEC §10 (oversized payloads): a request body over the limit gets 413 PAYLOAD_TOO_LARGE with the
// JSON error body, on every route, at every size, and the client can read it (no connection cut
// while it is still sending).
import { request } from 'node:http';
import { connect } from 'node:net';
import { startTestApp, TestApp } from '../support/app';

interface Answer {
  status: number;
  body: string;
  error?: string;
}

/** POST `bytes` bytes of a JSON body, streaming it as a client does, and read whatever answer comes. */
function post(url: string, path: string, bytes: number, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': contentType, 'content-length': String(bytes) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (e) => resolve({ status: res.statusCode ?? 0, body, error: e.message }));
      },
    );
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (e) => {
      if (!answered) resolve({ status: 0, body: '', error: (e as NodeJS.ErrnoException).code ?? e.message });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    chunk.write('{"jws":"', 0);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Write the whole request first, then read: what curl and many HTTP libraries do. */
function postWholeThenRead(url: string, path: string, bytes: number): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port), target.hostname);
    let got = '';
    socket.on('data', (d) => (got += d.toString('utf8')));
    socket.on('error', (e) => resolve({ status: 0, body: got, error: (e as NodeJS.ErrnoException).code }));
    socket.on('close', () => {
      const [head, ...rest] = got.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1] ?? 0), body: rest.join('\r\n\r\n') });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`);
    socket.write(Buffer.alloc(bytes, 0x61), () => socket.end());
  });
}

describe('oversized request bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each([1, 2, 4, 16])('POST /api/v1/statements with %i MB: 413 PAYLOAD_TOO_LARGE, readable', async (mb) => {
    const answer = await post(t.url, '/api/v1/statements', mb * 1024 * 1024);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
  });

  it.each([1, 4, 16])('%i MB written whole before reading: the 413 arrives, no EPIPE', async (mb) => {
    const answer = await postWholeThenRead(t.url, '/api/v1/statements', mb * 1024 * 1024);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('PAYLOAD_TOO_LARGE');
  });

  it('a body just under the limit is read and refused for what it is, not for its size', async () => {
    const answer = await post(t.url, '/api/v1/statements', 100 * 1024);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).not.toBe('PAYLOAD_TOO_LARGE');
  });

  it('an oversized body on another route is refused the same way', async () => {
    const answer = await post(t.url, '/api/v1/circles', 4 * 1024 * 1024);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).code).toBe('PAYLOAD_TOO_LARGE');
  });
});
