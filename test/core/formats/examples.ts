// Valid example files, as a user would write them (and as docs/formats.md shows them).
// Tests derive failing cases from these by replacing one line.

export const KEY_YAML = `id: payments/webhook-signing
description: Signs outbound payment webhooks
owner: "@acme/payments"
policy: standard
type: random
options: { bytes: 32, encoding: base64 }
targets:
  - kind: github-secret
    repository: acme/payments-api
    environment: production
    name: WEBHOOK_SIGNING_KEY
    previous: WEBHOOK_SIGNING_KEY_PREVIOUS
  - kind: file
    path: out/webhook.env
    format: env
    name: WEBHOOK_SIGNING_KEY
versions:
  - { version: 3, state: active, created: 2026-11-20T09:14:03Z, fingerprint: "kcv:5f3a9c0d1e2b4a6f" }
  - { version: 2, state: deactivated, created: 2026-08-22T09:02:11Z, fingerprint: "kcv:0a1b2c3d4e5f6071" }
  - { version: 1, state: destroyed, created: 2026-05-21T08:59:40Z, fingerprint: "kcv:00112233aabbccdd" }
`;

export const POLICY_YAML = `name: standard
cryptoperiod: 90d
rotate-before: 14d
grace: 7d
prepublish: 0d
approvals: 1
reviewers: ["@acme/security"]
window: { days: [mon, tue, wed, thu], hours: "09:00-16:00", timezone: Europe/Berlin }
emergency: { reviewers: ["@acme/security-oncall"], approvals: 1 }
`;

export const PIPELINE_YAML = `default-branch: main
max-open-prs: 10
retry-budget: 3
lease-ttl: 30m
`;

const AGE_BLOCK = `-----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBZeHVSdjJoY3ZSQjJzbk1q
            ZXFxMWJ5amkrN1VXeHI4QzQ5OHcwVGxDem1zCm8wQVEzNEUrOUhtRUFkVnFUY0tN
            -----END AGE ENCRYPTED FILE-----`;

/** Material for `id`/`version`, shaped as sops 3.13 writes it: indent 4, sorted metadata keys. */
export function materialYaml(id = 'payments/webhook-signing', version = 3): string {
  return `id: ${id}
version: ${version}
secret: ENC[AES256_GCM,data:q1CRUtrfKj2CUvR/3k5vV0xX1LOT0vhpV2Qf2lVmgzdkQAyY3hg4cA==,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]
sops:
    age:
        - enc: |
            ${AGE_BLOCK}
          recipient: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29
    encrypted_regex: ^secret$
    lastmodified: "2026-11-20T09:14:03Z"
    mac: ENC[AES256_GCM,data:vmrF+VgW3o8z4h/DOStCUNudz68yHEC8Mws+LPoKpM3Xc7GM0Z1CfX0TKwdLLjMuvyWa2Nx2NIxm0+MCbmR8+y2izn0hHPSWhNVCWSK+iW48M05vXhDCV0xNkqM7g0kLhQ3PiSrB69loQj8C590HIfEViEtyDCFUeynDgcC289Q=,iv:u5lhmtXMxyt+3Pw09wWvgBhmKLoOSpKNWUpu/LuCr3Y=,tag:Dg0HFdLgQltzPgnEmltAzQ==,type:str]
    version: 3.13.2
`;
}

/** Replaces the first line starting with `prefix` (after indentation) by `line`; fails loudly. */
export function replaceLine(text: string, prefix: string, line: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(prefix));
  if (i === -1) throw new Error(`no line starts with ${prefix}`);
  lines[i] = line;
  return lines.join('\n');
}
