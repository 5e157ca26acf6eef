import type { CliCommand } from '../args.ts';
import { auditCommand } from './audit.ts';
import { demo } from './demo.ts';
import { distributeCommand } from './distribute.ts';
import { doctorCommand } from './doctor.ts';
import { initCommand } from './init.ts';
import { newKey } from './new.ts';
import { planCommand } from './plan.ts';
import { revokeCommand } from './revoke.ts';
import { rotateCommand } from './rotate.ts';
import { sops } from './sops.ts';
import { targetsCommand } from './targets.ts';
import { validate } from './validate.ts';
import { verify } from './verify.ts';

/** Every `rekey` subcommand, in the order `rekey --help` lists them. */
export const commands: readonly CliCommand[] = [
  initCommand,
  validate,
  planCommand,
  verify,
  newKey,
  sops,
  demo,
  auditCommand,
  doctorCommand,
  distributeCommand,
  targetsCommand,
  rotateCommand,
  revokeCommand,
];
