import assert from 'node:assert/strict';
import { OptionError, parseDuration, resolveRunOptions, runHelp } from '../../../src/cli/run/options.js';

describe('run options', () => {
  it('has defaults suitable for the Deployment in deploy/', () => {
    const options = resolveRunOptions({}, { POD_NAMESPACE: 'bulwark-system', POD_NAME: 'bulwark-0' });
    assert.equal(options.metricsPort, 8080);
    assert.equal(options.leaderElect, true);
    assert.equal(options.leaseNamespace, 'bulwark-system');
    assert.equal(options.resyncSeconds, 600);
    assert.equal(options.debounceMs, 200);
    assert.deepEqual([options.writeQps, options.writeBurst, options.workers], [25, 50, 8]);
    assert.match(options.identity, /^bulwark-0_[a-z0-9]+$/);
  });

  it('takes environment variables, and flags over them', () => {
    const options = resolveRunOptions(
      { 'write-qps': '5' },
      { BULWARK_WRITE_QPS: '2', BULWARK_LOG_LEVEL: 'debug', BULWARK_LEADER_ELECT: 'false' },
    );
    assert.equal(options.writeQps, 5);
    assert.equal(options.logLevel, 'debug');
    assert.equal(options.leaderElect, false);
  });

  const invalid: [Record<string, string>, RegExp][] = [
    [{ 'log-level': 'loud' }, /--log-level: must be one of error, warn, info, debug \(got "loud"\)/],
    [{ 'resync-period': '10' }, /--resync-period: must be a duration/],
    [{ 'write-qps': 'x' }, /--write-qps: must be a number >= 0.1/],
    [{ 'metrics-bind-address': 'localhost' }, /--metrics-bind-address: must be host:port/],
    [{ 'leader-elect': 'yes' }, /--leader-elect: must be true or false/],
  ];
  for (const [flags, message] of invalid) {
    it(`rejects ${JSON.stringify(flags)} naming the flag`, () => {
      assert.throws(
        () => resolveRunOptions(flags, {}),
        (error: unknown) => error instanceof OptionError && message.test(error.message),
      );
    });
  }

  it('parses durations', () => {
    assert.deepEqual(['250ms', '30s', '10m', '1h', '1.5s', '10', 'm'].map(parseDuration), [
      250,
      30000,
      600000,
      3600000,
      1500,
      undefined,
      undefined,
    ]);
  });

  it('documents every flag with its environment variable', () => {
    assert.match(runHelp(), /--write-qps .*env BULWARK_WRITE_QPS/);
  });
});
