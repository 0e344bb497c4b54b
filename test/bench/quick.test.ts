import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResults } from '../../bench/run-bench';
import { PROJECT_ROOT } from '../fixtures/example-context';

// `npm run bench -- --quick`, exactly as a reviewer runs it, with tiny sizes, but from another
// working directory: the bench finds its own files. Only facts that do not depend on the machine's
// speed are asserted: counts, bounds, equalities. Never a timing.
let dir: string;
let results: BenchResults;
let report: string;
let progress: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const options = ['--quick', '--out', dir, '--work-dir', join(dir, 'work')];
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), join(PROJECT_ROOT, 'bench', 'run.ts'), ...options],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        progress = stderr;
        return error ? reject(new Error(`bench --quick failed: ${stderr}`)) : resolve();
      },
    ),
  );
  results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
  report = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const playback = (design: string) => results.playback.summary.filter((s) => s.design === design).sort((a, b) => a.seconds - b.seconds);

describe('npm run bench -- --quick', () => {
  it('plays every video to its end in every design, with rendition switches', () => {
    expect(results.playback.runs.length).toBeGreaterThan(0);
    for (const run of results.playback.runs) {
      expect(run).toMatchObject({ completed: true });
      expect(run.switches).toBeGreaterThan(0);
    }
  });

  it("keeps Keygate's authorizations at one per key window, whatever the video's length and the switches", () => {
    const keygate = playback('keygate');
    for (const p of keygate) {
      const video = results.playback.videos.find((v) => v.seconds === p.seconds)!;
      expect(p.edgeInvocations).toBe(video.keyUris.length);
      expect(p.keyRequests).toBe(video.keyUris.length);
      expect(p.dynamodbRequests).toBeLessThanOrEqual(p.edgeInvocations);
    }
    // The quick videos differ in length but each is one key window: the count must not grow.
    expect(new Set(keygate.map((p) => p.edgeInvocations)).size).toBe(1);
  });

  it('shows gate-everything running the edge function on every playlist and segment, growing with length', () => {
    const gated = playback('gate-everything');
    for (const p of gated) expect(p.edgeInvocations).toBe(p.mediaRequests + p.keyRequests);
    expect(gated[gated.length - 1].edgeInvocations).toBeGreaterThan(gated[0].edgeInvocations);
  });

  it('shows a native player with a path-token URL costing one authorization per key window, with media from the shared cache', () => {
    expect(results.nativePlayback.summary.length).toBe(results.playback.videos.length);
    for (const p of results.nativePlayback.summary) {
      const video = results.playback.videos.find((v) => v.seconds === p.seconds)!;
      expect(p.allCompleted).toBe(true);
      expect(p.edgeInvocations).toBe(video.keyUris.length);
      expect(p.keyRequests).toBe(video.keyUris.length);
      expect(p.functionInvocations).toBe(p.mediaRequests);
      expect(p.cacheKeysWithToken).toBe(0);
    }
  });

  it('shows the seed handler reading DynamoDB once per key request', () => {
    for (const p of playback('seed')) expect(p.dynamodbRequests).toBe(p.keyRequests);
  });

  it('revoked a viewer of each player mid-title, and the kit refused and stopped each with at most one key fetched ahead', () => {
    const { runs } = results.revocation;
    expect(runs.map((r) => `${r.player} ${r.mode}`).sort()).toEqual(
      ['hls.js', 'shaka', 'video.js'].flatMap((p) => [`${p} kit`, `${p} player-default`]),
    );
    // How far the players' own buffering runs ahead depends on the machine's speed: only the kit's bound is asserted.
    for (const kit of runs.filter((r) => r.mode === 'kit')) {
      expect({
        player: kit.player,
        refused: kit.refused,
        reachedEnd: kit.reachedEnd,
        atMostOneKeyAhead: kit.keysAheadAtRevoke <= 1,
      }).toEqual({
        player: kit.player,
        refused: { status: 403, reason: 'not-entitled' },
        reachedEnd: false,
        atMostOneKeyAhead: true,
      });
    }
    expect(report).toContain('### 1d. Revocation: when playback stops');
  });

  it('timed only entitled requests that were passed on, in every latency case', () => {
    for (const c of Object.values(results.latency)) {
      expect(c.n).toBe(results.meta.sizes.latency.requestsPerCase);
      expect(c.unexpected).toBe(0);
    }
  });

  it('timed provider tokens that were passed on, warm and cold, with one JWKS fetch per cold container', () => {
    const { hits, cold } = results.providerLatency;
    for (const c of Object.values(hits)) expect([c.n, c.unexpected]).toEqual([results.meta.sizes.providerLatency.requestsPerCase, 0]);
    expect([cold.containers, cold.unexpected, cold.jwksRequests]).toEqual([
      results.meta.sizes.providerLatency.coldContainers,
      0,
      cold.containers,
    ]);
    expect(report).toContain('### 2b. Tokens from an OpenID provider');
  });

  it('served stale allows only to viewers allowed moments before an outage, and only with a grace', () => {
    expect(results.degraded.length).toBe(results.meta.sizes.degraded.faults.length * results.meta.sizes.degraded.graces.length);
    for (const d of results.degraded) {
      expect(d.otherServed).toBe(0);
      expect(d.recentServed).toBe(d.graceSeconds > 0 ? d.recentViewers : 0);
      expect(d.unavailableWithRetryAfter).toBe(d.recentViewers + d.otherViewers - d.recentServed);
    }
  });

  it('kept the stream limit through the outage: a one-stream plan’s grace served only the session playing before it', () => {
    for (const d of results.degraded) {
      expect(d.limitedViewers).toBeGreaterThan(0);
      expect(d.limitedPlayingServed).toBe(d.graceSeconds > 0 ? d.limitedViewers : 0);
      expect([d.limitedOthersServed, d.limitedOthersAsked]).toEqual([0, 3 * d.limitedViewers]);
    }
  });

  it("served every throughput request, and Keygate's cache saved DynamoDB reads the others made", () => {
    for (const design of Object.values(results.throughput)) expect(design.failures).toBe(0);
    expect(results.throughput.seed.dynamodbRequestsPer1000).toBeGreaterThanOrEqual(990);
    expect(results.throughput.keygate.dynamodbRequestsPer1000).toBeLessThan(results.throughput['keygate-nocache'].dynamodbRequestsPer1000);
  });

  it('profiled the distribution process under load and attributed its CPU to the edge code', () => {
    const byDesign = Object.fromEntries(results.throughputProfile.map((p) => [p.design, p]));
    expect(byDesign['keygate-nocache'].samples).toBeGreaterThan(0);
    expect(byDesign['keygate-nocache'].shares['Keygate bundle (authorizer, SDK, JWT)']).toBeGreaterThan(0);
    expect(byDesign.seed.shares['AWS SDK (seed handler)']).toBeGreaterThan(0);
  });

  it('measured cold starts that decided correctly, with the zipped bundle under the 1 MB limit', () => {
    expect(results.coldStart.zippedBytes).toBeLessThan(results.coldStart.limitBytes);
    expect(results.coldStart.keygate.allPassed).toBe(true);
    expect(results.coldStart.empty.allPassed).toBe(true);
  });

  it('bounds the decision cache: the first viewer was evicted, the last was not', () => {
    for (const m of [results.memory.defaultHeap, results.memory.cappedHeap]) {
      expect(m.lastViewerStoreReads).toBe(0);
      expect(m.firstViewerStoreReads).toBe(1);
    }
  });

  it('encrypts the same bytes as openssl aes-128-cbc', () => {
    expect(results.packaging.encryptedBytes.keygate).toBe(results.packaging.encryptedBytes['openssl-per-segment']);
  });

  it('costs fewer edge requests with Keygate than with gate-everything', () => {
    const row = (d: string) => results.cost.rows.find((r) => r.design === d)!;
    expect(row('keygate').edgeRequests).toBeLessThan(row('gate-everything').edgeRequests);
  });

  it('prices a native viewer’s CloudFront Function requests in a row of their own, and no one else’s', () => {
    const native = results.cost.rows.find((r) => r.design === 'keygate-native')!;
    expect(native.functionRequests).toBeGreaterThan(native.edgeRequests);
    for (const r of results.cost.rows.filter((c) => c.design !== 'keygate-native')) expect(r.functionRequests).toBe(0);
  });

  it('costs a viewer without stream limits nothing but its BatchGetItems, and a limited one a conditional write per key window', () => {
    const { settings, operationsPerPlayback } = results.streamLimits;
    const windows = Math.ceil(settings.playbackSeconds / settings.keyWindowSeconds);
    expect(operationsPerPlayback.off).toEqual({ BatchGetItem: windows });
    const on = operationsPerPlayback.on;
    expect(on.BatchGetItem).toBe(windows);
    expect(on.PutItem).toBe(1);
    // The failed renewal of the start, one renewal per later window, one write per check.
    expect(on.UpdateItem).toBe(windows + on.Query - 1);
    const [off, limited] = results.streamLimits.cost;
    expect(off.writeUnits).toBe(0);
    expect(limited.writeUnits).toBeGreaterThan(0);
  });

  it('timed only the lease outcome each stream-limit latency case names', () => {
    for (const c of Object.values(results.streamLimits.latency)) expect(c.unexpected).toBe(0);
  });

  it('settles the two-region race to the limit within a key window when replication keeps up', () => {
    for (const race of results.streamLimits.race) {
      // Every device the plan allows plays at some point, and at most one more than it allows.
      expect(race.maxPlaying).toBeGreaterThanOrEqual(race.limit);
      expect(race.extraStreams).toBeLessThanOrEqual(1);
      if (race.lagSeconds <= results.streamLimits.settings.keyWindowSeconds) {
        expect(race.playingAtEnd).toBe(race.limit);
        expect(race.overshootSeconds).toBeLessThanOrEqual(results.streamLimits.settings.keyWindowSeconds);
      }
    }
  });

  it('shows a live viewer costing Keygate one edge invocation per key window and gate-everything every playlist reload and segment', () => {
    const viewer = (design: string) => results.live.viewers.find((v) => v.design === design)!;
    const [keygate, everything] = [viewer('keygate'), viewer('gate-everything')];
    expect(keygate.played && everything.played).toBe(true);
    expect(keygate.edgeInvocations).toBe(keygate.keyRequests);
    expect(keygate.keyRequests).toBe(keygate.keyWindows);
    expect(everything.edgeInvocations).toBe(everything.keyRequests + everything.mediaRequests);
    expect(everything.mediaRequests).toBeGreaterThanOrEqual(everything.playlistRequests + everything.segmentRequests);
    expect(everything.playlistRequests).toBeGreaterThan(everything.keyRequests);
    const [perHourKeygate, perHourEverything] = ['keygate', 'gate-everything'].map((d) =>
      results.live.projection.find((p) => p.design === d)!,
    );
    expect(perHourKeygate.edgeInvocations).toBe(60);
    expect(perHourEverything.edgeInvocations).toBeGreaterThan(perHourKeygate.edgeInvocations);
  });

  it('asked the key provider over SPEKE once per key period of the live channel, and measured the packager CPU per rendition', () => {
    expect(results.live.keyProvider.requests).toBe(results.live.keyProvider.periodsPublished);
    expect(results.live.keyProvider.keysCreated).toBe(results.live.keyProvider.periodsPublished);
    expect(results.live.cpu.map((c) => c.renditions.length)).toEqual([1, 2, 3]);
    for (const c of results.live.cpu) expect(c.cpuSecondsPerSecond).toBeGreaterThan(0);
  });

  it('numbers its progress steps once each and in order, by the section they measure, each with its time since the start', () => {
    const steps = [...progress.matchAll(/^\[ *\d+\.\d s\] (\w+)\/9 /gm)].map((m) => m[1]);
    expect(steps).toEqual(['1a', '1b', '1c', '1d', '2a', '2b', '2c', '3a', '3b', '4', '5', '6', '7', '8', '9']);
  });

  it('writes every section of RESULTS.md with the machine, versions and date', () => {
    for (const heading of ['## 1.', '## 2.', '## 3.', '## 4.', '## 5.', '## 6.', '## 7.', '## 8.', '## 9.', 'Machine:', 'Versions:']) {
      expect(report).toContain(heading);
    }
    expect(report).toContain(results.meta.date.slice(0, 10));
  });
});
