/** What the officer can always do: Excel saves both formats Beacon reads. */
export const SAVE_AS_ADVICE =
  'In Excel choose File > Save As and pick "CSV UTF-8 (Comma delimited) (*.csv)" or "Excel Workbook (*.xlsx)", then upload that file.';

/** What a file that is not a return turned out to be, for logs and for the message. */
export type UnsupportedKind = 'xls-or-encrypted' | 'zip' | 'ods' | 'pdf' | 'image' | 'utf16-text' | 'tab-separated' | 'markup' | 'binary';

/**
 * The file is neither CSV text nor an .xlsx workbook (an .xls, a PDF, a picture, ...).
 * An HTTP endpoint answers 415 Unsupported Media Type.
 */
export class UnsupportedReturnFormat extends Error {
  override readonly name = 'UnsupportedReturnFormat';

  constructor(
    readonly fileName: string,
    readonly kind: UnsupportedKind,
    looksLike: string,
  ) {
    super(`"${fileName}" looks like ${looksLike}, which Beacon cannot read as a return. ${SAVE_AS_ADVICE}`);
  }
}

/**
 * The file is an .xlsx workbook but cannot be read as one: cut short while uploading, damaged,
 * or it has no sheet of the name asked for. An HTTP endpoint answers 422.
 */
export class UnreadableReturn extends Error {
  override readonly name = 'UnreadableReturn';

  constructor(
    readonly fileName: string,
    reason: string,
    fix: string,
    options?: { cause?: unknown },
  ) {
    super(`"${fileName}" cannot be read: ${reason}. ${fix}`, options);
  }
}
