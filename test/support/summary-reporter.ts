// Ends every test run with one plain line, `N passed, N failed, N skipped`, that any CI can
// read without knowing vitest's output (vitest's own summary is coloured and tabular).
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const m of modules) for (const t of m.children.allTests()) count[t.result().state] += 1;
    // A module that failed to load has no tests but is a failure all the same.
    const broken = modules.filter(
      (m) => m.state() === 'failed' && [...m.children.allTests()].length === 0,
    ).length;
    const failed = count.failed + broken + errors.length;
    process.stdout.write(
      `\n${count.passed} passed, ${failed} failed, ${count.skipped + count.pending} skipped\n`,
    );
  }
}
