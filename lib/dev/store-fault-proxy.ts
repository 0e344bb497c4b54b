import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * How the proxy treats each new connection to the store:
 * - `pass`: forwards to the real store;
 * - `blackhole`: accepts and reads, never answers (a partition or a dead host behind a load balancer);
 * - `reset`: resets the connection once the request arrives (ECONNRESET);
 * - `provisioned-throughput-exceeded`, `throttling`: answers DynamoDB's own throttling error. dynalite
 *   never throttles, so this one fault is a mock: the JSON and status DynamoDB sends, written here;
 * - `slow`: forwards every request `slowMs` late (a store slower than the authorizer's attempt timeout, or,
 *   with a short `slowMs`, one whose answers each take long enough to add up past the request's deadline).
 */
export type StoreFault = 'pass' | 'blackhole' | 'reset' | 'provisioned-throughput-exceeded' | 'throttling' | 'slow';

export const STORE_FAULTS: readonly Exclude<StoreFault, 'pass'>[] = [
  'blackhole',
  'reset',
  'provisioned-throughput-exceeded',
  'throttling',
  'slow',
];

/** The bodies DynamoDB's JSON protocol sends with HTTP 400 when it throttles a request. */
const THROTTLE_BODIES: Record<'provisioned-throughput-exceeded' | 'throttling', object> = {
  'provisioned-throughput-exceeded': {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  throttling: { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
};

export interface StoreFaultProxy {
  /** The endpoint to give the authorizer in place of the store's. */
  endpoint: string;
  /** Applies from the next request on, on new and kept-alive connections alike. */
  setFault(fault: StoreFault): void;
  readonly fault: StoreFault;
  /** Requests (or, for a blackhole, connections) that met each fault since the proxy started. */
  readonly met: Record<StoreFault, number>;
  close(): Promise<void>;
}

/** Calls `onRequest` once one whole HTTP request (headers and a Content-Length body) has arrived. */
function whenWholeRequest(socket: Socket, pending: Buffer, onRequest: () => void): void {
  let received = pending;
  const check = () => {
    const headerEnd = received.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, headerEnd).toString('latin1'))?.[1] ?? 0);
    if (received.length < headerEnd + 4 + length) return;
    socket.off('data', onData);
    onRequest();
  };
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    check();
  };
  socket.on('data', onData);
  check();
}

function throttle(socket: Socket, fault: 'provisioned-throughput-exceeded' | 'throttling'): void {
  const body = JSON.stringify(THROTTLE_BODIES[fault]);
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/x-amz-json-1.0\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'x-amzn-RequestId: KEYGATE0FAULT0PROXY0000000000000000000000000000000\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * A TCP proxy on 127.0.0.1 port 0 in front of a DynamoDB endpoint (dynalite: `keygate dev --store-faults`,
 * tests) that can fail every replica behind it in each of the ways a real one fails.
 */
export async function startStoreFaultProxy(upstreamEndpoint: string, options: { slowMs?: number } = {}): Promise<StoreFaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const slowMs = options.slowMs ?? 5_000;
  const open = new Set<Socket>();
  const met: Record<StoreFault, number> = {
    pass: 0,
    blackhole: 0,
    reset: 0,
    'provisioned-throughput-exceeded': 0,
    throttling: 0,
    slow: 0,
  };
  let fault: StoreFault = 'pass';

  /**
   * Forwards to the store, each chunk `delayMs` after it arrived (every request of a kept-alive
   * connection is as slow as the first), until a request arrives under another fault than `mode`.
   */
  function forward(client: Socket, pending: Buffer, mode: StoreFault, delayMs: number): void {
    const store = connect(Number(upstream.port), upstream.hostname);
    open.add(store);
    store.on('close', () => open.delete(store));
    store.on('error', () => client.destroy());
    store.on('data', (chunk) => client.write(chunk));
    store.on('end', () => client.end());
    const timers = new Set<NodeJS.Timeout>();
    const send = (chunk: Buffer) => {
      if (chunk.length === 0 || client.destroyed) return;
      if (delayMs === 0) return void store.write(chunk);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!client.destroyed) store.write(chunk);
      }, delayMs);
      timers.add(timer);
    };
    const onData = (chunk: Buffer) => {
      if (fault !== mode) {
        // A kept-alive connection's next request meets the fault now in force.
        client.off('data', onData);
        store.removeAllListeners('end');
        store.destroy();
        return serve(client, chunk);
      }
      send(chunk);
    };
    client.on('data', onData);
    client.on('close', () => {
      for (const timer of timers) clearTimeout(timer);
      store.destroy();
    });
    send(pending);
  }

  function serve(client: Socket, pending: Buffer): void {
    const mode = fault;
    met[mode] += 1;
    switch (mode) {
      case 'pass':
        return forward(client, pending, mode, 0);
      case 'slow':
        return forward(client, pending, mode, slowMs);
      case 'blackhole':
        // Read (so the client's own close is seen) and never answer.
        client.resume();
        return;
      case 'reset':
        return whenWholeRequest(client, pending, () => client.resetAndDestroy());
      case 'provisioned-throughput-exceeded':
      case 'throttling':
        return whenWholeRequest(client, pending, () => throttle(client, mode));
    }
  }

  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    serve(client, Buffer.alloc(0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    met,
    setFault(next) {
      fault = next;
    },
    get fault() {
      return fault;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const STORE_FAULT_PATH = '/__keygate/store-fault';

const isStoreFault = (value: string): value is StoreFault => value === 'pass' || (STORE_FAULTS as readonly string[]).includes(value);

/**
 * `keygate dev --store-faults`: GET /__keygate/store-fault gives the fault in force and how many store
 * requests met each; POST with a fault name as the body sets it. An operator (or a test) can rehearse
 * an outage against real players.
 */
export function storeFaultRoute(proxy: StoreFaultProxy): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    if (url.pathname !== STORE_FAULT_PATH) return false;
    const answer = (status: number, text: string): true => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${text}\n`);
      return true;
    };
    if (req.method === 'GET') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ fault: proxy.fault, met: proxy.met }));
      return true;
    }
    if (req.method !== 'POST') return answer(405, 'GET or POST');
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > 64) break;
    }
    const next = body.trim();
    if (!isStoreFault(next)) return answer(400, `the body must be one of pass, ${STORE_FAULTS.join(', ')}`);
    proxy.setFault(next);
    return answer(200, next);
  };
}
