/**
 * The schema library for everything Lambda validates (handler events, operator input, the drill's
 * input, step params in shared/actions): zod's mini build, whose functional checks
 * (`z.optional(z.string().check(z.minLength(1)))`) tree-shake to what a handler uses (~15 KB against
 * ~90 KB for the classic API), with zod's English messages (mini loads no locale by itself, and the
 * answers and logs quote them). Use it as `import * as z from './event-schema'`; only the config
 * schema (packaging and CLI) stays on classic zod, and no function bundle holds it.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
