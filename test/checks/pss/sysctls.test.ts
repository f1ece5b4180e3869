import { check } from '../../../src/checks/pss/sysctls.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import { compliantPod, forbidden, malformed, podWith, setRaw, tableTest } from './fixtures.js';

function withSysctls(...names: string[]): ReturnType<typeof compliantPod> {
  return podWith(
    (spec) =>
      (spec.securityContext = {
        ...spec.securityContext,
        sysctls: names.map((name) => ({ name, value: '1' })),
      }),
  );
}

const cases: Case[] = [
  { name: 'no sysctls', subject: compliantPod(), expected: PASS },
  {
    name: 'the v1.0 safe set',
    subject: withSysctls(
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.ping_group_range',
    ),
    version: 'v1.0',
    expected: PASS,
  },
  {
    name: 'unsafe sysctls, in spec order',
    subject: withSysctls('net.ipv4.tcp_syncookies', 'kernel.msgmax', 'net.core.somaxconn'),
    expected: forbidden('forbidden sysctls', 'kernel.msgmax, net.core.somaxconn'),
  },
  {
    name: 'ip_local_reserved_ports from v1.27',
    subject: withSysctls('net.ipv4.ip_local_reserved_ports'),
    version: 'v1.27',
    expected: PASS,
  },
  {
    name: 'ip_local_reserved_ports before v1.27',
    subject: withSysctls('net.ipv4.ip_local_reserved_ports'),
    version: 'v1.26',
    expected: forbidden('forbidden sysctls', 'net.ipv4.ip_local_reserved_ports'),
  },
  {
    name: 'tcp_keepalive_time from v1.29',
    subject: withSysctls('net.ipv4.tcp_keepalive_time'),
    version: 'v1.29',
    expected: PASS,
  },
  {
    name: 'tcp_fin_timeout before v1.29',
    subject: withSysctls('net.ipv4.tcp_fin_timeout'),
    version: 'v1.28',
    expected: forbidden('forbidden sysctls', 'net.ipv4.tcp_fin_timeout'),
  },
  {
    name: 'tcp_rmem from v1.32',
    subject: withSysctls('net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'),
    version: 'v1.32',
    expected: PASS,
  },
  {
    name: 'tcp_wmem before v1.32',
    subject: withSysctls('net.ipv4.tcp_wmem'),
    version: 'v1.31',
    expected: forbidden('forbidden sysctls', 'net.ipv4.tcp_wmem'),
  },
  {
    name: 'slash-separated names are not the same name',
    subject: withSysctls('net/ipv4/tcp_syncookies'),
    expected: forbidden('forbidden sysctls', 'net/ipv4/tcp_syncookies'),
  },
  {
    name: 'sysctls that are not a list are malformed',
    subject: podWith((spec) => setRaw(spec.securityContext ?? {}, 'sysctls', 'kernel.msgmax=1')),
    expected: malformed('sysctls', 'spec.securityContext.sysctls must be a list, not a string'),
  },
];

tableTest(check, cases);
