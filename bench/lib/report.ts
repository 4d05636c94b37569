/**
 * Output of the benchmarks: one JSON line per figure on stdout (the only thing `npm run bench`
 * prints there), progress on stderr.
 */
import os from 'node:os';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal as a sentence, e.g. "p99 < 50 ms". */
  goal?: string;
  /** Whether `value` meets `goal` (absent when there is no goal). */
  met?: boolean;
  comparison?: { name: string; value: number };
  /** How the number was obtained, in one or two sentences. */
  note?: string;
}

export function emitFigure(figure: Figure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface MachineDescription {
  os: string;
  cpus: { model: string; count: number };
  node: string;
  memoryGiB: number;
}

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length },
    node: process.version,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  };
}

/** Rounds to `digits` decimals (figures are read by people). */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
