package common

import (
	tea "charm.land/bubbletea/v2"

	"charm.land/bubbles/v2/help"
)

// Component is one pane of the workbench. It is a Bubble Tea model whose View returns a string
// (the root composes the panes' strings into the one tea.View of the program), a help.KeyMap
// for the footer and the `?` help, and a size set by the root.
//
// Update returns the Component itself (panes are pointers) so that calls chain as with
// tea.Model. Neither Update nor View may block: slow work is a tea.Cmd whose result comes back
// as a message.
type Component interface {
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) (Component, tea.Cmd)
	// View draws the pane in the size last given to SetSize: exactly as many lines as the
	// height, none wider than the width. Lines may be shorter (the rest shows blank), which
	// spares measuring long lines of colour escapes on every frame.
	View() string
	// SetSize gives the pane the cells it may draw in.
	SetSize(width, height int)
	// ID names the pane for messages that address it (PaneDatasets, PaneInspector, ...).
	ID() string
	// Title is the pane's name in the tab bar.
	Title() string
}

// InputCapturer is implemented by panes that sometimes take typed text (a filter, a form
// field): while CapturesInput is true the root hands them every key but ctrl+c, so that typing
// "q" or "2" into a filter does not quit or switch panes.
type InputCapturer interface {
	CapturesInput() bool
}

// Pane IDs, used in messages that ask the root to focus a pane.
const (
	PaneDatasets  = "datasets"
	PaneInspector = "inspector"
	PaneTrain     = "train"
	PaneMonitor   = "monitor"
	PaneResults   = "results"
	PaneErrors    = "errors"
)
