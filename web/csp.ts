/**
 * Imported first by main.ts, before any module that builds a zod schema: zod 4 compiles object parsers with
 * `new Function` unless `jitless` is set, and even its probe for that is reported as a violation by a
 * Content-Security-Policy without 'unsafe-eval' (web/index.html). Parsing is the same, only not compiled.
 */
import { z } from 'zod';

z.config({ jitless: true });
