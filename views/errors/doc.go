// Package errors is the workbench's Errors pane: it steps through the items of one cell of a
// run's confusion matrix (most confident first) with their features and probabilities, and
// through a pair task's false accepts, false rejects and correct decisions, both items side by
// side.
package errors
