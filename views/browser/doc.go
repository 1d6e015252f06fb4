// Package browser is the Datasets pane: it opens dataset folders (or the built-in demo) in the
// background and shows each one's layout and why it was chosen, its split (computed in a
// command, with per-class train/val/test or per-fold counts), its classes as a bar chart, its
// problems, and a list of its items (or pairs) filterable by text and by split, from which
// enter opens an item or pair in the inspector.
package browser
