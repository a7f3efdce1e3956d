package engine

// OverflowMessage exposes overflowMessage to the tests.
var OverflowMessage = overflowMessage
