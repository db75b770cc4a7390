// `npm run mutate`: StrykerJS's command line (docs/reliability.md "Mutation testing").
// Stryker 10 refuses to start below Node 22, which it declares in its
// package.json; troupe supports Node 20.19 and later, and Stryker's own code
// runs on Node 20 (every figure in docs/reliability.md was measured on 20.20).
// So the version check alone is shown Node 22, and the real version is put
// back before anything runs; on Node 22 and later this changes nothing.
const real = Object.getOwnPropertyDescriptor(process, 'version');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) Object.defineProperty(process, 'version', { ...real, value: 'v22.0.0' });
const { StrykerCli } = await import('@stryker-mutator/core');
Object.defineProperty(process, 'version', real);
new StrykerCli(process.argv).run();
