/** For tests: zip bombs, workbooks that unpack to far more than they weigh. */
import { createDeflateRaw, crc32 } from 'node:zlib';
import { zipOfPacked } from './xlsx-writer.test-support.js';

/** A zip of one deflated part made of `chunk` written `times` times: inflates to chunk.length × times bytes from very few. */
async function deflated(chunk: string, times: number): Promise<{ data: Buffer; size: number; crc: number }> {
  const deflater = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflater.on('data', (piece: Buffer) => out.push(piece));
  const bytes = Buffer.from(chunk);
  let crc = 0;
  for (let i = 0; i < times; i++) {
    crc = crc32(bytes, crc);
    if (!deflater.write(bytes)) await new Promise((resolve) => deflater.once('drain', resolve));
  }
  // 'end' (everything read out), not end()'s callback ('finish'), which can come before the last data.
  const ended = new Promise((resolve) => deflater.once('end', resolve));
  deflater.end();
  await ended;
  return { data: Buffer.concat(out), size: bytes.length * times, crc };
}

/** An .xlsx whose part `bombed` inflates to `chunk` × `times`; the other parts those of a one-sheet workbook. */
export async function zipBomb(bombed: 'xl/sharedStrings.xml' | 'xl/worksheets/sheet1.xml', chunk: string, times: number): Promise<Buffer> {
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const small: [string, string][] = [
    ['_rels/.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    ['xl/workbook.xml', `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${ns}"><sheets><sheet name="R" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    [
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'],
  ];
  const parts = await Promise.all(
    small.filter(([name]) => name !== bombed).map(async ([name, text]) => ({ name, ...(await deflated(text, 1)) })),
  );
  parts.push({ name: bombed, ...(await deflated(chunk, times)) });
  return Buffer.from(zipOfPacked(parts.map(({ name, data, size, crc }) => ({ name, packed: data, size, crc }))));
}
