export const cli = 2;
