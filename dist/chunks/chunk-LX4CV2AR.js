import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  diagnostic
} from "./chunk-QIKD5X2T.js";

// src/core/lifecycle/rules.ts
var LIFECYCLE_RULES = {
  // Invariants of one snapshot (any branch, any commit).
  "lifecycle/version-order": "versions are listed newest first: each entry has a lower number than the one above it",
  "lifecycle/version-duplicate": "a version number appears once per key",
  "lifecycle/version-gap": "version numbers run from 1 without gaps (entries are never removed)",
  "lifecycle/multiple-active": "a key has at most one active version",
  "lifecycle/multiple-pre-activation": "a key has at most one pre-activation version",
  "lifecycle/created-in-future": "a version was created at or before the time of the check",
  "lifecycle/material-missing": "every live (not destroyed) version has its v<N>.sops.yaml material file",
  "lifecycle/material-for-destroyed": "a destroyed version has no material file left",
  "lifecycle/material-orphan": "every material file belongs to a version listed in its key.yaml",
  "lifecycle/skipped-state": "a version moves one lifecycle step at a time (pre-activation, active, deactivated, destroyed; compromised from any live state)",
  "lifecycle/resurrection": "a version never moves back to an earlier state, and a destroyed version stays destroyed",
  "lifecycle/version-removed": "a version entry is never removed from key.yaml",
  "lifecycle/new-version-number": "a change adds at most one version per key, numbered one above the highest existing version",
  "lifecycle/new-version-state": "a new version starts active (or pre-activation when the policy prepublishes)",
  "lifecycle/prepublish-disabled": "a new version may start pre-activation only when the policy has prepublish > 0",
  "lifecycle/active-without-successor": "the active version leaves active only when another version becomes active in the same change",
  "lifecycle/revocation-gate-closed": "a version is destroyed only when the revocation gate holds (successor distributed, grace passed)",
  "lifecycle/revocation-gate-unchecked": "the revocation gate could not be checked, so destroying a version is refused (fail closed)",
  "lifecycle/material-edited": "material of an existing version is never edited in place (only its age stanzas may be re-wrapped)",
  "lifecycle/created-changed": "an existing version's created time never changes",
  "lifecycle/fingerprint-changed": "an existing version's fingerprint never changes (a version number names one piece of material)",
  "lifecycle/fingerprint-reused": "a new version's fingerprint differs from every existing version's (rotating to the same material rotates nothing)",
  "lifecycle/type-changed": "an existing key's type never changes",
  "lifecycle/created-before-newest": "a new version is created no earlier than the newest existing version",
  "lifecycle/key-removed": "a key is removed only when all its versions are destroyed",
  "lifecycle/new-key-versions": "a new key starts with no versions or with v1 active",
  // Content checks of the files a change adds or edits.
  "verify/recipients-mismatch": "the age recipients of an added or changed material file equal the base branch's .sops.yaml rule for its path",
  "verify/no-creation-rule": "the base branch's .sops.yaml has a creation rule for every added or changed material file",
  "verify/plaintext-private-key": "no private key appears in clear in a manifest or policy file",
  "verify/public-not-public": "a material file's public field holds the public form of the key type (and random keys have none)",
  // Checks of who made a change and what else it touches (the verify action).
  "change/pipeline-code-with-manifest": "pipeline code (.github/, actions/, dist/, src/, package*.json) and keys-manifest/ change in separate pull requests",
  "change/manual-rotation": "a new version of an existing key comes from the base branch's pull-authors, unless its manual-rotation is true",
  "change/rewrap-not-pure": "a re-wrap of material (new age stanzas, values and MAC byte-identical) goes in a pull request of its own, and the rekey/rewrap branch carries nothing else"
};
var LIFECYCLE_RULE_IDS = Object.keys(LIFECYCLE_RULES);
function violation(rule, message, at) {
  return diagnostic(rule, message, at);
}

export {
  violation
};
