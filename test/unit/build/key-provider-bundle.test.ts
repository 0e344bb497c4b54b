import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKeyProviderBundle } from '../../../lib/build/key-provider-bundle';

describe('the key provider bundle', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'keygate-provider-bundle-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds one file whose handler refuses, naming the variable, to run without its settings', async () => {
    const { handler } = require(buildKeyProviderBundle(dir)) as { handler: (event: unknown) => Promise<unknown> };
    await expect(handler({ requestContext: { http: { method: 'POST' } } })).rejects.toThrow(/KEYGATE_LIVE_CHANNELS/);
  });
});
