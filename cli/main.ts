/**
 * `switchback` command line: validate and plan a config, simulate outages on the embedded world.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Argument, Command, CommanderError } from 'commander';
import { DEFAULT_CHAOS_OUT, runChaosCommand, type ChaosCommandOptions } from './chaos';
import { isLiveDrillReport, renderDrillReportHtml } from './drill-report-html';
import { EXIT, type CliIo } from './io';
import { startLocalTable } from './local-table';
import { runPlan } from './plan';
import { CONTROL_ACTIONS } from '../shared/app/control';
import { OPERATOR_FUNCTIONS, parsePayload, runRemote, type RemoteOptions } from './remote';
import { runSimulate } from './simulate';
import { runValidate } from './validate';

const DEFAULT_CONFIG = 'switchback.yml';

/** The package's own version, for `switchback --version` (package.json sits at the repo root). */
const { version: VERSION } = require('../package.json') as { version: string };

export const DRILL_MODES = ['dry-run', 'live', 'report'] as const;
export const PLAN_KINDS = ['failover', 'failback'] as const;

function configFile(option: string | undefined): string {
  if (option) return option;
  if (!existsSync(DEFAULT_CONFIG) && existsSync('switchback.example.yml')) return 'switchback.example.yml';
  return DEFAULT_CONFIG;
}

interface StageOptions {
  config?: string;
  stage: string;
  region?: string;
}

function withStage(command: Command): Command {
  return command
    .option('-c, --config <file>', `config file: gives the control region (default ${DEFAULT_CONFIG})`)
    .option('--stage <stage>', 'deployed stage', 'dev')
    .option('--region <region>', 'region of the functions (default: controlRegion)');
}

export async function main(argv: string[], io: CliIo, remote: Pick<RemoteOptions, 'awsOptions' | 'now'> = {}): Promise<number> {
  const remoteOptions = (options: StageOptions & { json?: boolean }): RemoteOptions => ({
    json: options.json,
    config: configFile(options.config),
    stage: options.stage,
    region: options.region,
    ...remote,
  });
  let exitCode: number = EXIT.ok;
  const program = new Command('switchback')
    .description('Serverless failover controller for services on AWS')
    .version(VERSION, '-V, --version', 'print the switchback version')
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
    .addArgument(new Argument('[kind]', 'failover or failback').choices(PLAN_KINDS).default('failover'))
    .action((kind: string, options: { service: string; config?: string }) => {
      exitCode = runPlan(configFile(options.config), options.service, kind, io);
    });

  program
    .command('simulate')
    .description('run a scenario on the embedded world (no AWS account) and print the timeline')
    .option('-c, --config <file>', "config file (overrides the scenario's config)")
    .option('--scenario <file>', 'scenario file (default: the built-in demo)')
    .option('--json', 'print one JSON object (timeline and summary) instead of the human timeline')
    .option('--html <file>', 'also write the run as one self-contained HTML page (a lane per service)')
    .option('--check', 'also check the chaos invariants (exit 1 on a violation)')
    .action(async (options: { config?: string; scenario?: string; json?: boolean; html?: string; check?: boolean }) => {
      exitCode = await runSimulate(options, io);
    });

  program
    .command('chaos')
    .description('random fault schedules on the embedded world, checked against the invariants; failures shrunk to scenario files')
    .option('--runs <n>', 'how many schedules (default 100)', (value) => Number(value))
    .option('--seed <n>', 'seed of the batch (default 1): the same seed gives the same schedules and summaries', (value) => Number(value))
    .option('--from <n>', 'start at run n of the batch (default 0): `--from 146 --runs 1` runs run 146 alone', (value) => Number(value))
    .option('-c, --config <file>', 'draw schedules over this config (default: the built-in configs)')
    .option('--json', 'print one JSON report instead of a line per run')
    .option('--out <dir>', `where shrunk failing scenarios are written (default ${DEFAULT_CHAOS_OUT})`)
    .option('--no-shrink', 'report violations without shrinking them')
    .action(async (options: ChaosCommandOptions) => {
      exitCode = await runChaosCommand(options, io);
    });

  program
    .command('demo')
    .description('the built-in outage: primary down, failover, recovery, hold-down, failback')
    .option('--json', 'print one JSON object instead of the human timeline')
    .option('--html <file>', 'also write the run as one self-contained HTML page')
    .action(async (options: { json?: boolean; html?: string }) => {
      exitCode = await runSimulate({ json: options.json, html: options.html }, io);
    });

  program
    .command('local-table')
    .description('run an embedded DynamoDB on 127.0.0.1 with the stage table, for sls invoke local (Ctrl-C stops it)')
    .option('--port <port>', 'loopback port', (value) => Number(value), 8000)
    .option('--stage <stage>', 'stage whose table to create (switchback-<stage>)', 'dev')
    .action(async (options: { port: number; stage: string }) => {
      const dynamo = await startLocalTable({ port: options.port, table: `switchback-${options.stage}` }, io);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      await dynamo.close();
    });

  withStage(program.command('status').description('deployed stage: state, probes per location, active run, last runs'))
    .option('-s, --service <name>', 'one service (default: all)')
    .option('--json', "print the status function's answer as JSON (for machines)")
    .action(async (options: StageOptions & { service?: string; json?: boolean }) => {
      exitCode = await runRemote('status', options.service ? { service: options.service } : {}, remoteOptions(options), io);
    });

  withStage(program.command('control').description('deployed stage: freeze | unfreeze | failover | failback | approve | abort'))
    .addArgument(new Argument('<action>', 'what to do').choices(CONTROL_ACTIONS))
    .requiredOption('-s, --service <name>', 'service name')
    .option('--by <name>', 'who is asking (shown in SMS and status)', process.env.USER)
    .action(async (action: string, options: StageOptions & { service: string; by?: string }) => {
      exitCode = await runRemote(
        'control',
        { action, service: options.service, ...(options.by ? { by: options.by } : {}) },
        remoteOptions(options),
        io,
      );
    });

  withStage(program.command('drill').description('deployed stage: dry-run checks, a live drill, or the last live drill report'))
    .addArgument(new Argument('<mode>', 'dry-run checks, a live drill, or the last live drill report').choices(DRILL_MODES))
    .requiredOption('-s, --service <name>', 'service name ("*" for every service, dry-run only)')
    .option('--hold <seconds>', 'live: seconds to hold on the secondary before failing back', (value) => Number(value))
    .option('--html <file>', 'report: also draw the drill as one self-contained HTML page')
    .action(async (mode: string, options: StageOptions & { service: string; hold?: number; html?: string }) => {
      if (options.html !== undefined && mode !== 'report') {
        io.stderr.write('drill: --html draws a live drill report: use it with `drill report`\n');
        exitCode = EXIT.invalid;
        return;
      }
      const payload = { service: options.service, mode, ...(options.hold !== undefined ? { holdSeconds: options.hold } : {}) };
      const html = options.html;
      const onAnswer = html
        ? (answer: unknown) => {
            if (!isLiveDrillReport(answer)) return;
            writeFileSync(html, renderDrillReportHtml(answer));
            io.stderr.write(`drill picture written to ${html}\n`);
          }
        : undefined;
      exitCode = await runRemote('drill', payload, { ...remoteOptions(options), onAnswer }, io);
    });

  withStage(program.command('invoke').description('deployed stage: invoke any switchback function with a JSON payload'))
    .addArgument(new Argument('<function>', 'the function to invoke').choices(OPERATOR_FUNCTIONS))
    .option('-d, --data <json>', 'the payload')
    .action(async (fn: string, options: StageOptions & { data?: string }) => {
      const parsed = parsePayload(options.data, io);
      exitCode = 'exit' in parsed ? parsed.exit : await runRemote(fn, parsed.payload, remoteOptions(options), io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    throw error;
  }
  return exitCode;
}
