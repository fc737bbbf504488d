// Parse GIFT files with gift-pegjs (pinned in package.json) and print the result as JSON.
//
//   node gift_parse_files.mjs FILE.gift …
//
// Prints {"FILE": {"ok": true, "questions": […]}} or {"FILE": {"ok": false, "error": "…"}}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("gift-pegjs");

const out = {};
for (const file of process.argv.slice(2)) {
  try {
    out[file] = { ok: true, questions: parse(readFileSync(file, "utf8")) };
  } catch (err) {
    out[file] = { ok: false, error: String(err.message || err) };
  }
}
process.stdout.write(JSON.stringify(out));
