// Prints the closing line of `npm test` from the JSON reports of its vitest runs:
// "tests: N passed, N failed, N skipped", the plain form CI reads whatever the runner.
import { readFileSync } from 'node:fs';

const reports = process.argv.slice(2);
if (reports.length === 0) throw new Error('usage: node scripts/test-summary.mjs <vitest-report.json>...');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const path of reports) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exitCode = 1;
