// A disposable Kubernetes control plane on loopback, for e2e tests and the
// demo. See cluster.ts.
export { ControlPlaneBuildError, ensureControlPlaneBinaries, findOnPath } from './binaries.js';
export type { ControlPlaneBinaries, EnsureBinariesOptions } from './binaries.js';
export { CertificateError, clientSubject, createClusterPki, mintClientCertificate } from './certificates.js';
export type { ClusterPki, KeyPair } from './certificates.js';
export { LocalClusterError, defaultControllers, startLocalCluster } from './cluster.js';
export type {
  ComponentName,
  LocalCluster,
  LocalClusterOptions,
  RestartOptions,
  StartTimings,
} from './cluster.js';
export { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
export type { KubeconfigCredentials, KubeconfigOptions } from './kubeconfig.js';
export { pickFreeLoopbackPorts } from './ports.js';
