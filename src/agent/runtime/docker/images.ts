// Image pull policies on Docker. No registry is reachable on this project's machines: images come
// from `minik8s images bootstrap` (or `docker load`), so `Always` falls back to a local copy when the
// pull fails, instead of failing pods that would run fine. A pull failure without a local copy is
// ErrImagePull with the engine's reason.

import type Dockerode from 'dockerode';
import { RuntimeError, type PullPolicy } from '../runtime.js';
import { engineMessage, isUnreachable, statusCode, toRuntimeError } from './errors.js';

/** Reads an engine progress stream (newline-delimited JSON) to its end; rejects on an `error` line. */
export function drainProgress(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    let failure: string | undefined;
    const scan = (line: string): void => {
      if (!line.trim()) return;
      try {
        const msg = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
        const text = msg.errorDetail?.message ?? msg.error;
        if (typeof text === 'string') failure ??= text;
      } catch {
        // not a progress line; ignore
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(scan);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      scan(rest);
      if (failure !== undefined) reject(new Error(failure));
      else resolve();
    });
  });
}

/** The local image's ID, or undefined when the engine does not have it. */
export async function localImageId(docker: Dockerode, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw toRuntimeError(e, `inspect image "${image}"`, { otherwise: 'Unavailable' });
  }
}

async function pull(docker: Dockerode, image: string, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await drainProgress(await docker.pull(image, { abortSignal: signal }));
  } catch (e) {
    if (signal.aborted) throw new RuntimeError('ErrImagePull', `Failed to pull image "${image}": no answer within ${timeoutMs / 1000} s`);
    if (isUnreachable(e)) throw toRuntimeError(e, `pull image "${image}"`, { otherwise: 'Unavailable' });
    throw new RuntimeError('ErrImagePull', `Failed to pull image "${image}": ${engineMessage(e)}`);
  }
}

export async function ensureImage(docker: Dockerode, image: string, policy: PullPolicy, pullTimeoutMs: number): Promise<{ pulled: boolean; imageId: string }> {
  const local = await localImageId(docker, image);
  if (policy === 'Never') {
    if (local === undefined) throw new RuntimeError('ImageNotFound', `Container image "${image}" is not present with pull policy of Never`);
    return { pulled: false, imageId: local };
  }
  if (policy === 'IfNotPresent' && local !== undefined) return { pulled: false, imageId: local };
  try {
    await pull(docker, image, pullTimeoutMs);
  } catch (e) {
    // Always, registry unreachable, image already here: run what we have (see the file comment).
    if (local !== undefined && e instanceof RuntimeError && e.reason === 'ErrImagePull') return { pulled: false, imageId: local };
    throw e;
  }
  const id = await localImageId(docker, image);
  if (id === undefined) throw new RuntimeError('ErrImagePull', `Failed to pull image "${image}": the engine reported success but has no such image`);
  return { pulled: true, imageId: id };
}
