// Young-generation sizing for the CLI process, set before any command module loads.
//
// V8 grows the young generation (two semi-spaces) up to 32 MiB each whenever many objects
// survive a scavenge. The YAML loader allocates heavily while it parses 10,000 key.yaml
// files whose documents it keeps, so a run of `rekey validate`, `plan` or `verify` grew it
// to its maximum and held about 100 MiB of mostly empty semi-space pages to the end. With
// the growth factor at 1 the young generation keeps its initial size; at 10,000 keys that
// cut peak RSS by 75-130 MiB for 0.1-0.2 s more CPU (4-7 %, more scavenges; docs/cli.md
// "Performance at scale"). Only the growth is changed: no heap limit, so nothing can run out
// of memory that did not before. A semi-space flag on the command line, or in NODE_OPTIONS
// (which admits `--max-semi-space-size`), wins.
import { setFlagsFromString } from 'node:v8';

const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
if (!/semi[-_]space/.test(given)) setFlagsFromString('--semi-space-growth-factor=1');
