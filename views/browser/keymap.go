package browser

import "charm.land/bubbles/v2/key"

// KeyMap holds the Datasets pane's keys.
type KeyMap struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Top, Bottom      key.Binding
	Open             key.Binding
	Filter           key.Binding
	ClearFilter      key.Binding
	PrevSet, NextSet key.Binding
	Reload           key.Binding
	// The split: the next or previous spec, which part to list, pairs instead of items.
	NextSplit, PrevSplit key.Binding
	OnlySplit            key.Binding
	Pairs                key.Binding
	// While the filter takes typed text:
	ApplyFilter  key.Binding
	CancelFilter key.Binding
	EraseRune    key.Binding
	EraseAll     key.Binding
}

// DefaultKeyMap returns the Datasets pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:          key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first item")),
		Bottom:       key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last item")),
		Open:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect item")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		PrevSet:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("left/h", "previous dataset")),
		NextSet:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("right/l", "next dataset")),
		Reload:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reopen dataset")),
		NextSplit:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "next split")),
		PrevSplit:    key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "previous split")),
		OnlySplit:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "split filter")),
		Pairs:        key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "items/pairs")),
		ApplyFilter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		CancelFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel filter")),
		EraseRune:    key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
		EraseAll:     key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "erase all")),
	}
}
