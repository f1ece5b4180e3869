/**
 * The controller's inventory: the engine's, with one addition. The engine keys derived
 * indexes on the inventory's revision, and an index that names no kinds to depend on (the
 * NetworkIndex) lives as long as the revision does, filling in as namespaces are asked
 * about. In a full re-evaluation of a cluster at rest every namespace is asked about and
 * nothing moves the revision: the index ends up grouping every workload (about 70 MB at
 * 50,000 pods, measured) and holds it until the next change, close to a 768 MiB pod's heap
 * limit. `refreshDerived()` moves the revision on without a change, so the next evaluation
 * starts a fresh index that fills in lazily again; the reconciler calls it every so many
 * namespaces. Indexes that depend on kinds (the RBAC graph, escalation paths) are keyed on
 * `revisionOf(kinds)` and are left alone.
 */
import { Inventory } from '../engine/inventory.js';

export class ControllerInventory extends Inventory {
  private epoch = 0;

  override get revision(): number {
    return super.revision + this.epoch;
  }

  /** Lets derived indexes keyed on the revision go; the next evaluation rebuilds them. */
  refreshDerived(): void {
    this.epoch++;
  }
}
