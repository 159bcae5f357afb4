// Runs a site's generated edge split under Node with the Web Request/Response the edge hands it,
// and prints what it did as JSON for tests/test_experiments_edge.py to judge.
// Usage: node tests/edge_split.mjs VERCEL.mjs NETLIFY.mjs CASES.json
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [vercelPath, netlifyPath, casesPath] = process.argv.slice(2);
const vercel = await import(pathToFileURL(vercelPath).href);
const netlify = await import(pathToFileURL(netlifyPath).href);
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const ORIGIN = "https://shop.example";

function request(path, agent, cookie, extra = {}) {
  const headers = new Headers(extra);
  if (agent) headers.set("user-agent", agent);
  if (cookie) headers.set("cookie", cookie);
  return new Request(ORIGIN + path, { headers });
}

// Vercel: the middleware's Response, read as Vercel's edge reads it.
async function viaVercel(path, agent, cookie) {
  const response = await vercel.default(request(path, agent, cookie));
  if (!(response instanceof Response)) throw new Error("the middleware did not return a Response");
  return {
    rewrite: response.headers.get("x-middleware-rewrite"),
    next: response.headers.get("x-middleware-next"),
    setCookie: response.headers.get("set-cookie"),
  };
}

// Netlify: the edge function with the context Netlify passes (its cookies.set and next()).
async function viaNetlify(path, agent, cookie) {
  const set = [];
  const context = { cookies: { set: (c) => set.push(c) }, next: async () => new Response("A") };
  const out = await netlify.default(request(path, agent, cookie), context);
  return { rewrite: out instanceof URL ? out.href : null, passed: out === undefined, cookies: set };
}

const cookieOf = (setCookie) => (setCookie ? setCookie.split(";")[0] : null);
const result = { vercelConfig: vercel.config, netlifyConfig: netlify.config, split: {}, sticky: [], bots: [], other: [], junk: [], agree: [] };

for (const [name, via] of [["vercel", viaVercel], ["netlify", viaNetlify]]) {
  let b = 0;
  const targets = new Set();
  for (let i = 0; i < cases.visitors; i++) {
    const out = await via("/", cases.human, null);
    if (out.rewrite) { b++; targets.add(out.rewrite); }
  }
  result.split[name] = { visitors: cases.visitors, b, targets: [...targets] };
}

for (let i = 0; i < cases.sticky; i++) {
  const first = await viaVercel("/", cases.human, null);
  const cookie = cookieOf(first.setCookie);
  const later = [];
  for (const path of ["/", "/index", "/index.html", "/"]) {
    const v = await viaVercel(path, cases.human, `theme=dark; ${cookie}`);
    const n = await viaNetlify(path, cases.human, cookie);
    later.push({ vercel: v.rewrite, vercelSets: v.setCookie, netlify: n.rewrite, netlifySets: n.cookies.length });
  }
  result.sticky.push({ first: first.rewrite, setCookie: first.setCookie, later });
}

for (const agent of cases.bots) {
  for (const cookie of [null, "dz_ab=b"]) {
    for (let i = 0; i < 20; i++) {
      const v = await viaVercel("/", agent, cookie);
      const n = await viaNetlify("/", agent, cookie);
      result.bots.push({ agent, cookie, vercel: v.rewrite, vercelSets: v.setCookie, netlify: n.rewrite, netlifySets: n.cookies.length });
    }
  }
}

for (const path of ["/menu", "/index-b", "/index-b.html", "/assets/site.css", "/api/forms/contact"]) {
  const v = await viaVercel(path, cases.human, null);
  const n = await viaNetlify(path, cases.human, null);
  result.other.push({ path, vercel: v, netlify: { rewrite: n.rewrite, passed: n.passed, cookies: n.cookies.length } });
}

for (const cookie of ["dz_ab=zz", "dz_ab=", "xdz_ab=b", "dz_ab=B", "dz_ab=b.short", "dz_ab=c.AAAAAAAAAAAAAAAAAAAAAA"]) {
  const v = await viaVercel("/", cases.human, cookie);
  result.junk.push({ cookie, setCookie: v.setCookie });
}

// A cookie of the letter alone (set before visitor ids) keeps its variant and gets an id.
result.legacy = [];
for (const cookie of ["dz_ab=a", "dz_ab=b"]) {
  for (let i = 0; i < 10; i++) {
    const v = await viaVercel("/", cases.human, cookie);
    const n = await viaNetlify("/", cases.human, cookie);
    result.legacy.push({ cookie, rewrite: v.rewrite, setCookie: v.setCookie, netlify: n.rewrite, netlifyCookies: n.cookies });
  }
}

// Visitors whose browser says no (Global Privacy Control, Do Not Track): A, no cookie.
result.optOut = [];
for (const extra of [{ "sec-gpc": "1" }, { dnt: "1" }]) {
  for (let i = 0; i < 20; i++) {
    const response = await vercel.default(request("/", cases.human, null, extra));
    result.optOut.push({ extra, rewrite: response.headers.get("x-middleware-rewrite"), setCookie: response.headers.get("set-cookie") });
  }
}

// The rule itself, with a given random draw: `deznity preview` runs its Python twin on the same inputs.
for (const c of cases.agree) {
  const choice = vercel.choose(request(c.path, c.agent, c.cookie, c.headers || {}), () => c.random, () => cases.fixedId);
  result.agree.push(choice);
}

// Visitor ids made by the Web Crypto API: 22 base64url characters, all different.
result.ids = [];
for (let i = 0; i < 200; i++) result.ids.push(vercel.newVisitorId());

process.stdout.write(JSON.stringify(result));
