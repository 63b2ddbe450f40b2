import { expect } from 'chai';
import { loadConfig } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { resolve, type Services } from '../../infrastructure/composition/tokens.js';
import { silentLogger } from '../support/test-doubles.js';

/** Servers that are never contacted: nothing below connects before `startAll`. */
const UNREACHED = { POSTGRES_URI: 'postgres://nobody@127.0.0.1:1/none', REDIS_URI: 'redis://127.0.0.1:1' };

/** A component that records when it is started and closed. */
function recording(name: string, events: string[]) {
  return {
    name,
    start: async () => void events.push(`start ${name}`),
    close: async () => void events.push(`close ${name}`),
  };
}

describe('the composition root: what the process opens and closes', () => {
  it('lists its components explicitly, in start order: the database, then Redis', async () => {
    const lifecycle = resolve(buildContainer(loadConfig(UNREACHED), { Logger: silentLogger }), 'Lifecycle');
    expect(lifecycle.names).to.deep.equal(['postgres', 'redis']);
    await lifecycle.closeAll();
  });

  it('has no Redis connection to manage without Redis', async () => {
    const env = { POSTGRES_URI: UNREACHED.POSTGRES_URI };
    const lifecycle = resolve(buildContainer(loadConfig(env), { Logger: silentLogger }), 'Lifecycle');
    expect(lifecycle.names).to.deep.equal(['postgres']);
    await lifecycle.closeAll();
  });

  it('starts every listed component, resolved or not by anything else, and closes them in reverse', async () => {
    const events: string[] = [];
    const container = buildContainer(loadConfig(UNREACHED), {
      Logger: silentLogger,
      PingDatabase: recording('postgres', events) as unknown as Services['PingDatabase'],
      RedisConnection: recording('redis', events) as unknown as Services['RedisConnection'],
    });
    const lifecycle = resolve(container, 'Lifecycle');
    await lifecycle.startAll();
    expect(events).to.deep.equal(['start postgres', 'start redis']);
    expect(await lifecycle.closeAll()).to.deep.equal([]);
    expect(events.slice(2)).to.deep.equal(['close redis', 'close postgres']);
  });
});
