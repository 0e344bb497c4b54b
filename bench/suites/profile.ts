import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { startWorld } from '../harness/world';
import { benchThroughput, type ThroughputDesign, type ThroughputOptions } from './throughput';

/** Where a process's CPU went, by who owns the code: the edge bundle, dynalite's store, node itself. */
export interface CpuShare {
  design: ThroughputDesign;
  samples: number;
  /** Percent of non-idle samples. */
  shares: Record<string, number>;
}

interface ProfileNode {
  id: number;
  hitCount: number;
  callFrame: { functionName: string; url: string };
}

function category(node: ProfileNode): string | undefined {
  const { url, functionName } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (/\/edge-[^/]+\/index\.js$/.test(url)) return 'Keygate bundle (authorizer, SDK, JWT)';
  if (/node_modules\/(dynalite|levelup|leveldown|memdown|level-|abstract-leveldown|lazy|async|big\.js|once)/.test(url))
    return 'dynalite and its store';
  if (/node_modules\/@aws-sdk|node_modules\/@smithy/.test(url)) return 'AWS SDK (seed handler)';
  if (/bench\/baselines\/seed-handler/.test(url)) return 'seed handler';
  if (url.startsWith('node:') || url === '') return 'node (http, crypto, streams, native)';
  return 'other (emulator, harness)';
}

/** Reads a .cpuprofile and sums self samples per category. */
export function summarizeProfile(file: string): { samples: number; shares: Record<string, number> } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const totals: Record<string, number> = {};
  let busy = 0;
  for (const node of profile.nodes) {
    const name = category(node);
    if (!name || node.hitCount === 0) continue;
    totals[name] = (totals[name] ?? 0) + node.hitCount;
    busy += node.hitCount;
  }
  const shares = Object.fromEntries(
    Object.entries(totals)
      .sort((a, b) => b[1] - a[1])
      .map(([name, hits]) => [name, (hits / busy) * 100]),
  );
  return { samples: busy, shares };
}

/**
 * Why is Keygate without its cache slower than the seed under load? Profiles the world process
 * (node --cpu-prof) through one throughput run of each design and attributes its CPU.
 */
export async function profileThroughput(
  originDir: string,
  workDir: string,
  key: SigningKey,
  options: ThroughputOptions,
  designs: readonly ThroughputDesign[],
): Promise<CpuShare[]> {
  const out: CpuShare[] = [];
  for (const design of designs) {
    const dir = join(workDir, 'profiles', design);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const world = await startWorld({ originDir, workDir, key, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
    try {
      await benchThroughput(world, key, originDir, { ...options, rounds: 1, designs: [design] });
    } finally {
      await world.close();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile was written for ${design}`);
    out.push({ design, ...summarizeProfile(join(dir, file)) });
  }
  return out;
}
