import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The lint rule that keeps lib/, bench/ and the player kit on the authorizer's contract
 * (eslint.config.mjs, authorizerInternals). ESLint runs in a child process: jest cannot load its
 * flat config in-process. Files are planted where the rule applies and removed afterwards.
 */
const root = join(__dirname, '../../..');
const planted = (folder: string, name: string, source: string) => ({
  path: join(root, folder, `contract-boundary-planted-${process.pid}-${name}.ts`),
  source,
});
const files = {
  internalFromLib: planted(
    'lib/admin',
    'internal',
    "import { jsonLineLogger } from '../../lambda/key-authorizer/decision-log';\nexport const x = jsonLineLogger;\n",
  ),
  entryFromBench: planted('bench/harness', 'entry', "import { handler } from '../../lambda/key-authorizer';\nexport const x = handler;\n"),
  contractFromLib: planted(
    'lib/admin',
    'contract',
    "import { REASON_HEADER } from '../../lambda/key-authorizer/contract';\nexport const x = REASON_HEADER;\n",
  ),
  contractFromKit: planted(
    'lib/player-kit',
    'contract',
    "import { REASON_HEADER } from '../../lambda/key-authorizer/contract';\nexport const x = REASON_HEADER;\n",
  ),
  browserFromKit: planted(
    'lib/player-kit',
    'browser',
    "import { REASON_HEADER } from '../../lambda/key-authorizer/contract/browser';\nexport const x = REASON_HEADER;\n",
  ),
};

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}
let results: Map<string, LintResult['messages']>;

beforeAll(() => {
  for (const file of Object.values(files)) writeFileSync(file.path, file.source);
  try {
    const eslint = spawnSync(
      process.execPath,
      [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...Object.values(files).map((f) => relative(root, f.path))],
      { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (eslint.stdout === '') throw new Error(`eslint printed nothing: ${eslint.stderr}`);
    results = new Map((JSON.parse(eslint.stdout) as LintResult[]).map((r) => [r.filePath, r.messages]));
  } finally {
    for (const file of Object.values(files)) rmSync(file.path, { force: true });
  }
}, 120_000);

const messagesOf = (file: { path: string }) => {
  const messages = results.get(file.path);
  if (messages === undefined) throw new Error(`eslint did not lint ${file.path}`);
  return messages;
};
const restricted = (file: { path: string }) =>
  messagesOf(file)
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);

describe('lib/, bench/ and the player kit reach the key authorizer only through its contract', () => {
  it('refuses an import of an authorizer internal from lib/, naming the contract', () => {
    expect(restricted(files.internalFromLib)).toEqual([expect.stringContaining('only through lambda/key-authorizer/contract')]);
  });

  it('refuses the authorizer entry itself from bench/', () => {
    expect(restricted(files.entryFromBench)).toEqual([expect.stringContaining('only through lambda/key-authorizer/contract')]);
  });

  it('accepts an import of the contract from lib/', () => {
    expect(messagesOf(files.contractFromLib)).toEqual([]);
  });

  it('refuses the whole contract in the player kit, pointing at contract/browser', () => {
    expect(restricted(files.contractFromKit)).toEqual([expect.stringContaining('contract/browser')]);
  });

  it('accepts contract/browser in the player kit', () => {
    expect(messagesOf(files.browserFromKit)).toEqual([]);
  });
});
