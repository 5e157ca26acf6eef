import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  loadAgeIdentities
} from "./chunk-4TVHPAIV.js";
import {
  BuiltinSopsCodec,
  MacMismatchError,
  MacMissingError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
  SopsCliError,
  ValueAuthenticationError,
  checkFileAgainstRule,
  loadEncrypted,
  storeFor
} from "./chunk-RKFFQOLR.js";
import {
  parseSopsConfig
} from "./chunk-2PDFHADE.js";
import {
  SOPS_CONFIG_FILE,
  parseYaml
} from "./chunk-ARAMIKVA.js";
import {
  InvalidInputError,
  diagnostic
} from "./chunk-QIKD5X2T.js";

// src/adapters/sops-cli.ts
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
function findSopsBinary(env, isExecutable = executable) {
  const explicit = env["SOPS_BINARY"];
  if (explicit) return explicit;
  const names = process.platform === "win32" ? ["sops.exe", "sops"] : ["sops"];
  for (const dir of (env["PATH"] ?? "").split(path.delimiter).filter(Boolean))
    for (const n of names) if (isExecutable(path.join(dir, n))) return path.join(dir, n);
  return void 0;
}
function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
function redact(stderr) {
  return stderr.replace(/[0-9A-Fa-f]{32,}/g, "[redacted]").replace(/[A-Za-z0-9+/=]{40,}/g, "[redacted]").trim().slice(0, 2e3);
}
var SOPS_TYPES = {
  yaml: "yaml",
  json: "json",
  dotenv: "dotenv",
  binary: "binary"
};
var SopsCli = class {
  #o;
  /** Metadata is read by rekey's own parser: it needs no key and behaves the same for both. */
  #reader = new BuiltinSopsCodec({ identities: [] });
  constructor(options) {
    this.#o = options;
  }
  async encrypt(file, plaintext, options) {
    const r = await this.#run(["encrypt", ...this.#typeArgs(file)], plaintext);
    if (r.code !== 0) throw this.#error(file, r);
    const info = await this.inspect(file, r.stdout);
    const expected = options.rule.keyGroups.map((g) => [...g.age, ...g.pgp].sort());
    const actual = info.ageRecipients.map(
      (g, i) => [...g, ...info.pgpFingerprints[i] ?? []].sort()
    );
    if (JSON.stringify(expected) !== JSON.stringify(actual))
      throw new RecipientsMismatchError(file, expected, actual);
    return r.stdout;
  }
  async decrypt(file, encrypted, options) {
    if (options?.rule) checkFileAgainstRule(file, encrypted, options.rule);
    const r = await this.#run(["decrypt", ...this.#typeArgs(file)], encrypted);
    if (r.code !== 0) throw this.#error(file, r, encrypted);
    return r.stdout;
  }
  inspect(file, encrypted) {
    return this.#reader.inspect(file, encrypted);
  }
  #typeArgs(file) {
    const type = SOPS_TYPES[storeFor(file).name];
    const args = ["--filename-override", file];
    return type ? [...args, "--input-type", type, "--output-type", type] : args;
  }
  #error(file, r, encrypted) {
    const msg = redact(r.stderr);
    switch (r.code) {
      case 51:
        if (/no MAC/i.test(r.stderr)) return new MacMissingError(file);
        return new MacMismatchError(
          file,
          /Cannot decrypt MAC/i.test(r.stderr) ? "unauthenticated" : "differs"
        );
      case 52:
        return new MacMissingError(file);
      case 25:
        return new ValueAuthenticationError(file, "(reported by sops)");
      case 128: {
        let recipients = [];
        try {
          if (encrypted)
            recipients = loadEncrypted(file, encrypted).meta.groups.flatMap(
              (g) => g.age.map((a) => a.recipient)
            );
        } catch {
          recipients = [];
        }
        return new NoMatchingIdentityError(file, recipients);
      }
      default:
        return new SopsCliError(file, r.code, `sops exited with ${r.code ?? "a signal"}: ${msg}`);
    }
  }
  #run(args, input) {
    const global = this.#o.configPath ? ["--config", this.#o.configPath] : [];
    return new Promise((resolve, reject) => {
      const child = spawn(this.#o.binary, [...global, ...args], {
        cwd: this.#o.cwd,
        env: { ...this.#o.env },
        stdio: ["pipe", "pipe", "pipe"],
        timeout: this.#o.timeoutMs ?? 12e4
      });
      const out = [];
      const err = [];
      child.stdout.on("data", (b) => out.push(b));
      child.stderr.on("data", (b) => err.push(b));
      child.on(
        "error",
        (e) => reject(new SopsCliError("sops", null, `cannot run ${this.#o.binary}: ${e.message}`))
      );
      child.on(
        "close",
        (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") })
      );
      child.stdin.on("error", () => void 0);
      child.stdin.end(Buffer.from(input));
    });
  }
};

// src/cli/sops.ts
import { homedir } from "node:os";
function loadSopsConfig(tree) {
  const bytes = tree.get(SOPS_CONFIG_FILE);
  if (bytes === void 0)
    throw new InvalidInputError([
      diagnostic(
        "sops-config/missing",
        "no .sops.yaml: rekey encrypts material to the recipients its creation rules name",
        {
          file: SOPS_CONFIG_FILE,
          line: 0,
          column: 0
        }
      )
    ]);
  const parsed = parseYaml(SOPS_CONFIG_FILE, bytes);
  if (parsed.diagnostics.length > 0) throw new InvalidInputError(parsed.diagnostics);
  const { config, diagnostics } = parseSopsConfig({
    file: SOPS_CONFIG_FILE,
    value: parsed.value,
    locate: parsed.locate
  });
  if (!config) throw new InvalidInputError(diagnostics);
  return config;
}
async function sopsCodec(io, dir, opts = {}) {
  const binary = findSopsBinary(io.env);
  if (binary !== void 0)
    return { codec: new SopsCli({ binary, cwd: dir, env: io.env }), identities: -1 };
  const identities = opts.decrypt ? (await loadAgeIdentities({ env: io.env, homedir: io.env["HOME"] || homedir() })).identities : [];
  return { codec: new BuiltinSopsCodec({ identities }), identities: identities.length };
}

export {
  loadSopsConfig,
  sopsCodec
};
