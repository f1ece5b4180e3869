// Mocha root hooks for the e2e suites (`mocha --require e2e/setup.ts`): one
// cluster for the whole run, started before the first suite and stopped after
// the last, whatever happened in between. See e2e/README.md for how the
// cluster is chosen.
import { startTestCluster, stopTestCluster } from './harness/cluster.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A cold build of the control plane takes about ten minutes on a 2-core
    // machine; a warm start a few seconds.
    this.timeout(45 * 60_000);
    await startTestCluster();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopTestCluster();
  },
};
