export default async function globalTeardown(): Promise<void> {
  for (const stop of (globalThis.__archipelTeardown ?? []).reverse()) await stop().catch(() => undefined);
}
