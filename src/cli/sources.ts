// Where `archipel verify` reads from: a file path or an http(s) URL, read as a
// stream of bytes and regrouped into batches of whole lines. Logs are read as
// bytes, never as one string: a leaf hash covers the exact bytes of its line.
import { createReadStream, promises as fs } from 'node:fs';
import type { Dispatcher } from 'undici';
import { InputError } from './errors';

export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** A log or a note: a file path or an http(s) URL, read as a stream of bytes. */
export interface ByteSource {
  chunks: AsyncIterable<Uint8Array>;
  /** total bytes, when known (file size, Content-Length) */
  size: number | undefined;
}

let redirecting: Dispatcher | undefined;

async function httpGet(url: string): Promise<{ body: AsyncIterable<Uint8Array> & { text(): Promise<string> }; size: number | undefined }> {
  // Loaded on first use: worker threads, which load this module too, never fetch.
  const { getGlobalDispatcher, interceptors, request } = await import('undici');
  let res: Dispatcher.ResponseData;
  try {
    redirecting ??= getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: 5 }));
    res = await request(url, { method: 'GET', dispatcher: redirecting, headersTimeout: 60_000, bodyTimeout: 300_000 });
  } catch (e) {
    throw new InputError(`cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    throw new InputError(`cannot fetch ${url}: HTTP ${res.statusCode}`);
  }
  const length = Number(res.headers['content-length']);
  return { body: res.body, size: Number.isSafeInteger(length) ? length : undefined };
}

export async function openSource(spec: string): Promise<ByteSource> {
  if (isUrl(spec)) {
    const { body, size } = await httpGet(spec);
    return { chunks: body, size };
  }
  let size: number;
  try {
    const stat = await fs.stat(spec);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (e) {
    throw new InputError(`cannot read ${spec}: ${(e as Error).message}`);
  }
  return { chunks: createReadStream(spec, { highWaterMark: 1 << 20 }), size };
}

export async function readText(spec: string): Promise<string> {
  if (isUrl(spec)) return (await httpGet(spec)).body.text();
  try {
    return await fs.readFile(spec, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${spec}: ${(e as Error).message}`);
  }
}

export async function readJson(spec: string): Promise<unknown> {
  const text = await readText(spec);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${spec} is not JSON`);
  }
}

const NEWLINE = 0x0a;

function concat(parts: Uint8Array[], length: number): Uint8Array {
  // Always a fresh buffer of its own, so it can be transferred to a worker.
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Regroups a byte stream into batches of whole lines of about `targetBytes`
 * (a line is never cut; the last batch may lack a final newline). Each batch
 * owns its ArrayBuffer.
 */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, targetBytes: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    let rest = chunk;
    while (rest.length > 0) {
      const from = Math.max(0, targetBytes - length - 1);
      const nl = from < rest.length ? rest.indexOf(NEWLINE, from) : -1;
      if (nl < 0) {
        parts.push(rest);
        length += rest.length;
        break;
      }
      parts.push(rest.subarray(0, nl + 1));
      length += nl + 1;
      yield concat(parts, length);
      parts = [];
      length = 0;
      rest = rest.subarray(nl + 1);
    }
  }
  if (length > 0) yield concat(parts, length);
}

/** The lines of a batch, without their newlines; nothing after a final newline. */
export function splitLines(batch: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  while (start < batch.length) {
    let nl = batch.indexOf(NEWLINE, start);
    if (nl < 0) nl = batch.length;
    lines.push(batch.subarray(start, nl));
    start = nl + 1;
  }
  return lines;
}

export async function* counted(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}
