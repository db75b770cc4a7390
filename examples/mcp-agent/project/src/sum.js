// Adds two numbers (it does not yet).
exports.sum = (a, b) => a - b;
