import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAuthCommands } from './auth';
import { registerAuthUserCommands } from './auth-user';
import { registerDescribeCommands } from './describe';
import { registerListCommands } from './list';
import { registerValidateCommands } from './validate';
import { registerSecretCommands } from './secret';
import { registerCompletionCommands } from './completion';

/** A command file's registration function. */
export type RegisterCommands = (program: Command, ctx: CliContext) => void;

/** Every command group, in help order. Command files keep heavy imports inside their actions. */
export const commandRegistrations: RegisterCommands[] = [
  registerAuthCommands,
  registerAuthUserCommands,
  registerDescribeCommands,
  registerListCommands,
  registerValidateCommands,
  registerSecretCommands,
  registerCompletionCommands,
];
