/**
 * The continuation a reading worker loads for `bulwark scan` (LoadOptions.continueIn): on
 * request it runs the policy's pod checks on the objects it read, with the Namespaces and
 * ServiceAccounts of the whole scan that pod checks may read (POD_CHECK_READS), and replies
 * with the outcome table. The catalogue is loaded while the main thread still joins the
 * parts, and the policy is compiled here from the same document as there.
 */
import type { ContinueAfterReading } from '../../manifests/parallel-read.js';
import type { PodCheckReply, PodCheckRequest } from './pod-check-offload.js';

export const continueAfterReading: ContinueAfterReading = async (objects, port) => {
  const [{ allChecks }, engine, { Inventory }, policies] = await Promise.all([
    import('../../checks/index.js'),
    import('../../engine/evaluate.js'),
    import('../../engine/inventory.js'),
    import('../../engine/policy.js'),
  ]);
  const answer = (request: PodCheckRequest): PodCheckReply => {
    const compiled =
      request.policy === undefined
        ? { policy: policies.defaultPolicy(allChecks) }
        : policies.compilePolicy(request.policy, allChecks);
    if (compiled.policy === undefined)
      return { type: 'declined', reason: 'the policy does not compile here' };
    const ids = engine.podCheckIds(compiled.policy);
    if (ids.join('\n') !== request.checkIds.join('\n'))
      return { type: 'declined', reason: 'the catalogue here has other pod checks' };
    // The scan's own Namespaces and ServiceAccounts come last, so they win over this run's copies.
    const inventory = new Inventory([...objects, ...request.context]);
    return { type: 'pod-outcomes', table: engine.evaluatePodChecks(objects, inventory, compiled.policy) };
  };
  port.on('message', (request: PodCheckRequest) => {
    try {
      const reply = answer(request);
      port.postMessage(
        reply,
        reply.type === 'pod-outcomes' ? [reply.table.statuses.buffer as ArrayBuffer] : [],
      );
    } catch (error) {
      port.postMessage({
        type: 'declined',
        reason: error instanceof Error ? error.message : String(error),
      } satisfies PodCheckReply);
    }
  });
};
