/**
 * kubeadm-shaped static pods for the control-plane table tests. With the default flags every
 * `cp.*` check passes, so a case changes one flag and fails for one reason.
 */
import type { KubeObject } from '../../../src/engine/objects.js';

export const APISERVER_FLAGS: readonly string[] = [
  '--advertise-address=10.0.0.10',
  '--anonymous-auth=false',
  '--authorization-mode=Node,RBAC',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--enable-admission-plugins=NodeRestriction',
  '--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml',
  '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
  '--audit-log-path=/var/log/kubernetes/audit/audit.log',
  '--audit-log-maxage=30',
  '--audit-log-maxbackup=10',
  '--audit-log-maxsize=100',
  '--profiling=false',
  '--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt',
  '--etcd-servers=https://127.0.0.1:2379',
];

export const ETCD_FLAGS: readonly string[] = [
  '--name=cp-1',
  '--data-dir=/var/lib/etcd',
  '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
  '--key-file=/etc/kubernetes/pki/etcd/server.key',
  '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  '--client-cert-auth=true',
  '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379',
  '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
  '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
  '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  '--peer-client-cert-auth=true',
  '--listen-peer-urls=https://10.0.0.10:2380',
  '--listen-metrics-urls=http://127.0.0.1:2381',
];

export type Component = 'kube-apiserver' | 'etcd';

/** A component's static (mirror) pod running `command: [<component>, ...flags]`. */
export function staticPod(
  component: Component,
  flags: readonly string[],
  change: (pod: KubeObject) => void = () => {},
): KubeObject {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-cp-1`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': '0123abcd' },
    },
    spec: {
      hostNetwork: true,
      containers: [
        { name: component, image: `registry.k8s.io/${component}:v1.36.3`, command: [component, ...flags] },
      ],
    },
  };
  change(pod);
  return pod;
}

export function apiserver(
  flags: readonly string[] = APISERVER_FLAGS,
  change?: (pod: KubeObject) => void,
): KubeObject {
  return staticPod('kube-apiserver', flags, change);
}

export function etcd(flags: readonly string[] = ETCD_FLAGS, change?: (pod: KubeObject) => void): KubeObject {
  return staticPod('etcd', flags, change);
}

/** The flags without any occurrence of `--name` (in either form). */
export function without(flags: readonly string[], ...names: string[]): string[] {
  return flags.filter((flag) => !names.some((name) => flag === `--${name}` || flag.startsWith(`--${name}=`)));
}

/** The flags with `--name=...` replaced by the given words (none removes it). */
export function replacing(flags: readonly string[], name: string, ...words: string[]): string[] {
  return [...without(flags, name), ...words];
}

/** The pod's first container, for cases that change more than the flags. */
export function container(pod: KubeObject): Record<string, unknown> {
  const spec = pod['spec'] as { containers: Record<string, unknown>[] };
  const first = spec.containers[0];
  if (first === undefined) throw new Error('fixture has no container');
  return first;
}
