import type { Command } from 'commander';
import type { CliContext } from '../context';

/** A command file's registration function. */
export type RegisterCommands = (program: Command, ctx: CliContext) => void;

/** Every command group, in help order. Command files keep heavy imports inside their actions. */
export const commandRegistrations: RegisterCommands[] = [];
