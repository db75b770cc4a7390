// Converts a temperature in degrees Fahrenheit to degrees Celsius (it does not yet).
exports.toCelsius = (fahrenheit) => ((fahrenheit - 32) * 9) / 5;
