import { describe, expect, it } from 'vitest';
import { githubEndpoints, hostOfRemote, repositoryFromRemote } from '../../src/cli/remote.ts';

describe('the GitHub of a clone', () => {
  it.each([
    ['https://github.com/acme/keys.git', 'https://api.github.com', 'https://github.com'],
    ['git@github.com:acme/keys.git', 'https://api.github.com', 'https://github.com'],
    ['ssh://git@ssh.github.com:443/acme/keys.git', 'https://api.github.com', 'https://github.com'],
    [
      'https://ghes.example.com/acme/keys.git',
      'https://ghes.example.com/api/v3',
      'https://ghes.example.com',
    ],
    [
      'git@GHES.example.com:acme/keys.git',
      'https://ghes.example.com/api/v3',
      'https://ghes.example.com',
    ],
    [
      'https://user@ghes.example.com:8443/acme/keys',
      'https://ghes.example.com/api/v3',
      'https://ghes.example.com',
    ],
    ['https://octo.ghe.com/acme/keys.git', 'https://api.octo.ghe.com', 'https://octo.ghe.com'],
    ['', 'https://api.github.com', 'https://github.com'],
    ['/srv/git/keys.git', 'https://api.github.com', 'https://github.com'],
  ])('%s -> %s', (remote, apiUrl, serverUrl) => {
    expect(githubEndpoints({}, remote)).toEqual({ apiUrl, serverUrl });
  });

  it('GITHUB_API_URL and GITHUB_SERVER_URL win over the remote', () => {
    const env = {
      GITHUB_API_URL: 'http://127.0.0.1:9/api',
      GITHUB_SERVER_URL: 'http://127.0.0.1:9',
    };
    expect(githubEndpoints(env, 'https://ghes.example.com/acme/keys.git')).toEqual({
      apiUrl: 'http://127.0.0.1:9/api',
      serverUrl: 'http://127.0.0.1:9',
    });
  });

  it('reads owner/name and host from every remote form', () => {
    expect(repositoryFromRemote('ssh://git@ssh.github.com:443/acme/keys.git')).toBe('acme/keys');
    expect(repositoryFromRemote('https://user@ghes.example.com:8443/acme/keys')).toBe('acme/keys');
    expect(hostOfRemote('git@ghes.example.com:acme/keys.git')).toBe('ghes.example.com');
    expect(hostOfRemote('/srv/git/keys.git')).toBeUndefined();
  });
});
