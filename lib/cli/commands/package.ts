import type { Command } from 'commander';
import { DEFAULT_LADDER } from '../../media/ladder';
import { packageVideo } from '../../media/package-video';
import { wholeNumberOption } from '../option-parsers';
import { printResult, withJsonOption } from '../output';
import { progressBar } from '../progress';

/** keygate package: transcode into an ABR ladder and encrypt with key rotation, in one step. */
export function register(program: Command): void {
  withJsonOption(program.command('package <inputFile>'))
    .description('transcode a video with ffmpeg into an H.264/AAC HLS ladder and encrypt it with AES-128 key rotation')
    .requiredOption('--video <id>', 'video id: URLs become /videos/<id>/… and /keys/<id>/<n>.key')
    .requiredOption('--out <dir>', 'origin folder receiving videos/<id>/ and keys/<id>/')
    .option('--ladder <rungs>', 'comma-separated renditions (never above the source height)', DEFAULT_LADDER.join(','))
    .addOption(wholeNumberOption('--segment-seconds <s>', 'segment length', { min: 1 }, 4))
    .addOption(wholeNumberOption('--rotate-every <segments>', 'segments per key', { min: 1 }, 10))
    .option('--key-base-url <url>', 'absolute base of key URIs, e.g. https://cdn.example.com/keys (default: relative to each playlist)')
    .option('--force', 'replace this video if it is already in --out')
    .action(async (inputFile: string, options: Record<string, string | boolean | undefined>) => {
      const bars = new Map<string, ReturnType<typeof progressBar>>();
      const controller = new AbortController();
      // Ctrl-C kills ffmpeg and lets the cleanup run: nothing half-written stays behind.
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const result = await packageVideo({
          input: inputFile,
          videoId: String(options.video),
          outDir: String(options.out),
          ladder: String(options.ladder)
            .split(',')
            .map((r) => r.trim()),
          segmentSeconds: Number(options.segmentSeconds),
          rotateEvery: Number(options.rotateEvery),
          keyBaseUrl: options.keyBaseUrl === undefined ? undefined : String(options.keyBaseUrl),
          force: options.force === true,
          signal: controller.signal,
          onProgress: (done, total, label) => {
            for (const [other, bar] of bars) if (other !== label) bar.stop();
            if (!bars.has(label)) bars.set(label, progressBar(Math.max(1, Math.round(total)), label));
            bars.get(label)?.update(Math.round(done));
          },
        });
        for (const bar of bars.values()) bar.stop();
        const ladder = result.renditionDetails.map((r) => `${r.name} ${r.width}x${r.height}`).join(', ');
        const keysDir = `${String(options.out)}/keys/${result.videoId}/`;
        printResult(
          options,
          { ...result, keysDir },
          `packaged ${result.videoId}: ${ladder}; ${result.segmentCount} segments, ${result.keyCount} key(s)\n` +
            `playlist: ${result.masterPlaylist}\nkeys:     ${keysDir} (keygate publish puts them in the key bucket)`,
        );
      } finally {
        for (const bar of bars.values()) bar.stop();
        process.removeListener('SIGINT', interrupt);
        process.removeListener('SIGTERM', interrupt);
      }
    });
}
