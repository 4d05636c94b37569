/** Where a CLI command writes; injected so tests can capture output. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
