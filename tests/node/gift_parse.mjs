// Parse a GIFT file with gift-pegjs (pinned in package.json) and print the questions as JSON.
//
//   node gift_parse.mjs FILE.gift
//
// On a syntax error prints {"error": message, "line": n, "column": c} and exits 1.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("gift-pegjs");

const [path] = process.argv.slice(2);
if (!path) {
  console.error("usage: node gift_parse.mjs FILE.gift");
  process.exit(2);
}
try {
  const questions = parse(readFileSync(path, "utf8"));
  process.stdout.write(JSON.stringify(questions));
} catch (err) {
  const loc = err.location ? err.location.start : {};
  process.stdout.write(JSON.stringify({ error: String(err.message), line: loc.line, column: loc.column }));
  process.exit(1);
}
