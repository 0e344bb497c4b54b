import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SHAPES, demoVideoWork } from '../../../lib/dev/demo-video';
import { planLadder } from '../../../lib/media/ladder';

const keyWindowSeconds = (shape: keyof typeof DEMO_SHAPES) => DEMO_SHAPES[shape].segmentSeconds * DEMO_SHAPES[shape].rotateEvery;

describe("keygate dev's demo video", () => {
  it('is about two minutes long with a key every 8 s, so a revoke visibly stops playback', () => {
    expect(DEMO_SHAPES.feature.seconds).toBeGreaterThanOrEqual(110);
    expect(keyWindowSeconds('feature')).toBe(8);
    expect(DEMO_SHAPES.feature.seconds / keyWindowSeconds('feature')).toBe(15);
  });

  it('has a 720p top rung, sharp on a laptop screen, and a smaller one to switch to', () => {
    const renditions = planLadder([...DEMO_SHAPES.feature.ladder], DEMO_SHAPES.feature.width, DEMO_SHAPES.feature.height);
    expect(renditions.map((r) => r.height)).toEqual([720, 360]);
  });

  it('keeps the 24 s shape of 6 key windows for tests (--short-demo)', () => {
    expect(DEMO_SHAPES.short.seconds / keyWindowSeconds('short')).toBe(6);
  });
});

describe('what a start does with the data dir’s demo', () => {
  let dir: string;
  const origin = () => join(dir, 'origin');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-demo-shape-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const packaged = (shape?: string) => {
    mkdirSync(join(origin(), 'videos', 'demo'), { recursive: true });
    if (shape) writeFileSync(join(dir, 'demo-video.json'), JSON.stringify({ shape }));
  };

  it('packages it on a fresh data dir', () => {
    expect(demoVideoWork(origin(), dir, 'feature')).toBe('package');
  });

  it('reuses a demo of the asked shape', () => {
    packaged('feature');
    expect(demoVideoWork(origin(), dir, 'feature')).toBe('ready');
  });

  it('repackages a demo of another shape, and reads a demo packaged before shapes existed as the short one', () => {
    packaged('short');
    expect(demoVideoWork(origin(), dir, 'feature')).toBe('repackage');
    rmSync(join(dir, 'demo-video.json'));
    expect(demoVideoWork(origin(), dir, 'short')).toBe('ready');
    expect(demoVideoWork(origin(), dir, 'feature')).toBe('repackage');
  });
});
