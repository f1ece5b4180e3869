import type { Check } from '../../engine/check.js';
import { check as allowAllSources } from './allow-all-sources.js';
import { check as defaultDenyEgress } from './default-deny-egress.js';
import { check as defaultDenyIngress } from './default-deny-ingress.js';
import { check as egressInternet } from './egress-internet.js';
import { check as podNotSelectedEgress } from './pod-not-selected-egress.js';
import { check as podNotSelectedIngress } from './pod-not-selected-ingress.js';
import { check as policyInvalid } from './policy-invalid.js';
import { check as policySelectsNothing } from './policy-selects-nothing.js';

export const netChecks: readonly Check[] = [
  allowAllSources,
  defaultDenyEgress,
  defaultDenyIngress,
  egressInternet,
  podNotSelectedEgress,
  podNotSelectedIngress,
  policyInvalid,
  policySelectsNothing,
];
