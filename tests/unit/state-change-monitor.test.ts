import { expect } from 'chai';
import { StateChangeMonitor } from '../../infrastructure/monitoring/state-change-monitor.js';
import { RecordingReporter, silentLogger } from '../support/test-doubles.js';

describe('StateChangeMonitor: one report per change of state', () => {
  it('reports an outage once however many requests fail, and again after a recovery', () => {
    const reporter = new RecordingReporter();
    const monitor = new StateChangeMonitor(reporter, silentLogger);
    monitor.succeeded('cache');
    for (let i = 0; i < 100; i++) monitor.failed('cache', new Error('ECONNREFUSED'));
    expect(reporter.reports).to.have.length(1);
    expect(reporter.reports[0]!.context).to.include({ dependency: 'cache', event: 'dependency_down' });
    for (let i = 0; i < 10; i++) monitor.succeeded('cache');
    expect(monitor.state('cache')).to.equal('up');
    monitor.failed('cache', new Error('again'));
    expect(reporter.reports).to.have.length(2);
  });

  it('keeps dependencies apart and tells listeners of each transition', () => {
    const monitor = new StateChangeMonitor(new RecordingReporter(), silentLogger);
    const seen: string[] = [];
    monitor.onChange((dependency, state) => seen.push(`${dependency}:${state}`));
    monitor.failed('store', new Error('x'));
    monitor.failed('store', new Error('x'));
    monitor.succeeded('cache');
    monitor.succeeded('store');
    expect(seen).to.deep.equal(['store:down', 'store:up']);
    expect(monitor.state('cache')).to.equal('up');
  });
});
