// Test-side proxy for the conformance suite: it adds `Authorization: Bearer <token>` and forwards
// everything else untouched to `flex-mcp serve --http`.
//
// Why a proxy and not a switch in the product: the suite sends no auth header, and an option that
// turns the bearer check off would be one more way to ship an open local port. Host and Origin are
// forwarded exactly as received, so the DNS-rebinding scenario still meets the server's own checks;
// bodies and responses are streamed both ways, so SSE scenarios see what the server sends, when it
// sends it.
//
// Usage: node auth-proxy.mjs --target http://127.0.0.1:PORT --token-file PATH
// Prints `listening on http://127.0.0.1:PORT` once it accepts connections. Binds loopback only.

import { readFileSync } from "node:fs";
import http from "node:http";

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`auth-proxy: missing ${name} (usage: --target URL --token-file PATH)`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const target = new URL(arg("--target"));
const token = readFileSync(arg("--token-file"), "utf8").trim();
if (!token) {
  console.error("auth-proxy: the token file is empty");
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  const upstream = http.request(
    { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      res.flushHeaders();
      up.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`auth-proxy: upstream error: ${err.message}`);
  });
  // A client that hangs up on a stream must not leave the upstream request open.
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
