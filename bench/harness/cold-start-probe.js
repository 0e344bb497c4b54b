/* global performance */
// One cold start, as a fresh Lambda container has it: load the bundle, make the first decision.
// Plain JavaScript run by plain node (no tsx), so only the bundle's own cost is measured.
// Times are from performance.now(): milliseconds since this process began.
const [bundleFile, eventJson] = process.argv.slice(2);
const requireStarted = performance.now();
const { handler } = require(bundleFile);
const loaded = performance.now();
handler(JSON.parse(eventJson)).then(
  (result) => {
    const decided = performance.now();
    // stdout is the decision log's; the measurement goes to stderr.
    process.stderr.write(
      `${JSON.stringify({ requireStarted, loadMs: loaded - requireStarted, firstDecisionMs: decided - loaded, totalMs: decided, passed: !('status' in result) })}\n`,
    );
  },
  (error) => {
    process.stderr.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exitCode = 1;
  },
);
