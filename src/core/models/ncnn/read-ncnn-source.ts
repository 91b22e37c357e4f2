import { readFile, stat } from 'node:fs/promises';
import type { ErrorCode } from '../../../shared/errors.js';
import { HeirloomError } from '../../../shared/errors.js';
import type { NcnnSource } from './convert-ncnn-to-onnx.js';

/** Reads an ncnn .param / .bin pair from disk, turning file-system failures into HeirloomErrors. */
export async function readNcnnSource(paramPath: string, binPath: string): Promise<NcnnSource> {
  const [paramBytes, bin] = await Promise.all([readModelFile(paramPath, '.param'), readModelFile(binPath, '.bin')]);
  return { paramText: new TextDecoder().decode(paramBytes), bin, paramFile: paramPath, binFile: binPath };
}

async function readModelFile(path: string, role: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new HeirloomError('NOT_A_FILE', `The ncnn ${role} path ${path} is not a file.`, { file: path });
    if (info.size === 0) throw new HeirloomError('EMPTY_FILE', `The ncnn ${role} file ${path} is empty; copy it again.`, { file: path });
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const [errorCode, problem]: [ErrorCode, string] =
      code === 'ENOENT'
        ? ['NOT_FOUND', 'does not exist; check the path']
        : code === 'EACCES' || code === 'EPERM'
          ? ['PERMISSION_DENIED', 'cannot be read (permission denied)']
          : ['MODEL_INVALID', 'cannot be read'];
    throw new HeirloomError(errorCode, `The ncnn ${role} file ${path} ${problem}.`, { file: path, cause: error });
  }
}
