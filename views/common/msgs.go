package common

import "github.com/hark-audio/hark/engine/dataset"

// OpenItemMsg asks the inspector to show one item of a catalog. Items is the list the user was
// looking at (the browser's filtered list, as indices into Catalog.Items) so that next and
// previous step through it; Index is the position in Items of the item to show. When Focus is
// set the root also brings the inspector to the front; without it the inspector loads the item
// quietly (the first item of a freshly opened dataset, say).
type OpenItemMsg struct {
	Catalog *dataset.Catalog
	Items   []int
	Index   int
	Focus   bool
	// Pairs is set when Items index Catalog.Pairs rather than Catalog.Items: the inspector then
	// shows both items of the pair at Index.
	Pairs bool
}

// ClickMsg is a left click inside the focused pane, at column X and line Y of the pane's own
// box (the root translates the terminal's coordinates). Panes with lists select the row
// clicked, and a click on the row already selected acts as enter.
type ClickMsg struct {
	X, Y int
}
