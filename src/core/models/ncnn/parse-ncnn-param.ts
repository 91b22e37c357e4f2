import { HeirloomError } from '../../../shared/errors.js';
import type { NcnnGraph, NcnnLayer, NcnnParamValue } from './ncnn-graph.js';

const NCNN_MAGIC = '7767517';
/** ncnn keeps params in a fixed table of this size; larger ids are a corrupt file. */
const MAX_PARAM_ID = 31;
/** Keys at or below this are arrays: id = -key - 23300. */
const ARRAY_KEY_BASE = -23300;

/**
 * Parses NCNN's text .param format: magic line, `layer_count blob_count`, then one line per
 * layer: `type name bottom_count top_count bottoms... tops... key=value...`.
 * Structural problems (bad magic, counts that do not add up, a blob used before it exists)
 * are MODEL_INVALID with the line number, so a user can find the broken line.
 */
export function parseNcnnParam(text: string, paramFile: string): NcnnGraph {
  if (text.length > 0 && text.charCodeAt(0) < 9) {
    throw invalid(paramFile, 'it looks like a binary .param.bin; Heirloom reads the text .param that ncnn tools also write (ncnnoptimize can produce one)');
  }
  const lines = text.split(/\r?\n/);
  const meaningful = lines
    .map((content, index) => ({ content: content.trim(), line: index + 1 }))
    .filter((l) => l.content.length > 0);

  const magic = meaningful[0];
  if (magic?.content !== NCNN_MAGIC) {
    throw invalid(paramFile, `the first line should be the ncnn magic number ${NCNN_MAGIC}; this is not an ncnn .param file`);
  }
  const counts = meaningful[1]?.content.split(/\s+/).map(Number) ?? [];
  const [layerCount, blobCount] = counts;
  if (counts.length !== 2 || !isCount(layerCount) || !isCount(blobCount)) {
    throw invalid(paramFile, 'line 2 should hold "layer_count blob_count"');
  }

  const layerLines = meaningful.slice(2);
  if (layerLines.length !== layerCount) {
    throw invalid(paramFile, `the header announces ${layerCount} layers but the file has ${layerLines.length}; the file is truncated or was edited by hand`);
  }

  const layers = layerLines.map(({ content, line }) => parseLayerLine(content, line, paramFile));
  checkBlobFlow(layers, blobCount, paramFile);
  return { layers, blobCount };
}

function parseLayerLine(content: string, line: number, paramFile: string): NcnnLayer {
  const tokens = content.split(/\s+/);
  const [type, name, bottomText, topText] = tokens;
  const bottomCount = Number(bottomText);
  const topCount = Number(topText);
  if (type === undefined || name === undefined || !isCount(bottomCount) || !isCount(topCount)) {
    throw invalid(paramFile, `line ${line} should start with "type name bottom_count top_count"`);
  }
  const blobEnd = 4 + bottomCount + topCount;
  if (tokens.length < blobEnd) {
    throw invalid(paramFile, `line ${line} (${type} "${name}") announces ${bottomCount} inputs and ${topCount} outputs but names fewer blobs`);
  }
  const bottoms = tokens.slice(4, 4 + bottomCount);
  const tops = tokens.slice(4 + bottomCount, blobEnd);
  const params = new Map<number, NcnnParamValue>();
  for (const token of tokens.slice(blobEnd)) {
    const [id, value] = parseParam(token, () => `line ${line} (${type} "${name}"): cannot read the param "${token}"`, paramFile);
    params.set(id, value);
  }
  return { type, name, bottoms, tops, params, line };
}

function parseParam(token: string, where: () => string, paramFile: string): [number, NcnnParamValue] {
  const eq = token.indexOf('=');
  const key = Number(token.slice(0, eq));
  const raw = token.slice(eq + 1);
  if (eq <= 0 || !Number.isInteger(key) || raw.length === 0) throw invalid(paramFile, where());

  if (key <= ARRAY_KEY_BASE) {
    const id = -key + ARRAY_KEY_BASE;
    const [countText, ...items] = raw.split(',');
    const count = Number(countText);
    if (id > MAX_PARAM_ID || !isCount(count) || items.length !== count) {
      throw invalid(paramFile, `${where()}: an array param is written "-233xx=count,v1,v2,..." with exactly count values`);
    }
    const float = items.some(looksFloat);
    const values = items.map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw invalid(paramFile, where());
    return [id, { kind: 'array', values, float }];
  }
  if (key < 0 || key > MAX_PARAM_ID) throw invalid(paramFile, `${where()}: param ids run from 0 to ${MAX_PARAM_ID}`);
  if (raw.startsWith('"') || /^[a-z_]/i.test(raw)) {
    return [key, { kind: 'string', value: raw.replace(/^"|"$/g, '') }];
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw invalid(paramFile, where());
  return [key, looksFloat(raw) ? { kind: 'float', value } : { kind: 'int', value }];
}

/** ncnn's own rule (vstr_is_float): a value is float when it contains '.', 'e' or 'E'. */
function looksFloat(text: string): boolean {
  return /[.eE]/.test(text);
}

/** Every input must exist before it is used and every blob is produced once, as ncnn requires. */
function checkBlobFlow(layers: NcnnLayer[], blobCount: number, paramFile: string): void {
  const produced = new Set<string>();
  const layerNames = new Set<string>();
  for (const layer of layers) {
    if (layerNames.has(layer.name)) {
      throw invalid(paramFile, `line ${layer.line}: two layers are named "${layer.name}"; layer names must be unique`);
    }
    layerNames.add(layer.name);
    for (const bottom of layer.bottoms) {
      if (!produced.has(bottom)) {
        throw invalid(paramFile, `line ${layer.line} (${layer.type} "${layer.name}") reads blob "${bottom}" before any layer produces it`);
      }
    }
    for (const top of layer.tops) {
      if (produced.has(top)) {
        throw invalid(paramFile, `line ${layer.line} (${layer.type} "${layer.name}") produces blob "${top}" a second time`);
      }
      produced.add(top);
    }
  }
  if (produced.size !== blobCount) {
    throw invalid(paramFile, `the header announces ${blobCount} blobs but the layers produce ${produced.size}`);
  }
}

function isCount(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 0;
}

function invalid(paramFile: string, problem: string): HeirloomError {
  return new HeirloomError('MODEL_INVALID', `Cannot read the ncnn model ${paramFile}: ${problem}.`, { file: paramFile });
}
