// Package browser is the Datasets pane: it opens dataset folders (or the built-in demo) in the
// background and shows each one's layout and why it was chosen, its classes as a bar chart, its
// problems, and a filterable list of its items, from which enter opens an item in the
// inspector.
package browser
