// The sample in alarm-insufficient-data.json as if it happened now (see ./fresh.js).
module.exports = require('./fresh').fresh('alarm-insufficient-data.json');
