import { buildSync } from 'esbuild';
import { resolve } from 'node:path';

export const PLAYER_KIT_ENTRY = resolve(__dirname, 'index.ts');
/** The browser global the bundle defines: `KeygateKit.createKeygateHls(…)`. */
export const PLAYER_KIT_GLOBAL = 'KeygateKit';

/**
 * Bundles the player kit for browsers: one IIFE script defining `KeygateKit`, players not included
 * (the page loads its own hls.js, video.js or Shaka). Synchronous and quick (tens of ms), so the dev
 * server builds it at start and serves exactly what the source says.
 */
export function buildPlayerKit(): string {
  const result = buildSync({
    entryPoints: [PLAYER_KIT_ENTRY],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: PLAYER_KIT_GLOBAL,
    // Browsers with MSE and the players' own requirements (Shaka 5 needs ES2021 anyway).
    target: ['es2021'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
