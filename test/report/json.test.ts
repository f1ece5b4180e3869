import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Finding } from '../../src/engine/types.js';
import { SEVERITIES } from '../../src/engine/types.js';
import { findingDocument, findingJson, jsonString } from '../../src/report/json.js';
import type { ReportFinding } from '../../src/report/model.js';

/** What JSON.stringify gives for the finding's document, indented as an array item. */
function expected(entry: ReportFinding, indent: string): string {
  return JSON.stringify(findingDocument(entry), null, 2).replaceAll('\n', `\n${indent}`);
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

const entry: fc.Arbitrary<ReportFinding> = fc
  .record({
    checkId: fc.constantFrom('pss.privileged', 'workload.image-tag', 'odd "id"\n'),
    title: text,
    severity: fc.constantFrom(...SEVERITIES),
    category: fc.constantFrom('pod-security' as const, 'workload' as const),
    frameworks: fc.array(
      fc.record({ framework: fc.constantFrom('PSS' as const, 'CIS' as const), control: text }),
      { maxLength: 3 },
    ),
    status: fc.constantFrom('fail' as const, 'error' as const),
    reason: text,
    message: text,
    remediation: text,
    count: fc.nat(),
    namespace: optional(text),
    uid: optional(text),
    name: text,
    location: optional(fc.record({ file: text, line: fc.nat(), document: optional(fc.nat()) })),
    waiver: optional(
      fc.record({
        reason: text,
        owner: optional(text),
        ticket: optional(text),
        expires: optional(text),
        expired: fc.boolean(),
      }),
    ),
  })
  .map((f) => {
    const finding: Finding = {
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      category: f.category,
      frameworks: f.frameworks,
      resource: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: f.name,
        ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
        ...(f.uid !== undefined ? { uid: f.uid } : {}),
      },
      status: f.status,
      reason: f.reason,
      message: f.message,
      remediation: f.remediation,
      count: f.count,
      ...(f.waiver !== undefined
        ? {
            waiver: {
              reason: f.waiver.reason,
              expired: f.waiver.expired,
              ...(f.waiver.owner !== undefined ? { owner: f.waiver.owner } : {}),
              ...(f.waiver.ticket !== undefined ? { ticket: f.waiver.ticket } : {}),
              ...(f.waiver.expires !== undefined ? { expires: f.waiver.expires } : {}),
            },
          }
        : {}),
    };
    const location =
      f.location === undefined
        ? undefined
        : {
            file: f.location.file,
            line: f.location.line,
            ...(f.location.document !== undefined ? { document: f.location.document } : {}),
          };
    return location === undefined ? { finding } : { finding, location };
  });

describe('a finding written as JSON directly', () => {
  it('is byte for byte JSON.stringify of its document, however many findings share a serializer (property)', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', '  ', '    '),
        (entries, indent) => {
          // One serializer for all: findings of one check id with other texts must not reuse its cache.
          const json = findingJson();
          for (const e of entries) assert.equal(json(e, indent), expected(e, indent));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('jsonString', () => {
  it('quotes a string exactly as JSON.stringify does (property, any UTF-16, lone surrogates included)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        assert.equal(jsonString(value), JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes what needs escaping and leaves the rest', () => {
    for (const value of [
      '',
      'plain',
      'a"b',
      'back\\slash',
      'tab\there',
      '\u0000',
      '\u001f',
      '\u007f',
      'é ü 🚀',
      '\ud800',
      'x\udfff',
      '\u2028',
    ]) {
      assert.equal(jsonString(value), JSON.stringify(value), JSON.stringify(value));
    }
  });
});
