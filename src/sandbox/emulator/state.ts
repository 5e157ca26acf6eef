// In-memory state the emulator keeps beside the git repositories: users, issues and pull
// requests, labels, statuses, deploy keys and branch rules. Git objects and refs live in git.
import type { GitStore } from './git-store.ts';
import { SecretBoxes } from './secret-boxes.ts';

export interface User {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface Comment {
  id: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
}

/** An issue, or the issue half of a pull request (GitHub numbers them from one sequence). */
export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  user: User;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  comments: Comment[];
  isPull: boolean;
}

export interface Review {
  id: number;
  user: User;
  body: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING' | 'DISMISSED';
  commit_id: string;
  submitted_at: string;
}

export interface Pull {
  id: number;
  number: number;
  headRef: string;
  /** Frozen once the pull request is closed; live from the head branch while open. */
  headSha: string;
  baseRef: string;
  /**
   * `owner/name` of the fork the head branch comes from (set by a test through
   * `Emulator.fromFork`); undefined: the base repository. The branch itself still lives in
   * the base repository's git store: forks are not otherwise modelled.
   */
  headRepo?: string;
  draft: boolean;
  maintainer_can_modify: boolean;
  merged_at: string | null;
  merged_by: User | null;
  merge_commit_sha: string | null;
  requested_reviewers: string[];
  requested_teams: string[];
  reviews: Review[];
}

export interface CommitStatus {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  creator: User;
  created_at: string;
}

export interface DeployKey {
  id: number;
  key: string;
  title: string;
  read_only: boolean;
  created_at: string;
  added_by: string;
}

/** A rule as `GET /repos/{o}/{r}/rules/branches/{branch}` returns it (type + parameters). */
export interface BranchRule {
  type: string;
  parameters?: Record<string, unknown>;
}

/** The parts of classic branch protection the emulator models and enforces on merge. */
export interface BranchProtection {
  required_approving_review_count?: number;
  /** Served by GET protection; not enforced on merge (the emulator has no CODEOWNERS). */
  require_code_owner_reviews?: boolean;
  required_status_checks?: string[];
  strict?: boolean;
  enforce_admins?: boolean;
}

/** A person's or a team's role on a repository (GitHub's role names). */
export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export class RepoState {
  readonly id: number;
  readonly owner: User;
  readonly name: string;
  readonly git: GitStore;
  defaultBranch: string;
  private: boolean;
  actionsCanCreatePullRequests: boolean;
  deleteBranchOnMerge = false;
  readonly environments = new Set<string>();
  readonly issues = new Map<number, Issue>();
  readonly pulls = new Map<number, Pull>();
  readonly labels = new Map<string, Label>();
  readonly statuses: CommitStatus[] = [];
  readonly deployKeys: DeployKey[] = [];
  /**
   * Roles given to people (login, lower case). `null`: the user exists but has no access. A
   * known user with no entry is a collaborator with write, as the emulator always assumed of
   * the users a test adds; the owner is admin.
   */
  readonly collaborators = new Map<string, RepoRole | null>();
  /** Branch name pattern (fnmatch-style `*`) -> rules. */
  readonly rules = new Map<string, BranchRule[]>();
  readonly protection = new Map<string, BranchProtection>();
  #nextNumber = 1;

  constructor(init: {
    id: number;
    owner: User;
    name: string;
    git: GitStore;
    defaultBranch: string;
  }) {
    this.id = init.id;
    this.owner = init.owner;
    this.name = init.name;
    this.git = init.git;
    this.defaultBranch = init.defaultBranch;
    this.private = true;
    this.actionsCanCreatePullRequests = false;
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }

  nextNumber(): number {
    return this.#nextNumber++;
  }

  label(name: string): Label | undefined {
    return this.labels.get(name.toLowerCase());
  }

  rulesFor(branch: string): BranchRule[] {
    const out: BranchRule[] = [];
    for (const [pattern, rules] of this.rules) if (globMatch(pattern, branch)) out.push(...rules);
    return out;
  }
}

export class EmulatorState {
  readonly users = new Map<string, User>();
  /** Teams (`org/slug`, lower case) and the repositories (full name, lower case) they reach. */
  readonly teams = new Map<string, Map<string, RepoRole>>();
  readonly repos = new Map<string, RepoState>();
  readonly secrets = new SecretBoxes();
  #nextId = 1000;

  id(): number {
    return this.#nextId++;
  }

  user(login: string, type: User['type'] = 'User'): User {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const u: User = { login, id: this.id(), type };
    this.users.set(login.toLowerCase(), u);
    return u;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): RepoState | undefined {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return undefined;
  }
}

function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^$(){}|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`).test(value);
}
