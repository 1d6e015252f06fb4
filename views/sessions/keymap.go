package sessions

import "charm.land/bubbles/v2/key"

// KeyMap holds the Sessions pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Select                                  key.Binding
	Compare                                 key.Binding
	Open                                    key.Binding
	Play                                    key.Binding
	Filter                                  key.Binding
	ClearFilter                             key.Binding
	Rescan                                  key.Binding
	// In the comparison.
	Back             key.Binding
	Series           key.Binding
	ScrollL, ScrollR key.Binding
	// While typing a filter.
	ApplyFilter, CancelFilter, EraseRune, EraseAll key.Binding
}

// DefaultKeyMap returns the Sessions pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:          key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first session")),
		Bottom:       key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last session")),
		Select:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select for compare")),
		Compare:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare selected")),
		Open:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open (final state)")),
		Play:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "play back")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter/selection")),
		Rescan:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rescan folders")),
		Back:         key.NewBinding(key.WithKeys("esc", "c"), key.WithHelp("esc", "back to the list")),
		Series:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "curves: val metric / val loss")),
		ScrollL:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("left/h", "scroll table left")),
		ScrollR:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("right/l", "scroll table right")),
		ApplyFilter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		CancelFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel filter")),
		EraseRune:    key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
		EraseAll:     key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "erase all")),
	}
}

// BarKeyMap holds the playback keys, which work in every pane while a session plays back.
type BarKeyMap struct {
	Pause       key.Binding
	MonitorStop key.Binding // space, in the Monitor only (other panes use it)
	PrevEpoch   key.Binding
	NextEpoch   key.Binding
	Start, End  key.Binding
	Faster      key.Binding
	Slower      key.Binding
}

// DefaultBarKeyMap returns the playback keys.
func DefaultBarKeyMap() BarKeyMap {
	return BarKeyMap{
		Pause:       key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pause/play")),
		MonitorStop: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/play (Monitor)")),
		PrevEpoch:   key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "previous epoch")),
		NextEpoch:   key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "next epoch")),
		Start:       key.NewBinding(key.WithKeys("("), key.WithHelp("(", "play from the start")),
		End:         key.NewBinding(key.WithKeys(")"), key.WithHelp(")", "end (final state)")),
		Faster:      key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "faster (x2)")),
		Slower:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "slower (/2)")),
	}
}
