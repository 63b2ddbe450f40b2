import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export type ProxyMode = 'pass' | 'blackhole' | 'refuse';

/**
 * A TCP proxy of our own between the service and a server, to break the connection in
 * the ways production does:
 * - `pass`: bytes flow;
 * - `cut()`: every open connection is reset now (a crash or a failover);
 * - `blackhole`: connections stay open but nothing is forwarded either way (a dead host, a
 *   dropped route: packets vanish, no reset), and new connections are accepted and starved;
 * - `refuse`: new connections are closed at once (a server that is down).
 */
export class FaultProxy {
  private mode: ProxyMode = 'pass';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const proxy = new FaultProxy(server, typeof address === 'object' && address ? address.port : 0, target);
    server.on('connection', (client) => proxy.accept(client, proxy.target));
    return proxy;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'refuse') this.cut();
  }

  /**
   * Sends new connections to another server and resets the open ones: what Stolon's proxy does
   * when the sentinels elect a new master.
   */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
    this.cut();
  }

  /** Resets every open connection. */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => client.destroy());
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forget = () => this.pairs.delete(pair);
    client.on('close', () => {
      forget();
      upstream.destroy();
    });
    upstream.on('close', () => {
      forget();
      client.destroy();
    });
    this.forward(client, upstream);
    this.forward(upstream, client);
  }

  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (this.mode === 'blackhole') return; // swallowed: no answer, no reset
      if (to.writable) to.write(chunk);
    });
  }
}
