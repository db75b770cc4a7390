export const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
