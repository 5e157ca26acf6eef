// Process entry: the real stdin/stdout, environment and clock, handed to main().
// First, before main.ts or any command module is evaluated: the young-generation sizing.
import './heap.ts';
import { main } from './main.ts';

const chunks: Buffer[] = [];
const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: async () => {
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  },
  now: () => new Date(),
  isTty: process.stdout.isTTY === true,
});
process.exitCode = code;
