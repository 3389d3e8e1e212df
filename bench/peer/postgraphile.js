// PostGraphile 4.14 in library mode, the peer of `python -m bench path`.
//
// Connected as the application role, with the same row-level-security settings the application
// sets: one transaction-local `xietong.scope` token per request (PostGraphile's `pgSettings`).
// The token is signed for the backend that runs the transaction (its pid is part of what
// PostgreSQL verifies), which `pgSettings` cannot know: it returns a placeholder naming the
// claims, and the pool's clients replace it, signed for their own `processID`, in the very
// `select set_config(...)` PostGraphile sends after `begin` (no extra round trip). It verifies no bearer
// token: `x-bench-as` says whose claims to use.
//
// env: BENCH_DATABASE_URL, BENCH_PORT, BENCH_SCOPE_KEY (hex), BENCH_KEY_ID, BENCH_CLAIMS (JSON:
// name -> the six claim fields of access.scope_token.ScopeClaims.fields()).
"use strict";
const http = require("http");
const crypto = require("crypto");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");
const pgPlugins = require("graphile-build-pg");

const key = Buffer.from(process.env.BENCH_SCOPE_KEY, "hex");
const keyId = process.env.BENCH_KEY_ID;
const claims = JSON.parse(process.env.BENCH_CLAIMS);
const PLACEHOLDER = "bench-claims:";

function sign(fields, pid) {
  const expires = Math.floor(Date.now() / 1000) + 60;
  const body = ["v1", keyId, String(pid), String(expires), ...fields].join(":");
  return body + "." + crypto.createHmac("sha256", key).update(body, "utf8").digest("hex");
}

function signed(values, pid) {
  if (!Array.isArray(values) || !values.some((v) => typeof v === "string" && v.startsWith(PLACEHOLDER)))
    return values;
  return values.map((v) =>
    typeof v === "string" && v.startsWith(PLACEHOLDER) ? sign(claims[v.slice(PLACEHOLDER.length)], pid) : v,
  );
}

const pool = new Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
pool.on("connect", (client) => {
  const query = client.query.bind(client);
  client.query = (config, values, ...rest) => {
    if (config && typeof config === "object" && Array.isArray(config.values)) {
      const replaced = signed(config.values, client.processID);
      if (replaced !== config.values) config = { ...config, values: replaced };
    }
    return query(config, signed(values, client.processID), ...rest);
  };
});

const middleware = postgraphile(pool, "public", {
  pgSettings: (req) => ({
    "xietong.scope": PLACEHOLDER + (req.headers["x-bench-as"] || "anonymous"),
  }),
  disableQueryLog: true,
  graphiql: false,
  watchPg: false,
  dynamicJson: true,
  setofFunctionsContainNodes: true,
  ignoreRBAC: false,
  retryOnInitFail: false,
  // Tables only: the database's functions (sign-in, audit chain, scope checks) clash in
  // PostGraphile's naming and are no part of what is compared.
  skipPlugins: [
    pgPlugins.PgQueryProceduresPlugin,
    pgPlugins.PgMutationProceduresPlugin,
    pgPlugins.PgComputedColumnsPlugin,
    pgPlugins.PgRecordFunctionConnectionPlugin,
    pgPlugins.PgScalarFunctionConnectionPlugin,
    pgPlugins.PgRecordReturnTypesPlugin,
  ],
});

http.createServer(middleware).listen(Number(process.env.BENCH_PORT), "127.0.0.1", () => {
  process.stdout.write("ready\n");
});
