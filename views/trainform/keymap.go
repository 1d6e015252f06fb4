package trainform

import "charm.land/bubbles/v2/key"

// KeyMap holds the Train pane's keys.
type KeyMap struct {
	Up, Down   key.Binding
	Prev, Next key.Binding
	Edit       key.Binding
	Start      key.Binding
	Recipe     key.Binding // F1..F6; matched by number in Update
	Reset      key.Binding
	Apply      key.Binding // while editing
	Cancel     key.Binding
	EraseRune  key.Binding
	EraseAll   key.Binding
}

// DefaultKeyMap returns the Train pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/k", "previous field")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "next field")),
		Prev:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("left/h", "previous value")),
		Next:      key.NewBinding(key.WithKeys("right", "l", "space"), key.WithHelp("right/l", "next value")),
		Edit:      key.NewBinding(key.WithKeys("e", "i"), key.WithHelp("e", "type a value")),
		Start:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start run")),
		Recipe:    key.NewBinding(key.WithKeys("f1", "f2", "f3", "f4", "f5", "f6"), key.WithHelp("F1-F6", "recipe: fsdd kws gtzan mustard lfw emotion")),
		Reset:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset to defaults")),
		Apply:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep value")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		EraseRune: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
		EraseAll:  key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "erase all")),
	}
}
