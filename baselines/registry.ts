/**
 * The method registry: adapters by name. Built-in methods are registered by
 * `registerBuiltinMethods()` (baselines/builtin.ts); other code may register its own.
 */
import { InputError } from '../evaluators/errors.js';
import type { MethodAdapter } from './adapter.js';

const methods = new Map<string, MethodAdapter<any>>();

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Add an adapter; a second adapter under the same name replaces the first only with `replace`. */
export function registerMethod(adapter: MethodAdapter<any>, options: { replace?: boolean } = {}): void {
  if (!NAME.test(adapter.name)) throw new Error(`method name "${adapter.name}" must be lower-case letters, digits and dashes`);
  if (methods.has(adapter.name) && methods.get(adapter.name) !== adapter && !options.replace) {
    throw new Error(`a method named "${adapter.name}" is already registered`);
  }
  methods.set(adapter.name, adapter);
}

/** The adapter registered under `name`; an InputError listing the known names otherwise. */
export function getMethod(name: string): MethodAdapter<any> {
  const adapter = methods.get(name);
  if (!adapter) throw new InputError('--method', `unknown method "${name}"; known methods: ${listMethods().map((m) => m.name).join(', ') || '(none registered)'}`);
  return adapter;
}

/** True when a method of that name is registered. */
export function hasMethod(name: string): boolean {
  return methods.has(name);
}

/** Every registered adapter, sorted by name. */
export function listMethods(): MethodAdapter<any>[] {
  return [...methods.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Remove an adapter (tests). */
export function unregisterMethod(name: string): boolean {
  return methods.delete(name);
}
