/**
 * The SecurityPolicy resource type, apart from the policy compiler so that code which only
 * needs to recognise policies (the manifest reader, in every parsing thread) does not load
 * the compiler and its CEL implementation.
 */
export const POLICY_API_VERSION = 'bulwark.dev/v1alpha1';
export const POLICY_KIND = 'SecurityPolicy';
