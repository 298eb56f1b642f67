import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { describeOptions } from '../../baselines/method-options.js';
import type { MethodAdapter } from '../../baselines/adapter.js';
import { listMethods } from '../../baselines/registry.js';
import { benchmarkNeed } from '../predict/requirements.js';

export interface MethodsCommandOptions {
  json?: boolean;
  quiet?: boolean;
}

/** Why a method with its default options needs a built benchmark (undefined: it runs on SVFR images too). */
function defaultOptionsNeed(adapter: MethodAdapter<any>): string | undefined {
  const defaults = adapter.options.safeParse({});
  return benchmarkNeed(adapter, defaults.success ? defaults.data : {});
}

/** The registered methods with their options, as text lines (or one JSON document). */
export function methodsListing(options: MethodsCommandOptions = {}): string {
  registerBuiltinMethods();
  const methods = listMethods().map((m) => ({
    name: m.name,
    version: m.version,
    description: m.description,
    // `benchmark` as the reason under the default options (a function is not JSON).
    requires: { ...m.requires, benchmark: defaultOptionsNeed(m) },
    tasks: m.tasks ?? ['posed', 'neutral'],
    options: describeOptions(m),
  }));
  if (options.json) return `${JSON.stringify(methods, null, 1)}\n`;
  const lines: string[] = [];
  for (const m of methods) {
    lines.push(`${m.name} ${m.version}${m.requires.demoTruth ? ' (demo benchmarks only)' : ''}`);
    lines.push(`  ${m.description}`);
    if (m.tasks.length === 0) lines.push('  predicts normal maps only (no meshes): score them with facebench eval-normals');
    else if (m.tasks.length < 2) lines.push(`  predicts the ${m.tasks.join(' and ')} task only`);
    if (m.requires.benchmark && !m.requires.demoTruth) lines.push(`  not on SVFR images (--images) with the default options: ${m.requires.benchmark}`);
    if (m.options.length === 0) lines.push('  options: none');
    for (const o of m.options) {
      const dflt = o.default !== undefined ? ` = ${JSON.stringify(o.default)}` : o.required ? ' (required)' : ' (optional)';
      lines.push(`  --opts ${o.name}: ${o.type}${dflt}${o.description ? `  ${o.description}` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `facebench methods`: list name, version, description and options of every registered method. */
export function methodsCommand(options: MethodsCommandOptions = {}): void {
  if (!options.quiet) process.stdout.write(methodsListing(options));
}
