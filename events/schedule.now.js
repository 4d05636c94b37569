// The sample in schedule.json as if it happened now (see ./fresh.js).
module.exports = require('./fresh').fresh('schedule.json');
