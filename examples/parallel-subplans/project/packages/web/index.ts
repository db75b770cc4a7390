export const web = 3;
