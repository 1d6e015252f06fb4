package errors

import "charm.land/bubbles/v2/key"

// KeyMap holds the Errors pane's keys.
type KeyMap struct {
	Next, Prev            key.Binding
	Up, Down, Left, Right key.Binding
	Filter                key.Binding
	Means                 key.Binding
	Inspect               key.Binding
	NextError             key.Binding
}

// DefaultKeyMap returns the Errors pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:      key.NewBinding(key.WithKeys("n", "space"), key.WithHelp("n", "next item")),
		Prev:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous item")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/down", "true class")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "next true class")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("left/right", "predicted class")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("right/l", "next predicted class")),
		Filter:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "pairs: FP, FN, TP, TN")),
		Means:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "class means on/off")),
		Inspect:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open item in Inspector")),
		NextError: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "next cell with errors")),
	}
}
