// Runs a site's generated edge split, built to report views, under Node with the Web Request/Response
// and fetch; prints what each visitor got as JSON for tests/test_experiments_edge.py to compare with
// what the site API (a local server) received.
// Usage: node tests/edge_exposure.mjs VERCEL.mjs NETLIFY.mjs CASES.json
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [vercelPath, netlifyPath, casesPath] = process.argv.slice(2);
const vercel = await import(pathToFileURL(vercelPath).href);
const netlify = await import(pathToFileURL(netlifyPath).href);
const cases = JSON.parse(readFileSync(casesPath, "utf8"));

function request(agent, cookie) {
  const headers = new Headers({ "user-agent": agent });
  if (cookie) headers.set("cookie", cookie);
  return new Request("https://shop.example/", { headers });
}

const result = { visitors: [], bots: 0, timings: [] };
const pending = [];
const withWaitUntil = { waitUntil: (promise) => pending.push(promise) };
for (let i = 0; i < cases.visitors; i++) {
  // Half under a host offering waitUntil (the page answers first), half awaiting the report.
  const context = i % 2 ? withWaitUntil : undefined;
  const started = Date.now();
  const response = await vercel.default(request(cases.human, null), context);
  result.timings.push(Date.now() - started);
  const cookie = response.headers.get("set-cookie").split(";")[0];
  // The same visitor comes back: reported again, with the same id.
  await vercel.default(request(cases.human, cookie), context);
  result.visitors.push({ cookie, rewrite: response.headers.get("x-middleware-rewrite") });
}
for (let i = 0; i < cases.visitors; i++) {
  const set = [];
  const context = { cookies: { set: (c) => set.push(c) }, next: async () => new Response("A"), ...withWaitUntil };
  const out = await netlify.default(request(cases.human, null), context);
  result.visitors.push({ cookie: `dz_ab=${set[0].value}`, rewrite: out instanceof URL ? out.href : null, netlify: true });
}
for (const agent of cases.bots) {
  await vercel.default(request(agent, "dz_ab=b"), undefined);
  result.bots += 1;
}
await Promise.all(pending);
process.stdout.write(JSON.stringify(result));
