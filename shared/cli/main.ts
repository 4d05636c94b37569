/**
 * `switchback` command line: validate and plan a config, simulate outages on the embedded world.
 */
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, type CliIo } from './io';
import { runPlan } from './plan';
import { runSimulate } from './simulate';
import { runValidate } from './validate';

const DEFAULT_CONFIG = 'switchback.yml';

function configFile(option: string | undefined): string {
  if (option) return option;
  if (!existsSync(DEFAULT_CONFIG) && existsSync('switchback.example.yml')) return 'switchback.example.yml';
  return DEFAULT_CONFIG;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('switchback')
    .description('Serverless failover controller for services on AWS')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  program
    .command('validate')
    .description('check a config file; prints OK and one line per service, or every problem as path: message (exit 2)')
    .option('-c, --config <file>', `config file (default ${DEFAULT_CONFIG})`)
    .action((options: { config?: string }) => {
      exitCode = runValidate(configFile(options.config), io);
    });

  program
    .command('plan')
    .description('print the ordered runbook steps for a service')
    .requiredOption('-s, --service <name>', 'service name')
    .option('-c, --config <file>', `config file (default ${DEFAULT_CONFIG})`)
    .argument('[kind]', 'failover or failback', 'failover')
    .action((kind: string, options: { service: string; config?: string }) => {
      exitCode = runPlan(configFile(options.config), options.service, kind, io);
    });

  program
    .command('simulate')
    .description('run a scenario on the embedded world (no AWS account) and print the timeline')
    .option('-c, --config <file>', 'config file (overrides the scenario\'s config)')
    .option('--scenario <file>', 'scenario file (default: the built-in demo)')
    .option('--json', 'print one JSON object (timeline and summary) instead of the human timeline')
    .action(async (options: { config?: string; scenario?: string; json?: boolean }) => {
      exitCode = await runSimulate(options, io);
    });

  program
    .command('demo')
    .description('the built-in outage: primary down, failover, recovery, hold-down, failback')
    .option('--json', 'print one JSON object instead of the human timeline')
    .action(async (options: { json?: boolean }) => {
      exitCode = await runSimulate({ json: options.json }, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    throw error;
  }
  return exitCode;
}
