// A small server-sent events client for tests: reads GET /circles/:id/events as a browser's
// EventSource would parse it (event, id, data; comment lines kept apart) and waits for events.
import { eventually } from './app';

export interface StreamEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  private done: Promise<void> = Promise.resolve();

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const client = new EventStreamClient(response, abort);
    if (response.ok && response.body) client.done = client.read(response.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
  }

  private parse(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
      }
    }
    if (fields.data !== undefined) this.events.push({ event: fields.event ?? 'message', ...(fields.id !== undefined ? { id: fields.id } : {}), data: JSON.parse(fields.data) });
  }

  entries(): StreamEvent[] {
    return this.events.filter((e) => e.event === 'entry');
  }

  /** Wait until `count` comment lines matching `match` have arrived. */
  waitForComments(match: (comment: string) => boolean, count: number, what: string, timeoutMs = 15_000): Promise<true> {
    return eventually(async () => this.comments.filter(match).length >= count || undefined, timeoutMs, what);
  }

  /** Wait until an event matching `match` has arrived. */
  waitFor(match: (e: StreamEvent) => boolean, what: string, timeoutMs = 15_000): Promise<StreamEvent> {
    return eventually(async () => this.events.find(match), timeoutMs, what);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
