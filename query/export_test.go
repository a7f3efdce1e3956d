package query

// BuildTestData converts test patients as Emit does, for the tests.
var BuildTestData = buildTestData
