import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  describeRewrap,
  rewrapFiles
} from "./chunk-HJR77GQ7.js";
import {
  loadSnapshot
} from "./chunk-ABOOY56S.js";
import {
  loadSopsConfig,
  sopsCodec
} from "./chunk-EHJRW4TL.js";
import {
  loadAgeIdentities
} from "./chunk-4TVHPAIV.js";
import {
  parseMaterialPlaintext,
  verifyMaterial
} from "./chunk-EUDQPH2W.js";
import {
  BuiltinSopsCodec,
  SopsError,
  isIntegrityFailure
} from "./chunk-RKFFQOLR.js";
import "./chunk-JFLGVF2I.js";
import {
  jsonReport
} from "./chunk-SI6NGII7.js";
import {
  findCreationRule,
  ruleAgeRecipients
} from "./chunk-2PDFHADE.js";
import {
  readTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  keyDocument,
  keyFile,
  loadDocument,
  parseMaterialPath
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/sops.ts
import { readFile, rename, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";

// src/commands/sops-verify.ts
var sameGroups = (a, b) => a.length === b.length && a.every((g, i) => {
  const x = [...g].sort();
  const y = [...b[i] ?? []].sort();
  return x.length === y.length && x.every((r, j) => r === y[j]);
});
async function verifySopsFile(input) {
  const { path, bytes, rule, codec } = input;
  const out = [];
  const info = await codec.inspect(path, bytes);
  const expected = ruleAgeRecipients(rule);
  const fmt = (gs) => gs.map((g) => g.join(", ")).join(" | ");
  out.push({
    check: "recipients",
    ok: sameGroups(info.ageRecipients, expected) && info.pgpFingerprints.every((g) => g.length === 0) && info.otherKeyKinds.length === 0,
    detail: `file: ${fmt(info.ageRecipients) || "none"}${info.otherKeyKinds.length ? ` + ${info.otherKeyKinds.join(", ")}` : ""}; rule: ${fmt(expected)}`
  });
  out.push({
    check: "crypt-rule",
    ok: info.crypt.kind === rule.crypt.kind && info.crypt.value === rule.crypt.value,
    detail: `file: ${info.crypt.kind} ${info.crypt.value}; rule: ${rule.crypt.kind} ${rule.crypt.value}`
  });
  out.push({
    check: "mac-mode",
    ok: info.macOnlyEncrypted === rule.macOnlyEncrypted,
    detail: `mac_only_encrypted file: ${info.macOnlyEncrypted}; rule: ${rule.macOnlyEncrypted}`
  });
  if (!input.decrypt) {
    out.push({
      check: "mac",
      ok: true,
      skipped: true,
      detail: "not checked: no age identity (set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY)"
    });
    return out;
  }
  let plaintext;
  try {
    plaintext = await codec.decrypt(path, bytes);
  } catch (e) {
    if (e instanceof SopsError) {
      out.push({ check: "mac", ok: false, detail: `${e.code}: ${e.message}` });
      return out;
    }
    throw e;
  }
  out.push({ check: "mac", ok: true, detail: `MAC verified (lastmodified ${info.lastModified})` });
  if (input.material) {
    const { key, version } = input.material;
    let doc;
    try {
      doc = parseMaterialPlaintext(new TextDecoder().decode(plaintext), path);
    } catch (e) {
      out.push({
        check: "material",
        ok: false,
        detail: e instanceof Error ? e.message : "unreadable material"
      });
      return out;
    }
    const idOk = doc.id === key.id && doc.version === version;
    out.push({
      check: "material",
      ok: idOk,
      detail: idOk ? `id ${doc.id}, version ${doc.version}` : `material says ${doc.id} v${doc.version}, its path says ${key.id} v${version}`
    });
    const entry = key.versions.find((v) => v.version === version);
    const result = await verifyMaterial(key.type, doc, key.options);
    const fp = result.ok ? result.fingerprint : void 0;
    out.push({
      check: "fingerprint",
      ok: fp !== void 0 && fp === entry?.fingerprint,
      detail: !result.ok ? `${result.problem}: ${result.message}` : entry === void 0 ? `key.yaml has no v${version}` : `${fp}${fp === entry.fingerprint ? " equals" : " differs from"} key.yaml's ${entry.fingerprint}`
    });
  }
  return out;
}

// src/cli/commands/sops.ts
import { homedir } from "node:os";
var help = `Usage: rekey sops decrypt FILE
       rekey sops encrypt FILE|- [--path PATH] [--output OUT]
       rekey sops verify FILE [--base REF] [--json]
       rekey sops rewrap [PATH...] [--dry-run]
       (each takes --dir DIR, the repository root that holds .sops.yaml)

decrypt  Decrypts FILE to stdout and verifies its MAC, failing closed, like \`sops -d\`.
encrypt  Encrypts FILE (or stdin, \`-\`) with the .sops.yaml creation rule for PATH (default
         FILE's path relative to the repository) to stdout or OUT, like \`sops -e\`.
verify   Checks FILE's recipients, crypt rule and MAC mode against the .sops.yaml rule at REF
         (default: the working tree). With an age identity it also decrypts and verifies the
         MAC, and for rekey material that the fingerprint equals key.yaml's.
rewrap   Re-wraps the data key of each material file under PATH (default: every live one)
         for the recipients .sops.yaml names now, in place, like \`sops updatekeys\`: the
         encrypted values, MAC and lastmodified stay byte-identical, only the age stanzas
         change (verify accepts that as a \`rewrap\` change). Needs an identity that opens
         the files as they are. --dry-run lists what would change (exit 1 if anything would).

Identities come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or the sops keys file. Plaintext goes
to stdout only; rekey never writes it to disk.

Exit: 0 ok, 1 a check failed (MAC, recipients, fingerprint), 2 usage or configuration error.
`;
async function readInput(io, file) {
  return file === "-" ? io.stdin() : readFile(resolve(io.cwd, file));
}
function repoPath(dir, io, file) {
  const rel = relative(dir, resolve(io.cwd, file)).split("\\").join("/");
  if (rel.startsWith(".."))
    throw new UsageError(`${file} is outside the repository ${dir}; pass --dir or --path`);
  return rel;
}
var sops = {
  name: "sops",
  summary: "decrypt, encrypt or verify a SOPS file with the built-in codec or the sops binary",
  help,
  async run(argv, io) {
    const [verb, ...rest] = argv;
    if (verb === "rewrap") return rewrapCommand(rest, io);
    const { values, positionals } = parse(
      `sops ${verb ?? ""}`.trim(),
      rest,
      {
        dir: { type: "string" },
        path: { type: "string" },
        output: { type: "string" },
        base: { type: "string" },
        json: { type: "boolean", default: false }
      },
      1
    );
    const file = positionals[0];
    if (!["decrypt", "encrypt", "verify"].includes(verb ?? "") || file === void 0)
      throw new UsageError(
        `rekey sops: expected decrypt, encrypt, verify or rewrap (and a FILE)

${help}`
      );
    const dir = repoDir(io, values.dir);
    if (verb === "decrypt") {
      const { codec: codec2 } = await sopsCodec(io, dir, { decrypt: true });
      const path2 = file === "-" ? values.path ?? "stdin.yaml" : file;
      let plain;
      try {
        plain = await codec2.decrypt(path2, await readInput(io, file));
      } catch (e) {
        if (!isIntegrityFailure(e)) throw e;
        io.stderr(`rekey sops decrypt: ${e.message}
`);
        return EXIT.findings;
      }
      io.stdout(plain);
      return EXIT.ok;
    }
    const tree = await readTree(dir, verb === "verify" ? values.base : void 0);
    const config = loadSopsConfig(tree);
    const path = values.path ?? (file === "-" ? void 0 : repoPath(dir, io, file));
    if (path === void 0)
      throw new UsageError(
        "rekey sops encrypt -: --path PATH is required to choose the rule and format"
      );
    const rule = findCreationRule(config, path);
    if (!rule) throw new UsageError(`.sops.yaml has no creation rule matching ${path}`);
    const bytes = await readInput(io, file);
    if (verb === "encrypt") {
      const { codec: codec2 } = await sopsCodec(io, dir);
      const out = await codec2.encrypt(path, bytes, {
        rule,
        now: io.now(),
        yamlIndent: config.yamlIndent
      });
      if (values.output) await writeFile(resolve(io.cwd, values.output), out, { flag: "w" });
      else io.stdout(new TextDecoder().decode(out));
      return EXIT.ok;
    }
    const { codec, identities } = await sopsCodec(io, dir, { decrypt: true });
    const material = parseMaterialPath(path);
    const keyBytes = material ? tree.get(keyFile(material.id)) : void 0;
    const key = material && keyBytes ? loadDocument(keyFile(material.id), keyBytes, keyDocument).doc?.value : void 0;
    const checks = await verifySopsFile({
      path,
      bytes,
      rule,
      codec,
      decrypt: identities !== 0,
      material: key && material ? { key, version: material.version } : void 0
    });
    const ok = checks.every((c) => c.ok);
    if (values.json) io.stdout(jsonReport("sops verify", { file: path, ok, checks }));
    else
      for (const c of checks)
        io.stdout(
          `${c.skipped ? "skip" : c.ok ? "ok  " : "FAIL"} ${c.check.padEnd(11)} ${c.detail}
`
        );
    return ok ? EXIT.ok : EXIT.findings;
  }
};
async function rewrapCommand(argv, io) {
  const { values, positionals } = parse(
    "sops rewrap",
    argv,
    { dir: { type: "string" }, "dry-run": { type: "boolean", default: false } },
    1e3
  );
  const dir = repoDir(io, values.dir);
  const tree = await readTree(dir, void 0);
  const config = loadSopsConfig(tree);
  const prefixes = positionals.map((p) => repoPath(dir, io, p).replace(/\/$/, ""));
  const live = [...loadSnapshot(tree).snapshot.keys.values()].flatMap(
    (k) => k.value.versions.filter((v) => v.state !== "destroyed").map((v) => `keys-manifest/${k.value.id}/v${v.version}.sops.yaml`)
  );
  const under = (p) => prefixes.length === 0 || prefixes.some((x) => x === "" || p === x || p.startsWith(`${x}/`));
  const paths = live.filter(under);
  for (const x of prefixes)
    if (!paths.some((p) => p === x || x === "" || p.startsWith(`${x}/`)))
      throw new UsageError(`rekey sops rewrap: ${x} holds no live material file`);
  const { identities } = await loadAgeIdentities({
    env: io.env,
    homedir: io.env["HOME"] || homedir()
  });
  const codec = new BuiltinSopsCodec({ identities });
  const out = await rewrapFiles(paths, tree, config, codec);
  for (const f of out.rewrapped) {
    io.stdout(
      `${values["dry-run"] ? "would re-wrap" : "re-wrapped"} ${f.path} (${describeRewrap(f)})
`
    );
    if (values["dry-run"]) continue;
    const target = resolve(dir, f.path);
    await writeFile(`${target}.rekey-tmp`, f.bytes, { flag: "w" });
    await rename(`${target}.rekey-tmp`, target);
  }
  for (const [, why] of out.problems) io.stderr(`rekey sops rewrap: ${why}
`);
  io.stdout(
    `${out.rewrapped.length} file${out.rewrapped.length === 1 ? "" : "s"} ${values["dry-run"] ? "to re-wrap" : "re-wrapped"}, ${out.unchanged.length} already wrapped for .sops.yaml, ${out.problems.size} failed
`
  );
  if (out.problems.size > 0) return EXIT.findings;
  return values["dry-run"] && out.rewrapped.length > 0 ? EXIT.findings : EXIT.ok;
}
export {
  sops
};
