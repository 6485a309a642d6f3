// A TCP proxy that holds every chunk for a fixed time in each direction, order kept: a database
// "on another host" for bench:ingest (BENCH_DB_DELAY_MS), where netem is not at hand. Run as its own
// process, so its work is not the load generator's: node dist-bench/bench/delay-proxy.js
// LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS. Timers are coarse: 1 ms one way gives a round trip
// of about 2.5 ms (psql's \timing on `SELECT 1`).
import { connect, createServer, Socket } from 'node:net';

const [listenPort, targetHost, targetPort, delayMs] = process.argv.slice(2);

function delayed(from: Socket, to: Socket): void {
  const ms = Number(delayMs);
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), ms));
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), ms));
}

createServer((client) => {
  const server = connect(Number(targetPort), targetHost);
  client.setNoDelay(true);
  server.setNoDelay(true);
  delayed(client, server);
  delayed(server, client);
}).listen(Number(listenPort), '127.0.0.1', () => process.send?.('listening'));
