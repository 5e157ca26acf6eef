// The command list that `rekey --help` prints without importing any command module must say
// what each module says of itself.
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';

describe('the lazy command list', () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    '%s: name and summary are the module’s own',
    async (_, entry) => {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
    },
  );

  it('lists each command once', () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
