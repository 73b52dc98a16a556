// Lays out the Claude Desktop extension (.mcpb) folder from packaging/mcpb/manifest.json and the native
// flex-mcp programs that exist, then scripts/package.sh validates and packs it with `mcpb`.
//
//   node packaging/mcpb/make-bundle.mjs --version V --stage DIR [--linux P] [--darwin P] [--win32 P]
//
// The manifest names a program for each platform (`platform_overrides`); the bundle carries only those
// given here, and `compatibility.platforms` lists exactly those, so Claude Desktop refuses the bundle on a
// platform it has no program for instead of failing at start. The tool list shown before install comes from
// the catalogue's golden tools/list (one fact in one place); `user_config` stays empty on purpose: the key
// lives in the keychain, never in Claude's settings.
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const { values } = parseArgs({
  options: {
    version: { type: "string" },
    stage: { type: "string" },
    linux: { type: "string" },
    darwin: { type: "string" },
    win32: { type: "string" },
  },
});
if (!values.version || !values.stage) {
  console.error("usage: make-bundle.mjs --version V --stage DIR [--linux P] [--darwin P] [--win32 P]");
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(join(here, "manifest.json"), "utf8"));
delete manifest.$schema;
manifest.version = values.version;

rmSync(values.stage, { recursive: true, force: true });
mkdirSync(values.stage, { recursive: true });
const programs = { linux: values.linux, darwin: values.darwin, win32: values.win32 };
const present = [];
for (const [platform, program] of Object.entries(programs)) {
  if (!program) continue;
  if (!existsSync(program)) {
    console.error(`make-bundle: the ${platform} program ${program} does not exist`);
    process.exit(1);
  }
  // flex-mcp (the bridge, and the launcher of everything else) runs flex-mcp-cli beside it.
  const exe = platform === "win32" ? ".exe" : "";
  const cli = join(dirname(program), `flex-mcp-cli${exe}`);
  if (!existsSync(cli)) {
    console.error(`make-bundle: the ${platform} program ${program} has no ${cli} beside it`);
    process.exit(1);
  }
  for (const [from, name] of [[program, `flex-mcp${exe}`], [cli, `flex-mcp-cli${exe}`]]) {
    const to = join(values.stage, "server", platform, name);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    chmodSync(to, 0o755);
  }
  present.push(platform);
}
if (present.length === 0) {
  console.error("make-bundle: no program given (--linux, --darwin or --win32)");
  process.exit(2);
}
manifest.compatibility.platforms = manifest.compatibility.platforms.filter((p) => present.includes(p));
// The default command is Linux's; a bundle without a Linux program starts from one it does carry.
if (!present.includes("linux")) {
  const first = present[0];
  const override = manifest.server.mcp_config.platform_overrides[first];
  manifest.server.entry_point = override.command.replace("${__dirname}/", "");
  manifest.server.mcp_config.command = override.command;
}
const overrides = manifest.server.mcp_config.platform_overrides;
for (const p of Object.keys(overrides)) {
  if (!present.includes(p) || overrides[p].command === manifest.server.mcp_config.command) delete overrides[p];
}
if (Object.keys(overrides).length === 0) delete manifest.server.mcp_config.platform_overrides;

const golden = join(repo, "crates", "flex-mcp", "tests", "golden", "tools_list.json");
if (existsSync(golden)) {
  const { tools } = JSON.parse(readFileSync(golden, "utf8"));
  // The first sentence is what fits Claude Desktop's list; the full text reaches the model through tools/list.
  manifest.tools = tools.map((t) => ({ name: t.name, description: t.description.split(/(?<=\.)\s/)[0] }));
}
// The gateway (OAuth) mode lists the hosted server's tools, so the list can grow at run time.
manifest.tools_generated = true;

copyFileSync(join(repo, "icons", "512x512.png"), join(values.stage, "icon.png"));
writeFileSync(join(values.stage, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`make-bundle: ${values.stage} for ${present.join(", ")} (${manifest.tools?.length ?? 0} tools listed)`);
