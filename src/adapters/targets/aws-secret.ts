/**
 * `AwsSecretsPort` on @aws-sdk/client-secrets-manager. One client per region, built on first
 * use with the SDK's standard credential chain (in Actions: the web-identity token that
 * aws-actions/configure-aws-credentials exported; see docs/targets.md), unless the caller
 * passes `clientFor` (tests point it at a loopback endpoint). rekey never reads or passes
 * access keys itself.
 *
 * Errors are `AwsSecretsError`: the operation, the secret id, AWS's error name and HTTP
 * status. The service's message is kept for reads only; for writes it is dropped, so that no
 * text the service builds from a request that carried a value can reach a log.
 */
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type {
  AwsSecretObservation,
  AwsSecretRef,
  AwsSecretsPort,
  AwsStage,
} from '../../core/targets/aws-secret.ts';
import type { SecretValue } from '../../core/targets/secret-value.ts';

export class AwsSecretsError extends Error {
  override readonly name = 'AwsSecretsError';
  readonly operation: string;
  readonly code: string;
  readonly status: number | undefined;
  constructor(
    operation: string,
    ref: AwsSecretRef,
    code: string,
    status?: number,
    detail?: string,
  ) {
    super(
      `${operation} ${ref.secretId} (${ref.region}): ${code}${status === undefined ? '' : ` (HTTP ${status})`}${detail ? `: ${detail}` : ''}`,
    );
    this.operation = operation;
    this.code = code;
    this.status = status;
  }
}

export interface AwsSecretsAdapterOptions {
  /** The client for a region; default: the SDK's standard credential chain. */
  readonly clientFor?: (region: string) => SecretsManagerClient;
}

/** At most this many pages of 100 versions are read (AWS keeps about 100 versions per secret). */
const MAX_PAGES = 20;

export function createAwsSecretsAdapter(opts: AwsSecretsAdapterOptions = {}): AwsSecretsPort {
  const clients = new Map<string, SecretsManagerClient>();
  const client = (region: string) => {
    let c = clients.get(region);
    if (c === undefined) {
      c = opts.clientFor?.(region) ?? new SecretsManagerClient({ region });
      clients.set(region, c);
    }
    return c;
  };
  const call = async <T>(
    operation: string,
    ref: AwsSecretRef,
    write: boolean,
    send: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await send();
    } catch (e) {
      const err = e as {
        name?: unknown;
        message?: unknown;
        $metadata?: { httpStatusCode?: number };
      };
      const code = typeof err.name === 'string' ? err.name : 'Error';
      const detail =
        !write && typeof err.message === 'string' ? err.message.slice(0, 300) : undefined;
      throw new AwsSecretsError(operation, ref, code, err.$metadata?.httpStatusCode, detail);
    }
  };

  return {
    async observe(ref): Promise<AwsSecretObservation> {
      const c = client(ref.region);
      let described;
      try {
        described = await c.send(new DescribeSecretCommand({ SecretId: ref.secretId }));
      } catch (e) {
        if ((e as { name?: unknown }).name === 'ResourceNotFoundException')
          return { exists: false, deleted: false, rotationEnabled: false, versions: new Map() };
        return call('DescribeSecret', ref, false, () => Promise.reject(e));
      }
      const versions = new Map<string, string[]>();
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await call('ListSecretVersionIds', ref, false, () =>
          c.send(
            new ListSecretVersionIdsCommand({
              SecretId: ref.secretId,
              IncludeDeprecated: true,
              MaxResults: 100,
              ...(next === undefined ? {} : { NextToken: next }),
            }),
          ),
        );
        for (const v of out.Versions ?? [])
          if (v.VersionId !== undefined) versions.set(v.VersionId, [...(v.VersionStages ?? [])]);
        next = out.NextToken;
        if (next === undefined) break;
      }
      if (next !== undefined)
        throw new AwsSecretsError(
          'ListSecretVersionIds',
          ref,
          'TooManyVersions',
          undefined,
          `more than ${MAX_PAGES * 100}`,
        );
      return {
        exists: true,
        deleted: described.DeletedDate !== undefined,
        rotationEnabled: described.RotationEnabled === true,
        versions,
      };
    },

    async putVersion(ref, token: string, value: SecretValue, stage: AwsStage) {
      const out = await call('PutSecretValue', ref, true, () =>
        client(ref.region).send(
          new PutSecretValueCommand({
            SecretId: ref.secretId,
            ClientRequestToken: token,
            SecretString: value.text(),
            VersionStages: [stage],
          }),
        ),
      );
      // A token AWS already knew (equal data) is a no-op that attaches nothing: the version
      // existed after all (written by a run whose answer was lost after it observed). Fail the
      // step; the next run observes the version and moves the label onto it.
      if (out.VersionStages?.includes(stage) !== true)
        throw new AwsSecretsError(
          'PutSecretValue',
          ref,
          'VersionExisted',
          undefined,
          `${token} was there already without ${stage}`,
        );
      return 'created';
    },

    async moveStage(ref, stage, move) {
      await call('UpdateSecretVersionStage', ref, true, () =>
        client(ref.region).send(
          new UpdateSecretVersionStageCommand({
            SecretId: ref.secretId,
            VersionStage: stage,
            ...(move.to === undefined ? {} : { MoveToVersionId: move.to }),
            ...(move.from === undefined ? {} : { RemoveFromVersionId: move.from }),
          }),
        ),
      );
      return move.to === undefined ? 'removed' : 'moved';
    },
  };
}
