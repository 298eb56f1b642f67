/**
 * Opening a user's ONNX file for every method and the builder's face parser: read the bytes,
 * create a CPU session, and turn each failure into one line naming the file.
 */
import { readFileSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { InputError } from '../evaluators/errors.js';

let runtime: Promise<typeof ort> | undefined;

/**
 * onnxruntime-node, loaded on first use rather than with the modules that use it: a worker
 * thread ended while the native library loads takes the whole process down (an uncaught C++
 * exception), and most threads (the builder's without a face parser, every method without an
 * ONNX model) never need it.
 */
export function onnxRuntime(): Promise<typeof ort> {
  return (runtime ??= import('onnxruntime-node'));
}

/** The first line of an onnxruntime error, without C++ source locations and function signatures. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]
    .replace(/\S*\.(?:cc|cpp|h):\d+\s*/g, '')
    .replace(/onnxruntime::[\w:]+\([^)]*\)\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface OpenOnnxOptions {
  /** What the file is for, named when it is missing ("option model", "the UV network"). */
  role?: string;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** A CPU session of an ONNX file; a missing, unreadable or unloadable file is an InputError naming it. */
export async function openOnnxSession(file: string, options: OpenOnnxOptions = {}): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = `ONNX model file not found${options.role ? ` (${options.role})` : ''}`;
    throw new InputError(file, code === 'ENOENT' ? missing : `cannot read the ONNX model (${code ?? firstLine(error)})`);
  }
  try {
    const { InferenceSession } = await onnxRuntime();
    return await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      logSeverityLevel: 4,
      ...(options.graphOptimizationLevel ? { graphOptimizationLevel: options.graphOptimizationLevel } : {}),
    });
  } catch (error) {
    throw new InputError(file, `not a loadable ONNX model: ${firstLine(error)}`);
  }
}

/** A function that releases the session, then throws an InputError naming `file` (a model that does not fit its contract). */
export function releasingFail(session: ort.InferenceSession, file: string): (detail: string) => Promise<never> {
  return async (detail) => {
    await session.release();
    throw new InputError(file, detail);
  };
}

/**
 * `open` memoised by `key`, once per process and worker thread: every caller of a key shares
 * one opening; a failed opening is forgotten, so the next call tries again.
 */
export function onceByKey<T>(): (key: string, open: () => Promise<T>) => Promise<T> {
  const opened = new Map<string, Promise<T>>();
  return (key, open) => {
    let entry = opened.get(key);
    if (!entry) {
      entry = open();
      entry.catch(() => opened.delete(key));
      opened.set(key, entry);
    }
    return entry;
  };
}
