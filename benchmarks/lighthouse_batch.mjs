// Lighthouse on many URLs in one Node process, against one running Chrome (its debugging port):
// the CLI would load Lighthouse and its config again for every page, about 10 s each time.
// Usage: node lighthouse_batch.mjs <lighthouse core/index.js> <chrome port> <file with one URL a line>
// Prints one JSON line per URL: {url, scores: {category: 0-100}, requests: [every requested URL]}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [entry, port, listFile] = process.argv.slice(2);
const { default: lighthouse } = await import(pathToFileURL(entry).href);
const categories = ["performance", "accessibility", "best-practices", "seo"];
const urls = readFileSync(listFile, "utf8").split("\n").filter(Boolean);

// Lighthouse's defaults (mobile, simulated throttling) with shorter quiet-window waits: scores under
// simulated throttling come from the recorded trace, not from these waits, and the pages have no
// script that could start a late request.
const config = {
  extends: "lighthouse:default",
  settings: { pauseAfterFcpMs: 250, pauseAfterLoadMs: 250, networkQuietThresholdMs: 250, cpuQuietThresholdMs: 250 },
};

for (const url of urls) {
  const result = await lighthouse(url, { port: Number(port), output: "json", logLevel: "error", onlyCategories: categories }, config);
  const lhr = result.lhr;
  const scores = Object.fromEntries(categories.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)]));
  const items = lhr.audits["network-requests"]?.details?.items ?? [];
  console.log(JSON.stringify({ url, scores, requests: items.map((i) => i.url) }));
}
