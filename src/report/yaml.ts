/**
 * The JSON report's document in YAML, for people who keep reports next to manifests. Same
 * data, same key order; long strings are never folded, so a diff shows real changes only.
 */
import { dump } from 'js-yaml';
import { reportDocument } from './json.js';
import type { ScanReport } from './model.js';

export function renderYaml(report: ScanReport): string {
  return dump(reportDocument(report), { lineWidth: -1, noRefs: true, sortKeys: false });
}
