// Package model is ehrQL's query model: the immutable graph of frames and
// series that a dataset or measures definition compiles to, with ehrQL's type
// and domain rules and its JSON wire format (the output of ehrQL's
// serialize-definition command).
//
// Nodes are built with the constructors in this package, which check each
// node as it is made, so an invalid graph cannot exist. Nodes compare
// structurally: two identical sub-graphs built separately have the same ID.
package model
