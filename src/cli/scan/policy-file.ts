/**
 * Reads `--policy FILE`: one SecurityPolicy in YAML or JSON, compiled against the check
 * catalogue. Every problem comes back as a line naming the file and the field (or
 * document and line), so a typo in a policy stops the scan with a precise message rather
 * than silently disabling a check.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Check } from '../../engine/check.js';
import { isRecord } from '../../engine/objects.js';
import type { CompiledPolicy } from '../../engine/policy.js';
import { compilePolicy, POLICY_KIND } from '../../engine/policy.js';
import type { Diagnostic } from '../../engine/types.js';
import { parseYamlDocuments } from '../../manifests/yaml-documents.js';

export interface PolicyFile {
  readonly policy?: CompiledPolicy;
  /** The SecurityPolicy document the policy was compiled from. */
  readonly document?: Readonly<Record<string, unknown>>;
  /** Paths are `FILE: field` or `FILE#document`. */
  readonly diagnostics: Diagnostic[];
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    if (error.code === 'ENOENT') return 'no such file or directory';
    if (error.code === 'EACCES') return 'permission denied';
    if (error.code === 'EISDIR') return 'is a directory, not a file';
  }
  return error instanceof Error ? error.message : String(error);
}

export async function readPolicyFile(
  file: string,
  cwd: string,
  checks: readonly Check[],
): Promise<PolicyFile> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    return {
      diagnostics: [{ severity: 'error', path: file, message: `cannot read policy: ${errorText(error)}` }],
    };
  }
  const diagnostics: Diagnostic[] = [];
  const policies: { value: Record<string, unknown>; index: number }[] = [];
  for (const doc of parseYamlDocuments(text)) {
    if (doc.error !== undefined) {
      diagnostics.push({
        severity: 'error',
        path: `${file}#${doc.index}`,
        message: `line ${doc.error.line}, column ${doc.error.column}: ${doc.error.reason}`,
      });
    } else if (isRecord(doc.value) && doc.value['kind'] === POLICY_KIND) {
      policies.push({ value: doc.value, index: doc.index });
    } else if (doc.value !== null) {
      diagnostics.push({
        severity: 'warning',
        path: `${file}#${doc.index}`,
        message: `line ${doc.line}: not a ${POLICY_KIND}; ignored`,
      });
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  if (policies.length !== 1) {
    const names = policies.map((p) => {
      const metadata = p.value['metadata'];
      return isRecord(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : `#${p.index}`;
    });
    diagnostics.push({
      severity: 'error',
      path: file,
      message:
        policies.length === 0
          ? `holds no ${POLICY_KIND} (apiVersion: bulwark.dev/v1alpha1, kind: ${POLICY_KIND})`
          : `holds ${policies.length} ${POLICY_KIND} objects (${names.join(', ')}); pass a file with one`,
    });
    return { diagnostics };
  }
  const only = policies[0];
  const compiled = compilePolicy(only?.value, checks);
  for (const d of compiled.diagnostics) {
    diagnostics.push({
      severity: d.severity,
      path: d.path === '' ? file : `${file}: ${d.path}`,
      message: d.message,
    });
  }
  return compiled.policy !== undefined && only !== undefined
    ? { policy: compiled.policy, document: only.value, diagnostics }
    : { diagnostics };
}
