import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { METRIC_NAMES } from '../../../lambda/key-authorizer/contract';

/**
 * Names the authorizer shares with the rest of Keygate are written once, in the authorizer, and imported
 * everywhere else through its contract: a second spelling is how a dashboard graphs a metric nobody writes.
 */
const root = join(__dirname, '../../..');
const sourceFolders = ['lambda', 'lib', 'bench', 'bin', 'scripts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
const sources = sourceFolders
  .flatMap((folder) => tsFiles(join(root, folder)))
  .map((path) => ({
    file: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }));

/** Every file and how often `pattern` occurs in it, for the files where it does. */
const occurrences = (pattern: RegExp) =>
  sources
    .map(({ file, text }) => [file, text.match(new RegExp(pattern.source, 'g'))?.length ?? 0] as const)
    .filter(([, count]) => count > 0);

describe('what the key authorizer shares is written once', () => {
  it('declares the compact-JWS pattern once, in identity/compact-jws.ts', () => {
    // Also as it is written inside a generated function's source (`\\.`).
    expect(occurrences(/\[A-Za-z0-9_-\]\+\\{1,2}\.\[A-Za-z0-9_-\]\+\\{1,2}\.\[A-Za-z0-9_-\]\+/)).toEqual([
      ['lambda/key-authorizer/identity/compact-jws.ts', 1],
    ]);
  });

  it('declares the session-id pattern once, in entitlements/session-id.ts', () => {
    expect(occurrences(/\[A-Za-z0-9_-\]\{8,64\}/)).toEqual([['lambda/key-authorizer/entitlements/session-id.ts', 1]]);
  });

  it.each(Object.values(METRIC_NAMES))('spells the metric name %s once, in decision-log.ts', (name) => {
    expect(occurrences(new RegExp(`(['"])${name}\\1|MetricName=\\\\?"${name}`))).toEqual([['lambda/key-authorizer/decision-log.ts', 1]]);
  });
});
