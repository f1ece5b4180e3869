// Random pods built from the fields Pod Security reads, for comparing our
// verdicts with the API server's. Every field leans towards its compliant
// value, so a pod usually breaks zero to three rules and both verdicts are
// common at both levels. The combinations API validation rejects (422, which
// would hide the admission verdict) are avoided by construction; each rule
// below names the validation it respects.
import fc from 'fast-check';

type Json = Record<string, unknown>;

/** The compliant value most of the time, one of the others otherwise. */
function mostly<T>(compliant: T, ...others: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constant(compliant), weight: 15 * Math.max(1, others.length) },
    ...others.map((value) => ({ arbitrary: fc.constant(value), weight: 1 })),
  );
}

/** Usually null (the field is not set), otherwise a value of `value`. */
function rarely<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, { arbitrary: value, weight: 1 });
}

const CAPABILITIES = ['ALL', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'CHOWN', 'NET_RAW', 'KILL'] as const;
const SELINUX_TYPES = [
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
  'spc_t',
  'unconfined_t',
];
// Allowed at baseline (in some version) and not: names and values API validation accepts.
const SYSCTLS: readonly { name: string; value: string }[] = [
  { name: 'kernel.shm_rmid_forced', value: '0' },
  { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
  { name: 'net.ipv4.tcp_syncookies', value: '1' },
  { name: 'net.ipv4.ping_group_range', value: '0 0' },
  { name: 'net.ipv4.ip_unprivileged_port_start', value: '1024' },
  { name: 'net.ipv4.ip_local_reserved_ports', value: '1024' },
  { name: 'net.ipv4.tcp_keepalive_time', value: '600' },
  { name: 'net.ipv4.tcp_fin_timeout', value: '30' },
  { name: 'net.ipv4.tcp_keepalive_intvl', value: '60' },
  { name: 'net.ipv4.tcp_keepalive_probes', value: '5' },
  { name: 'kernel.msgmax', value: '65536' },
  { name: 'net.core.somaxconn', value: '1024' },
  { name: 'kernel.sem', value: '250 32000 100 128' },
];

interface Profile {
  readonly type: string;
  readonly localhostProfile?: string;
}

// API validation: localhostProfile is required for Localhost and forbidden otherwise.
const profile = (types: readonly string[]): fc.Arbitrary<Profile> =>
  fc
    .constantFrom(...types)
    .map((type) => (type === 'Localhost' ? { type, localhostProfile: 'profiles/audit.json' } : { type }));

// A container's own seccomp profile is common (restricted needs it where the pod sets none).
const seccomp = fc.oneof(
  { arbitrary: fc.constant(null), weight: 4 },
  { arbitrary: profile(['RuntimeDefault']), weight: 4 },
  { arbitrary: profile(['Localhost', 'Unconfined']), weight: 1 },
);
const appArmor = rarely(profile(['RuntimeDefault', 'Localhost', 'Unconfined']));
const seLinux = rarely(
  fc.record(
    {
      type: fc.constantFrom(...SELINUX_TYPES, ''),
      user: fc.constantFrom('system_u', 'unconfined_u'),
      role: fc.constantFrom('system_r', 'object_r'),
      level: fc.constant('s0:c123,c456'),
    },
    { requiredKeys: ['type'] },
  ),
);

interface ContainerDraft {
  readonly privileged: boolean | undefined;
  readonly allowPrivilegeEscalation: boolean | undefined;
  readonly add: readonly string[];
  readonly drop: readonly string[] | undefined;
  readonly runAsNonRoot: boolean | undefined;
  readonly runAsUser: number | undefined;
  readonly seccomp: Profile | null;
  readonly appArmor: Profile | null;
  readonly seLinux: Json | null;
  readonly procMount: 'Default' | 'Unmasked' | undefined;
  readonly hostPort: 'none' | 'same' | 'other';
  readonly probeHost: string | undefined;
  readonly lifecycleHost: string | undefined;
  readonly annotation: 'none' | 'runtime/default' | 'unconfined' | 'localhost/audit' | 'match';
}

const container: fc.Arbitrary<ContainerDraft> = fc.record({
  privileged: mostly<boolean | undefined>(undefined, false, true),
  allowPrivilegeEscalation: mostly<boolean | undefined>(false, undefined, true),
  add: fc.oneof(
    { arbitrary: fc.constant([] as string[]), weight: 4 },
    { arbitrary: fc.subarray([...CAPABILITIES], { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
  drop: mostly<readonly string[] | undefined>(['ALL'], undefined, ['NET_RAW'], ['ALL', 'SYS_ADMIN']),
  runAsNonRoot: mostly<boolean | undefined>(undefined, true, false),
  runAsUser: mostly<number | undefined>(undefined, 1000, 0),
  seccomp,
  appArmor,
  seLinux,
  // Often Unmasked: it survives only in the pods that also get a user namespace.
  procMount: fc.constantFrom<'Default' | 'Unmasked' | undefined>(undefined, undefined, 'Default', 'Unmasked'),
  hostPort: mostly<'none' | 'same' | 'other'>('none', 'same', 'other'),
  probeHost: mostly<string | undefined>(undefined, '', '127.0.0.1', 'example.com'),
  lifecycleHost: mostly<string | undefined>(undefined, '', 'localhost', 'example.com'),
  annotation: mostly<ContainerDraft['annotation']>(
    'none',
    'match',
    'runtime/default',
    'unconfined',
    'localhost/audit',
  ),
});

const VOLUMES: Readonly<Record<string, (name: string) => Json>> = {
  emptyDir: (name) => ({ name, emptyDir: {} }),
  configMap: (name) => ({ name, configMap: { name: 'settings' } }),
  secret: (name) => ({ name, secret: { secretName: 'credentials' } }),
  projected: (name) => ({ name, projected: { sources: [{ configMap: { name: 'settings' } }] } }),
  downwardAPI: (name) => ({
    name,
    downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
  }),
  persistentVolumeClaim: (name) => ({ name, persistentVolumeClaim: { claimName: 'data' } }),
  hostPath: (name) => ({ name, hostPath: { path: '/var/log' } }),
  nfs: (name) => ({ name, nfs: { server: 'nfs.example.com', path: '/exports' } }),
  csi: (name) => ({ name, csi: { driver: 'inline.storage.example.com' } }),
};

const podDraft = fc.record({
  hostNetwork: mostly<boolean | undefined>(undefined, false, true),
  hostPID: mostly<boolean | undefined>(undefined, true),
  hostIPC: mostly<boolean | undefined>(undefined, true),
  hostUsers: fc.constantFrom<boolean | undefined>(undefined, undefined, true, false),
  runAsNonRoot: mostly<boolean | undefined>(true, undefined, false),
  runAsUser: mostly<number | undefined>(undefined, 1000, 0),
  seccomp: mostly<Profile | null>(
    { type: 'RuntimeDefault' },
    null,
    { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
    { type: 'Unconfined' },
  ),
  appArmor,
  seLinux,
  sysctls: fc.oneof(
    { arbitrary: fc.constant([] as { name: string; value: string }[]), weight: 8 },
    { arbitrary: fc.subarray([...SYSCTLS], { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
  volumes: fc.oneof(
    { arbitrary: fc.constant([] as string[]), weight: 4 },
    { arbitrary: fc.subarray(Object.keys(VOLUMES), { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
  containers: fc.array(container, { minLength: 1, maxLength: 2 }),
  initContainers: fc.array(container, { minLength: 0, maxLength: 1 }),
});

type PodDraft = typeof podDraft extends fc.Arbitrary<infer T> ? T : never;

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

function annotationFor(field: Profile): string {
  if (field.type === 'Localhost') return `localhost/${field.localhostProfile ?? ''}`;
  return field.type === 'RuntimeDefault' ? 'runtime/default' : 'unconfined';
}

/** A pod the API server accepts, from a draft; `port` numbers keep host ports unique. */
function build(draft: PodDraft, name: string): Json {
  const userNamespace = draft.hostUsers === false;
  const annotations: Record<string, string> = {};
  let port = 8080;
  const spec: Json = {};

  const makeContainer = (c: ContainerDraft, cname: string, init: boolean): Json => {
    const sc: Json = {};
    // Validation: privileged or CAP_SYS_ADMIN cannot go with allowPrivilegeEscalation=false.
    const escalationForced = c.privileged === true || c.add.includes('SYS_ADMIN');
    if (c.privileged !== undefined) sc['privileged'] = c.privileged;
    if (c.allowPrivilegeEscalation !== undefined && !(escalationForced && !c.allowPrivilegeEscalation)) {
      sc['allowPrivilegeEscalation'] = c.allowPrivilegeEscalation;
    }
    if (c.add.length > 0 || c.drop !== undefined) {
      sc['capabilities'] = {
        ...(c.add.length > 0 ? { add: [...c.add] } : {}),
        ...(c.drop !== undefined ? { drop: [...c.drop] } : {}),
      };
    }
    if (c.runAsNonRoot !== undefined) sc['runAsNonRoot'] = c.runAsNonRoot;
    if (c.runAsUser !== undefined) sc['runAsUser'] = c.runAsUser;
    if (c.seccomp !== null) sc['seccompProfile'] = c.seccomp;
    if (c.appArmor !== null) sc['appArmorProfile'] = c.appArmor;
    if (c.seLinux !== null) sc['seLinuxOptions'] = c.seLinux;
    // Validation: an Unmasked /proc needs a user namespace.
    if (c.procMount !== undefined && (c.procMount === 'Default' || userNamespace))
      sc['procMount'] = c.procMount;

    // Validation: an annotation must agree with the field in force for its container.
    const field = c.appArmor ?? (draft.appArmor as Profile | null);
    if (c.annotation === 'match') {
      if (field !== null) annotations[`${APPARMOR_ANNOTATION}${cname}`] = annotationFor(field);
    } else if (c.annotation !== 'none' && field === null) {
      annotations[`${APPARMOR_ANNOTATION}${cname}`] = c.annotation;
    }

    const containerPort = port++;
    const out: Json = { name: cname, image: 'registry.k8s.io/pause', securityContext: sc };
    // Validation: with the host network, a host port must equal its container port.
    if (c.hostPort !== 'none') {
      const hostPort =
        c.hostPort === 'same' || draft.hostNetwork === true ? containerPort : containerPort + 1000;
      out['ports'] = [{ containerPort, hostPort }];
    }
    // Validation: init containers (not sidecars) take neither probes nor lifecycle hooks.
    if (!init && c.probeHost !== undefined) {
      out['livenessProbe'] = { httpGet: { host: c.probeHost, port: 8080, path: '/healthz' } };
      out['readinessProbe'] = { tcpSocket: { host: c.probeHost, port: 8080 } };
    }
    if (!init && c.lifecycleHost !== undefined) {
      out['lifecycle'] = { postStart: { httpGet: { host: c.lifecycleHost, port: 8080, path: '/ready' } } };
    }
    return out;
  };

  // Validation: a user namespace cannot be combined with host namespaces.
  const hostNamespaces = !userNamespace;
  if (hostNamespaces && draft.hostNetwork !== undefined) spec['hostNetwork'] = draft.hostNetwork;
  if (hostNamespaces && draft.hostPID !== undefined) spec['hostPID'] = draft.hostPID;
  if (hostNamespaces && draft.hostIPC !== undefined) spec['hostIPC'] = draft.hostIPC;
  if (draft.hostUsers !== undefined) spec['hostUsers'] = draft.hostUsers;

  const psc: Json = {};
  if (draft.runAsNonRoot !== undefined) psc['runAsNonRoot'] = draft.runAsNonRoot;
  if (draft.runAsUser !== undefined) psc['runAsUser'] = draft.runAsUser;
  if (draft.seccomp !== null) psc['seccompProfile'] = draft.seccomp;
  if (draft.appArmor !== null) psc['appArmorProfile'] = draft.appArmor;
  if (draft.seLinux !== null) psc['seLinuxOptions'] = draft.seLinux;
  // Validation: namespaced sysctls cannot be set in a namespace shared with the host.
  const sysctls = draft.sysctls.filter(
    (s) =>
      !(spec['hostNetwork'] === true && s.name.startsWith('net.')) &&
      !(spec['hostIPC'] === true && /^kernel\.(shm|msg|sem)/.test(s.name)),
  );
  if (sysctls.length > 0) psc['sysctls'] = sysctls;
  spec['securityContext'] = psc;

  spec['initContainers'] = draft.initContainers.map((c, i) => makeContainer(c, `init${i}`, true));
  spec['containers'] = draft.containers.map((c, i) => makeContainer(c, `app${i}`, false));
  if (draft.volumes.length > 0) {
    spec['volumes'] = draft.volumes.map((kind, i) => {
      const make = VOLUMES[kind];
      if (make === undefined) throw new Error(`no volume of kind ${kind}`);
      return make(`vol${i}`);
    });
  }
  const metadata: Json = { name };
  if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** Random API-valid pods that exercise Pod Security's fields. */
export const pssPod: fc.Arbitrary<Json> = fc
  .tuple(podDraft, fc.integer({ min: 0, max: 0xffffff }))
  .map(([draft, n]) => build(draft, `gen-${n.toString(16)}`));
