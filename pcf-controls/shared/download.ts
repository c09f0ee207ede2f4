/**
 * Saves text as a file through the browser: PCF has no save-file API, so the control hands the browser
 * a Blob URL to download. The UTF-8 byte order mark makes Excel read accented names correctly.
 */
export function downloadText(fileName: string, text: string, mimeType = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}
