package common

import "charm.land/bubbles/v2/key"

// KeyMap holds the workbench's global keys, handled by the root before any pane sees them.
type KeyMap struct {
	Quit      key.Binding
	ForceQuit key.Binding // works even while a pane takes typed text
	Help      key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	// GoToPane matches the digits 1-9; the digit is the pane's number in the tab bar.
	GoToPane key.Binding
	// Back closes the full help.
	Back key.Binding
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		NextPane:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		GoToPane: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"),
			key.WithHelp("1-9", "go to pane")),
		Back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close help")),
	}
}

// ShortHelp is the part of the footer that every pane shares.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.NextPane, k.Help, k.Quit}
}

// FullHelp lists every global key, as one column of the `?` help.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.NextPane, k.PrevPane, k.GoToPane, k.Help, k.Back, k.Quit, k.ForceQuit}}
}
