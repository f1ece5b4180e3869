/**
 * The output formats by name, for the CLI's `--format`. Each format is a pure function of
 * the report; adding one means a module here and a line in this table.
 */
import { renderJson, renderJsonChunks } from './json.js';
import { renderJunit } from './junit.js';
import type { ScanReport } from './model.js';
import { renderSarif, renderSarifChunks } from './sarif.js';
import { renderTable } from './table.js';
import { renderYaml } from './yaml.js';

export const FORMATS = ['table', 'json', 'yaml', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: unknown): value is Format {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

export interface RenderOptions {
  /** ANSI colours; only the table uses them. */
  readonly color: boolean;
  /** List waived findings in the table; machine formats always carry them, marked. */
  readonly showWaived: boolean;
}

/**
 * The report in pieces, for writing as it is produced: JSON and SARIF come finding by
 * finding (a big scan's report never exists whole in memory); the other formats in one piece.
 */
export function renderReportChunks(format: Format, report: ScanReport, options: RenderOptions): Iterable<string> {
  switch (format) {
    case 'json':
      return renderJsonChunks(report);
    case 'sarif':
      return renderSarifChunks(report);
    default:
      return [renderReport(format, report, options)];
  }
}

export function renderReport(format: Format, report: ScanReport, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, options);
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
    case 'sarif':
      return renderSarif(report);
    case 'junit':
      return renderJunit(report);
  }
}
