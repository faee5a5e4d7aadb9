// A Jest reporter that appends one JSON line per run (the project, its passed, failed and skipped
// tests, its suites that failed to run) to the file named by JEST_SUMMARY_FILE, and does nothing
// without it. .ci/run sums these lines for its closing line: counting the "Tests:" lines of the
// output instead missed some when Nx interleaved the projects' output.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const projects = [...contexts].map(
      (context) => context.config.displayName?.name ?? context.config.displayName,
    );
    appendFileSync(
      file,
      `${JSON.stringify({
        project: projects.filter(Boolean).join(',') || 'unnamed',
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        suitesFailed: results.numFailedTestSuites,
      })}\n`,
    );
  }
}

module.exports = SummaryReporter;
