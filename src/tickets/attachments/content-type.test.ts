import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cleanFilename, contentDisposition, decideContentType, TextSniffer } from './content-type.ts';

describe('attachment content types', () => {
  it('decides from the bytes; the claim only labels text', () => {
    const cases: [string | undefined, boolean, string, string, string | null][] = [
      ['image/png', false, 'x.exe', 'application/x-msdownload', 'image/png'],
      ['application/x-elf', false, 'cat.png', 'image/png', null],
      ['application/x-msdownload', false, 'setup.pdf', 'application/pdf', null],
      ['image/svg+xml', true, 'logo.svg', 'image/svg+xml', null],
      ['application/x-cfb', false, 'old.doc', 'application/msword', null],
      [undefined, false, 'blob.txt', 'text/plain', null],
      [undefined, true, 'notes', 'application/octet-stream', 'text/plain; charset=utf-8'],
      [undefined, true, 'DATA.CSV', 'text/plain', 'text/csv; charset=utf-8'],
      [undefined, true, 'trace', 'application/json', 'application/json'],
    ];
    for (const [detected, isText, filename, mimetype, expected] of cases) {
      const decision = decideContentType({ detected, isText }, { filename, mimetype });
      assert.equal(decision.accepted ? decision.contentType : null, expected, `${detected} ${filename}`);
    }
  });

  it('recognises UTF-8 text across chunk boundaries and refuses control characters', () => {
    const text = Buffer.from('héllo wörld ✓\r\n\tnext line\f');
    for (let cut = 0; cut <= text.length; cut += 1) {
      const sniffer = new TextSniffer();
      sniffer.push(text.subarray(0, cut));
      sniffer.push(text.subarray(cut));
      assert.equal(sniffer.finish(), true, `cut at ${cut}`);
    }
    for (const bad of [
      Buffer.from([0x61, 0x00]),
      Buffer.from([0xc3]),
      Buffer.from([0x1b, 0x5b]),
      Buffer.from([0xff]),
    ]) {
      const sniffer = new TextSniffer();
      sniffer.push(bad);
      assert.equal(sniffer.finish(), false, bad.toString('hex'));
    }
  });

  it('cleans any file name into a safe, header-ready one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const name = cleanFilename(raw);
        assert.ok(name.length > 0 && [...name].length <= 200);
        // eslint-disable-next-line no-control-regex -- control characters are what must be gone
        assert.ok(!/[/\\\u0000-\u001f\u007f]/.test(name));
        assert.ok(name !== '.' && name !== '..');
        const header = contentDisposition(name);
        assert.match(header, /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
        assert.ok(!header.slice(0, header.indexOf('; filename*')).slice(22, -1).includes('"'));
      }),
    );
  });
});
