// Kubeconfig files for the local control plane. They embed the certificates
// (`*-data`) rather than pointing at files, so a kubeconfig copied out of the
// cluster's temporary directory keeps working while the cluster runs. JSON is
// valid YAML, and every kubeconfig reader (kubectl, client-go, client-node)
// accepts it, so no YAML writer is needed.
import { writeFile } from 'node:fs/promises';

import { readBase64 } from './certificates.js';
import type { KeyPair } from './certificates.js';

/** How a kubeconfig's user authenticates: a client certificate or a bearer token. */
export type KubeconfigCredentials =
  | { readonly kind: 'certificate'; readonly pair: KeyPair }
  | { readonly kind: 'token'; readonly token: string };

export interface KubeconfigOptions {
  readonly server: string;
  readonly caPath: string;
  readonly userName: string;
  readonly credentials: KubeconfigCredentials;
  /** Context and cluster name; kubectl shows it. */
  readonly contextName?: string;
}

/** Renders a single-context kubeconfig as a JSON string. */
export async function renderKubeconfig(options: KubeconfigOptions): Promise<string> {
  const contextName = options.contextName ?? 'bulwark-local';
  const user: Record<string, string> =
    options.credentials.kind === 'certificate'
      ? {
          'client-certificate-data': await readBase64(options.credentials.pair.certPath),
          'client-key-data': await readBase64(options.credentials.pair.keyPath),
        }
      : { token: options.credentials.token };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': contextName,
    clusters: [
      {
        name: contextName,
        cluster: { server: options.server, 'certificate-authority-data': await readBase64(options.caPath) },
      },
    ],
    users: [{ name: options.userName, user }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: options.userName } }],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes a kubeconfig readable only by the current user (it holds a private key or token). */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<string> {
  await writeFile(path, await renderKubeconfig(options), { mode: 0o600 });
  return path;
}
