/**
 * What to do about an error, by code, shown under core's own message (which already names
 * the file). Core says what went wrong; this says where in the studio to fix it.
 */
const HINTS: Record<string, string> = {
  NOT_FOUND: 'Check that the file was not moved, renamed or on a drive that is no longer connected, then add it again.',
  PERMISSION_DENIED: 'Give your user read access to the file (or write access to the output folder), then retry.',
  EMPTY_FILE: 'The file holds no data. Copy it again from the camera, scanner or backup.',
  UNSUPPORTED_FORMAT: 'Convert it to JPEG, PNG, TIFF or WebP in another program, then add it again.',
  DECODE_FAILED: 'Open and re-save the file in another program, then add it again.',
  TRUNCATED: 'The file is incomplete. Copy it again from the original source.',
  TOO_MANY_PIXELS: 'Raise the pixel limit in Settings → App if you trust this file.',
  TOO_SMALL: 'The photo is too small for this model; try another model.',
  OUTPUT_NOT_WRITABLE: 'Choose another output folder on the Restore page or in Settings → App.',
  OUTPUT_EXISTS: 'Choose another output folder, or remove the existing file.',
  ENCODE_FAILED: 'Check free disk space in the output folder, or pick another output format.',
  MODEL_NOT_FOUND: 'Pick an installed model on the Restore page.',
  MODEL_INVALID: 'Reinstall the model (heirloom models import).',
  OUT_OF_MEMORY: 'Lower the tile size or the maximum batch for this device in Settings → Devices, then re-run.',
  PROVIDER_UNAVAILABLE: 'Choose another provider for this device in Settings → Devices, or update the GPU driver.',
  INFERENCE_FAILED: 'Try another device or provider in Settings → Devices; report it if it keeps failing.',
  STAGE_FAILED: 'Restore the photo again without that repair step; report the photo if it keeps failing.',
  DEVICE_NOT_FOUND: 'Choose a device that is present, or "Automatic".',
  INVALID_SETTING: 'Correct the highlighted setting and save again.',
  CANCELLED: 'Start the job again when you are ready.',
  SYMLINK_LOOP: 'Remove or fix the symbolic link in the folder.',
  NOT_A_FILE: 'Pick the photo files inside the folder, or add the folder itself.',
  TIMED_OUT: 'Check that the drive or network share is connected and answering, then add the photos again.',
  DISK_FULL: 'Free some space on that disk, then retry.',
  STORE_LOCKED: 'Close other programs that have the history open (another Heirloom, a database browser), then retry.',
  STORE_READ_ONLY: 'Make the data folder writable for your user, or start Heirloom with another data folder.',
  STORE_TOO_NEW: 'Update Heirloom to the version named above; the history was left untouched.',
};

export function errorHint(code: string): string | undefined {
  return HINTS[code];
}

/**
 * An error in plain words: the message without the technical cause core put in brackets
 * (that goes to the detail line, with the code), and the advice only when the message does
 * not already give it.
 */
export function plainError(error: { code: string; message: string; cause?: string }): { message: string; advice?: string; detail: string } {
  const technical: string[] = [];
  const message = error.message.replace(/\s*\(([^()]*:[^()]*)\)/g, (_, inner: string) => {
    technical.push(inner);
    return '';
  });
  const hint = HINTS[error.code];
  const said = (sentence: string) => {
    const words = sentence.toLowerCase().replace(/[^a-z0-9 ]/g, '').split(/\s+/).filter(Boolean).slice(0, 4).join(' ');
    return words.length > 0 && message.toLowerCase().replace(/[^a-z0-9 ]/g, '').includes(words);
  };
  const repeated = hint?.split(/(?<=\.)\s+/).some(said) ?? false;
  const detail = [error.code, ...technical, ...(error.cause && !technical.includes(error.cause) ? [error.cause] : [])].join(' · ');
  return { message, ...(hint && !repeated ? { advice: hint } : {}), detail };
}
