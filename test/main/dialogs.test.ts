import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { electronDialogs } from '../../src/main/dialogs.js';
import { electronShell } from '../../src/main/shell-port.js';

describe('dialogs and shell adapters', () => {
  it('open modal dialogs for photos or folders and return nothing when cancelled', async () => {
    const asked: Array<{ properties?: string[]; filters?: Array<{ extensions: string[] }> }> = [];
    const window = {} as NonNullable<ReturnType<Parameters<typeof electronDialogs>[1]>>; // never touched by the fake
    let cancel = false;
    const dialogs = electronDialogs({ showOpenDialog: async (_w, options) => (asked.push(options), { canceled: cancel, filePaths: ['/photos/a.jpg'] }) }, () => window);
    assert.deepEqual(await dialogs.openPhotos('files'), ['/photos/a.jpg']);
    assert.ok(asked[0]!.properties!.includes('openFile'));
    assert.ok(asked[0]!.filters![0]!.extensions.includes('jpg'));
    await dialogs.openPhotos('folder');
    assert.ok(asked[1]!.properties!.includes('openDirectory'));
    await dialogs.openModelFiles();
    assert.ok(asked[2]!.properties!.includes('multiSelections'), 'an NCNN pair is two files');
    assert.deepEqual(asked[2]!.filters![0]!.extensions, ['onnx', 'param', 'bin']);
    cancel = true;
    assert.equal(await dialogs.chooseFolder({ title: 'Out' }), null);
    assert.deepEqual(await dialogs.openModelFiles(), []);
    assert.deepEqual(await electronDialogs({ showOpenDialog: async () => assert.fail('no window, no dialog') }, () => undefined).openPhotos('files'), []);
  });

  it('report a path the desktop cannot open as an error with the reason', async () => {
    const shown: string[] = [];
    const shell = electronShell({ openPath: async (p) => (p === '/ok.png' ? '' : 'No application is associated'), showItemInFolder: (p) => void shown.push(p) });
    await shell.openPath('/ok.png');
    await assert.rejects(shell.openPath('/x.tif'), (error: Error & { code?: string }) => error.code === 'NOT_FOUND' && /No application/.test(error.message));
    shell.showInFolder('/ok.png');
    assert.deepEqual(shown, ['/ok.png']);
  });
});
