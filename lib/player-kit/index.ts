/**
 * The Keygate player kit, bundled for browsers as `KeygateKit` (keygate-player.js): one adapter per
 * player, all following the same key policy (key-response-policy.ts).
 */
export { createKeygateHls } from './hls-adapter';
export { keygateVideojs } from './videojs-adapter';
export { keygateShaka } from './shaka-adapter';
export type { KeyDenial, KeygateKitOptions } from './kit-options';
export type { KeyWindowSetting } from './key-window';
