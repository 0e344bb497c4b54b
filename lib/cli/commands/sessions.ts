import type { Command } from 'commander';
import { endSession, listSessions } from '../../admin/playback-sessions';
import { leaseTableTarget, withLeaseTableOptions, type TableOptions } from '../table-options';
import { printResult, withJsonOption, type JsonOption } from '../output';
import { formatTable } from '../text-table';

const nowSeconds = () => Date.now() / 1000;
const iso = (seconds: number | undefined) => (seconds === undefined ? '' : new Date(seconds * 1000).toISOString());

/** keygate sessions | end-session: the playback sessions that stream limits count. */
export function register(program: Command): void {
  withLeaseTableOptions(
    withJsonOption(program.command('sessions <uid>')).description(
      "list a viewer's playback sessions (stream limits): playing, lapsed or ended",
    ),
  ).action(async (uid: string, options: TableOptions & { json?: boolean }) => {
    const sessions = await listSessions(leaseTableTarget(options), uid, nowSeconds());
    if (options.json) {
      process.stdout.write(`${JSON.stringify(sessions)}\n`);
      return;
    }
    if (sessions.length === 0) {
      process.stdout.write(`${uid} has no playback sessions\n`);
      return;
    }
    process.stdout.write(
      formatTable(
        sessions.map((s) =>
          // As `keygate list` shows a malformed grant: the authorizer refuses it, so say so rather than guess.
          'malformed' in s
            ? { session: s.sk ?? '?', state: `MALFORMED: ${s.malformed}` }
            : {
                session: s.sessionId,
                video: s.videoId,
                state: s.state,
                started: iso(s.startedAt),
                'last renewal': iso(s.renewedAt),
                until: iso(s.endedAt ?? s.expiresAt),
                region: s.region,
              },
        ),
      ),
    );
  });

  withLeaseTableOptions(
    withJsonOption(
      program
        .command('end-session <uid> <sessionId>')
        .description("end one playback session at its next key request; the viewer's other sessions keep playing"),
    ),
  ).action(async (uid: string, sessionId: string, options: TableOptions & JsonOption) => {
    const { writtenIn, alreadyEnded } = await endSession(leaseTableTarget(options), uid, sessionId, nowSeconds());
    printResult(
      options,
      { uid, sessionId, alreadyEnded, writtenIn },
      alreadyEnded
        ? `session ${sessionId} of ${uid} was already ended`
        : `ended session ${sessionId} of ${uid} (written in ${writtenIn}); its next key request is refused session-ended`,
    );
  });
}
