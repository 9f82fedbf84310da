#!/usr/bin/env node
/**
 * The `arrears` command. Each subcommand is a thin edge over the domain and store modules.
 */
import { Command, Option } from 'commander';
import { DomainError, ValidationError } from '../core/index.js';
import { registerCommands } from './commands.js';

const program = new Command();
program
  .name('arrears')
  .description('Arrears — loan collections: ledger, daily cycle, timelines')
  .addOption(new Option('--db <url>', 'database: a SQLite file path or postgres://… URL').env('DATABASE_URL'))
  .showHelpAfterError();

registerCommands(program);

// `arrears … | head`: the reader went away; stop quietly instead of crashing on EPIPE
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ValidationError || err instanceof DomainError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  }
});
