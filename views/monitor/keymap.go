package monitor

import "charm.land/bubbles/v2/key"

// KeyMap holds the Monitor pane's keys.
type KeyMap struct {
	PrevRun, NextRun  key.Binding
	Stop              key.Binding
	Smooth            key.Binding
	Smoother, Rougher key.Binding
	Follow            key.Binding
	Results           key.Binding
}

// DefaultKeyMap returns the Monitor pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		PrevRun:  key.NewBinding(key.WithKeys("[", "up", "k"), key.WithHelp("[/up", "previous run")),
		NextRun:  key.NewBinding(key.WithKeys("]", "down", "j"), key.WithHelp("]/down", "next run")),
		Stop:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop run")),
		Smooth:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "smoothing on/off")),
		Smoother: key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "smoother (EMA weight up)")),
		Rougher:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "rougher (EMA weight down)")),
		Follow:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow the active run")),
		Results:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "results of run")),
	}
}
