import type { Command } from 'commander';
import { encryptHls } from '../../media/encrypt-hls';
import { wholeNumberOption } from '../option-parsers';
import { printResult, withJsonOption } from '../output';
import { progressBar } from '../progress';

/** keygate encrypt: AES-128 with key rotation for clear HLS made by any packager. */
export function register(program: Command): void {
  withJsonOption(program.command('encrypt <clearHlsDir>'))
    .description('encrypt clear MPEG-TS HLS (from ffmpeg, MediaConvert, Shaka…) with a key per rotation window shared by all renditions')
    .requiredOption('--video <id>', 'video id: URLs become /videos/<id>/… and /keys/<id>/<n>.key')
    .requiredOption('--out <dir>', 'origin folder receiving videos/<id>/ and keys/<id>/')
    .addOption(wholeNumberOption('--rotate-every <segments>', 'segments per key', { min: 1 }, 10))
    .option('--key-base-url <url>', 'absolute base of key URIs, e.g. https://cdn.example.com/keys (default: relative to each playlist)')
    .option('--force', 'replace this video if it is already in --out')
    .action(
      async (
        clearHlsDir: string,
        options: { video: string; out: string; rotateEvery: number; keyBaseUrl?: string; force?: boolean; json?: boolean },
      ) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        try {
          const result = await encryptHls({
            inputDir: clearHlsDir,
            videoId: options.video,
            outDir: options.out,
            rotateEvery: options.rotateEvery,
            keyBaseUrl: options.keyBaseUrl,
            force: options.force === true,
            onProgress: (done, total) => {
              bar ??= progressBar(total, 'encrypting');
              bar.update(done);
            },
          });
          bar?.stop();
          const keysDir = `${options.out}/keys/${options.video}/`;
          printResult(
            options,
            { ...result, keysDir },
            `encrypted ${result.segmentCount} segments of ${result.renditions.length} rendition(s) with ${result.keyCount} key(s)\n` +
              `playlist: ${result.masterPlaylist}\nkeys:     ${keysDir} (keygate publish puts them in the key bucket)`,
          );
        } finally {
          bar?.stop();
        }
      },
    );
}
