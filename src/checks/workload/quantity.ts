/**
 * Just enough of Kubernetes' resource.Quantity for the resource checks: whether a request or
 * limit is absent, zero, or a usable amount. A quantity is a signed decimal number with an
 * optional SI (`m`, `k`, `M`...), binary (`Ki`, `Mi`...) or exponent (`e3`) suffix; manifests
 * may also write a bare number.
 */
import { isRecord } from '../../engine/objects.js';

export type QuantityReading =
  | { readonly state: 'absent' }
  | { readonly state: 'zero' }
  | { readonly state: 'set' }
  | { readonly state: 'invalid'; readonly problem: string };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

export function readQuantity(value: unknown): QuantityReading {
  if (value === undefined || value === null) return { state: 'absent' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { state: 'invalid', problem: `${String(value)} is not a quantity` };
    if (value < 0) return { state: 'invalid', problem: `${value} is negative` };
    return value === 0 ? { state: 'zero' } : { state: 'set' };
  }
  if (typeof value !== 'string') return { state: 'invalid', problem: `${typeof value} is not a quantity` };
  const match = QUANTITY.exec(value);
  if (match === null) return { state: 'invalid', problem: `"${value.slice(0, 40)}" is not a quantity` };
  const digits = match[2] ?? '';
  const isZero = !/[1-9]/.test(digits);
  if (match[1] === '-' && !isZero) return { state: 'invalid', problem: `"${value}" is negative` };
  return isZero ? { state: 'zero' } : { state: 'set' };
}

export type ResourceSection = 'requests' | 'limits';
export type ResourceName = 'cpu' | 'memory';

/**
 * One entry of a container's `resources`, e.g. `requests.cpu`; a section or `resources` that
 * is not an object makes the reading invalid, naming the field.
 */
export function readContainerResource(
  resources: unknown,
  section: ResourceSection,
  name: ResourceName,
): QuantityReading {
  if (resources === undefined || resources === null) return { state: 'absent' };
  if (!isRecord(resources)) return { state: 'invalid', problem: 'resources is not an object' };
  const entries = resources[section];
  if (entries === undefined || entries === null) return { state: 'absent' };
  if (!isRecord(entries)) return { state: 'invalid', problem: `resources.${section} is not an object` };
  const reading = readQuantity(entries[name]);
  return reading.state === 'invalid'
    ? { state: 'invalid', problem: `resources.${section}.${name}: ${reading.problem}` }
    : reading;
}
