package results

import "charm.land/bubbles/v2/key"

// KeyMap holds the Results pane's keys.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	PrevRun, NextRun      key.Binding
	Normalize             key.Binding
	Report                key.Binding
	Open                  key.Binding
	FineLeft, FineRight   key.Binding
	EER, BestAccuracy     key.Binding
	Cells                 key.Binding // only describes the arrows in the footer
}

// DefaultKeyMap returns the Results pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/k", "cell up (true class)")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "cell down")),
		Left:         key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("left/h", "cell left; threshold down; previous target")),
		Right:        key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("right/l", "cell right; threshold up; next target")),
		PrevRun:      key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous run")),
		NextRun:      key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next run")),
		Normalize:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "counts / row-normalised")),
		Report:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "matrix / report (narrow)")),
		Open:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "step through the cell's items")),
		FineLeft:     key.NewBinding(key.WithKeys("H", "shift+left"), key.WithHelp("H", "threshold down a little")),
		FineRight:    key.NewBinding(key.WithKeys("L", "shift+right"), key.WithHelp("L", "threshold up a little")),
		EER:          key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "threshold at the EER")),
		BestAccuracy: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "threshold of best accuracy")),
		Cells:        key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("arrows", "move")),
	}
}
