import { spawn } from 'node:child_process';

/**
 * Benchmark work that must not share a process with the harness (a server under load, a heap
 * being measured, the decision log on stdout) runs in a child: TypeScript through tsx, its input
 * and result over IPC, its stdout discarded as Lambda's log pipe would take it, stderr kept for errors.
 */
export interface ChildHandle<R> {
  ready: R;
  /** Asks the child to finish (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `script`, an absolute path (callers join it to their `__dirname`); tsx is resolved from
 * here too, so the bench runs from any working directory.
 */
export async function startChild<R>(script: string, input: unknown, nodeArgs: string[] = []): Promise<ChildHandle<R>> {
  const child = spawn(process.execPath, [...nodeArgs, '--require', require.resolve('tsx/cjs'), script], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const ready = await new Promise<R>((done, fail) => {
    child.once('message', (message: { ok: true; value: R } | { ok: false; error: string }) =>
      message.ok ? done(message.value) : fail(new Error(`${script}: ${message.error}`)),
    );
    void exited.then((code) => fail(new Error(`${script} exited with ${code} before answering: ${stderr}`)));
    child.send(input as object);
  });
  return {
    ready,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a child to completion and gives its one answer. */
export async function runChild<R>(script: string, input: unknown, nodeArgs: string[] = []): Promise<R> {
  const handle = await startChild<R>(script, input, nodeArgs);
  await handle.stop();
  return handle.ready;
}

/**
 * The child's side: receives the input, answers with `main`'s value (or its error). A child that
 * serves (returns `close`) stays up until SIGTERM or until its parent goes away.
 */
export function serveChild<I, R>(main: (input: I) => Promise<{ value: R; close?: () => Promise<void> }>): void {
  process.once('message', (input: I) => {
    main(input).then(
      ({ value, close }) => {
        process.send?.({ ok: true, value });
        const finish = () => void (close ? close() : Promise.resolve()).finally(() => process.exit(0));
        if (!close) return finish();
        process.once('SIGTERM', finish);
        process.once('disconnect', finish);
      },
      (error: unknown) => {
        process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        process.exit(1);
      },
    );
  });
}
