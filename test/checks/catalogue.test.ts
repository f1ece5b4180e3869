/**
 * Conventions of the check catalogue, checked for every check so a new one cannot skip
 * them: unique, well-formed IDs that match family folder and file name; complete
 * metadata; a table test at the mirror path; valid parameter defaults; supersession that
 * names real checks; and the family lists in `src/checks/index.ts` kept sorted.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { allChecks } from '../../src/checks/index.js';
import type { Check } from '../../src/engine/check.js';
import { CATEGORIES, PROFILES, SEVERITIES } from '../../src/engine/types.js';

const root = new URL('../../', import.meta.url);
const FAMILY_CATEGORY: Record<string, string> = {
  pss: 'pod-security',
  workload: 'workload',
  rbac: 'rbac',
  sa: 'service-account',
  ns: 'namespace',
  net: 'network',
  cp: 'control-plane',
};

function isCheck(value: unknown): value is Check {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Check).id === 'string' &&
    typeof (value as Check).evaluate === 'function' &&
    typeof (value as Check).scope === 'string'
  );
}

/** Every check exported by a file under src/checks/<family>/, with the file it lives in. */
async function checksOnDisk(): Promise<{ check: Check; family: string; file: string }[]> {
  const found: { check: Check; family: string; file: string }[] = [];
  for (const family of Object.keys(FAMILY_CATEGORY)) {
    const dir = new URL(`src/checks/${family}/`, root);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      for (const value of Object.values(module))
        if (isCheck(value)) found.push({ check: value, family, file });
    }
  }
  return found;
}

describe('check catalogue', () => {
  it('has unique IDs', () => {
    const ids = allChecks.map((c) => c.id);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
    );
  });

  it('covers every family of SPEC §3', () => {
    const families = new Set(allChecks.map((c) => c.id.split('.')[0]));
    for (const family of Object.keys(FAMILY_CATEGORY))
      assert.ok(families.has(family), `no ${family}.* check`);
  });

  it('lists every check defined on disk, each in the file named after its ID', async () => {
    const onDisk = await checksOnDisk();
    // Compared by ID: modules imported by URL here and through the index are separate
    // instances under the TypeScript loader, so object identity says nothing.
    const listed = new Set(allChecks.map((c) => c.id));
    for (const { check, family, file } of onDisk) {
      assert.ok(
        listed.has(check.id),
        `${check.id} (src/checks/${family}/${file}) is not in src/checks/index.ts`,
      );
      assert.equal(
        `${family}.${file.replace(/\.ts$/, '')}`,
        check.id,
        `src/checks/${family}/${file} defines ${check.id}`,
      );
    }
    assert.deepEqual(
      onDisk.map((d) => d.check.id).sort(),
      [...listed].sort(),
      'a listed check is not defined in its own file',
    );
  });

  for (const check of allChecks) {
    describe(check.id, () => {
      const [family, name] = check.id.split('.') as [string, string];
      it('has complete metadata', () => {
        assert.match(check.id, /^[a-z]+\.[a-z0-9][a-z0-9-]*$/);
        assert.equal(check.category, FAMILY_CATEGORY[family]);
        assert.ok((CATEGORIES as readonly string[]).includes(check.category));
        assert.ok((SEVERITIES as readonly string[]).includes(check.severity));
        assert.ok(check.title.length >= 8 && !check.title.endsWith('.'), `title: "${check.title}"`);
        assert.ok(check.description.length >= 40, 'description too short');
        assert.ok(check.remediation.length >= 20, 'remediation too short');
        assert.ok(check.kinds.length > 0, 'reads no kind');
        for (const profile of check.profiles)
          assert.ok((PROFILES as readonly string[]).includes(profile), profile);
        for (const ref of check.frameworks) assert.ok(ref.control.length > 0);
      });
      it('has a table test at the mirror path', () => {
        assert.ok(
          existsSync(new URL(`test/checks/${family}/${name}.test.ts`, root)),
          `test/checks/${family}/${name}.test.ts`,
        );
      });
      it('declares parameters with defaults of their own type', () => {
        for (const [key, spec] of Object.entries(check.params ?? {})) {
          assert.ok(spec.description.length > 0, `${key} has no description`);
          if (spec.default === undefined) continue;
          const expected = spec.type === 'string[]' ? 'object' : spec.type;
          assert.equal(typeof spec.default, expected, `${key} default`);
        }
      });
      it('supersedes only real checks, never itself', () => {
        for (const id of check.supersedes ?? []) {
          assert.ok(
            allChecks.some((c) => c.id === id),
            `${id} does not exist`,
          );
          assert.notEqual(id, check.id);
        }
      });
    });
  }

  it('keeps each family list in src/checks/<family>/index.ts sorted', () => {
    for (const family of Object.keys(FAMILY_CATEGORY)) {
      const index = new URL(`src/checks/${family}/index.ts`, root);
      if (!existsSync(index)) continue;
      const imports = [...readFileSync(index, 'utf8').matchAll(/from '\.\/([a-z0-9-]+)\.js'/g)].map(
        (m) => m[1] as string,
      );
      assert.deepEqual(imports, [...imports].sort(), `src/checks/${family}/index.ts`);
    }
  });
});
