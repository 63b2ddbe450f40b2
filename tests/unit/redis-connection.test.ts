import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { waitUntil } from '../../harness/wait-until.js';
import { RedisConnection } from '../../infrastructure/redis/redis-connection.js';
import { silentLogger } from '../support/test-doubles.js';

/** The parts of an ioredis client RedisConnection uses: its events, connect and disconnect. */
class FakeClient extends EventEmitter {
  status = 'ready';
  connects = 0;
  async connect(): Promise<void> {
    this.connects++;
  }
  disconnect(): void {
    this.status = 'end';
    this.emit('end');
  }
}

function makeSut() {
  const client = new FakeClient();
  // No restart delay: the test waits for the restart, not for a pause.
  const connection = new RedisConnection(client as unknown as Redis, silentLogger, 0);
  return { client, connection };
}

describe('RedisConnection', () => {
  it('starts a client again that ioredis ended by itself (a failover cut its reconnect short)', async () => {
    const { client } = makeSut();
    client.status = 'end';
    client.emit('end');
    // 1 s: a 0 ms timer fires on the next turn of the event loop.
    await waitUntil(() => client.connects === 1, { timeoutMs: 1_000, intervalMs: 1, what: 'a new connect()' });
  });

  it('leaves a client it closed itself closed', async () => {
    const { client, connection } = makeSut();
    client.status = 'connecting';
    await connection.close();
    expect(client.status).to.equal('end');
    // Timers of equal delay fire in the order they were set: a restart close() had set runs first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.connects).to.equal(0);
  });
});
