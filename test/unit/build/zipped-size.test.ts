import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zippedSize } from '../../../lib/build/zipped-size';

const dirs: string[] = [];
function assetDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-zip-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('zippedSize', () => {
  // Expected sizes were measured with the zip writer the CDK CLI bundles (yazl, in aws-cdk 2.1148.1), as it zips an asset.
  it('gives the size of the zip the CDK CLI makes of an asset directory, to the byte, nested files included', () => {
    expect(zippedSize(assetDir({ 'a.txt': 'hello', 'sub/config.json': '{"x":1}\n' }))).toBe(231);
  });

  it('counts only the end record for an empty directory', () => {
    expect(zippedSize(assetDir({}))).toBe(22);
  });
});
