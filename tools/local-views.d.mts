/** `text` with heap views (and the file's top-level typed arrays) made local to the functions that use them, or null. */
export function localViews(file: string, text: string, heapFile: string): string | null;
