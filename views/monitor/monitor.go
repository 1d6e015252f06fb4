package monitor

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// Monitor is the Monitor pane.
type Monitor struct {
	c    *common.Common
	keys KeyMap
	w, h int

	book common.RunBook
	sel  string // the run shown
	// follow keeps the selection on the active run (the newest running one) until the user
	// picks a run.
	follow bool

	smooth bool
	ema    float64 // the EMA weight of the previous value, 0..0.95

	status    string
	statusErr bool

	charts chartCache
}

var _ common.Component = (*Monitor)(nil)

// runsMsg carries the engine's run list.
type runsMsg struct{ infos []engine.RunInfo }

// historyMsg carries one run's history.
type historyMsg struct {
	id     string
	events []train.Event
	err    error
}

// stoppedMsg reports a stop request.
type stoppedMsg struct {
	id  string
	err error
}

// New returns the Monitor pane.
func New(c *common.Common) *Monitor {
	return &Monitor{c: c, keys: DefaultKeyMap(), follow: true, smooth: true, ema: 0.6}
}

// ID implements common.Component.
func (m *Monitor) ID() string { return common.PaneMonitor }

// Title implements common.Component.
func (m *Monitor) Title() string { return "Monitor" }

// SetSize implements common.Component.
func (m *Monitor) SetSize(w, h int) { m.w, m.h = w, h }

// Init asks for the engine's runs, so that a workbench that opens while runs go on shows them.
func (m *Monitor) Init() tea.Cmd {
	runs := m.c.Engine.Runs
	if runs == nil {
		return nil
	}
	return func() tea.Msg { return runsMsg{infos: runs()} }
}

// Update implements common.Component.
func (m *Monitor) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case runsMsg:
		m.book.SetInfos(msg.infos)
		m.pick()
		return m, m.ensureHistory()
	case historyMsg:
		if r := m.book.Get(msg.id); r != nil && len(msg.events) == 0 {
			r.HistoryAsked = false // a queued run: ask again once it has started
		}
		if msg.err != nil {
			m.setStatus(fmt.Sprintf("history of %s: %v", msg.id, msg.err), true)
			return m, nil
		}
		for _, ev := range msg.events {
			m.book.Apply(ev)
		}
		return m, nil
	case common.RunEventsMsg:
		for _, ev := range msg.Events {
			m.book.Apply(ev)
		}
		m.pick()
		return m, m.ensureHistory()
	case common.RunQueuedMsg:
		if msg.Err == nil {
			m.book.Queued(msg.ID, msg.Spec)
			m.pick()
		}
		// A quick run may have reported before this workbench's watch began.
		return m, m.ensureHistory()
	case common.ShowRunMsg:
		if m.book.Get(msg.RunID) != nil {
			m.sel, m.follow = msg.RunID, false
		}
		return m, m.ensureHistory()
	case stoppedMsg:
		if msg.err != nil {
			m.setStatus(fmt.Sprintf("stop %s: %v", msg.id, msg.err), true)
		} else {
			m.setStatus("asked "+msg.id+" to stop; it evaluates and saves its best model first", false)
		}
		return m, nil
	case common.ClickMsg:
		return m, m.click(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Monitor) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

// pick chooses the run to show: while following, the newest running run, else the newest run;
// a selection that no longer exists falls back the same way.
func (m *Monitor) pick() {
	if !m.follow && m.book.Get(m.sel) != nil {
		return
	}
	ids := m.book.IDs()
	if len(ids) == 0 {
		return
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if m.book.Get(ids[i]).Info.State == engine.StateRunning {
			m.sel = ids[i]
			return
		}
	}
	// Nothing runs: the newest that has started (or ended), else the oldest queued one.
	for i := len(ids) - 1; i >= 0; i-- {
		if m.book.Get(ids[i]).Info.State != engine.StateQueued {
			m.sel = ids[i]
			return
		}
	}
	m.sel = ids[0]
}

// ensureHistory reads the shown run's history the first time it is shown, so that a late
// watcher draws the whole curve.
func (m *Monitor) ensureHistory() tea.Cmd {
	r := m.book.Get(m.sel)
	hist := m.c.Engine.History
	if r == nil || r.HistoryAsked || hist == nil {
		return nil
	}
	r.HistoryAsked = true
	id := r.Info.ID
	return func() tea.Msg {
		evs, err := hist(id)
		return historyMsg{id: id, events: evs, err: err}
	}
}

func (m *Monitor) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.PrevRun), key.Matches(msg, k.NextRun):
		n := m.book.Len()
		if n == 0 {
			return nil
		}
		i := max(0, m.book.Index(m.sel))
		if key.Matches(msg, k.PrevRun) {
			i = max(0, i-1)
		} else {
			i = min(n-1, i+1)
		}
		m.sel, m.follow = m.book.At(i).Info.ID, false
		return m.ensureHistory()
	case key.Matches(msg, k.Follow):
		m.follow = true
		m.pick()
		return m.ensureHistory()
	case key.Matches(msg, k.Smooth):
		m.smooth = !m.smooth
	case key.Matches(msg, k.Smoother):
		m.ema = min(0.95, roundTenth(m.ema+0.1))
		m.smooth = true
	case key.Matches(msg, k.Rougher):
		m.ema = max(0, roundTenth(m.ema-0.1))
		m.smooth = m.ema > 0
	case key.Matches(msg, k.Stop):
		return m.stop()
	case key.Matches(msg, k.Results):
		if r := m.book.Get(m.sel); r != nil && r.Result() != nil {
			id := r.Info.ID
			return func() tea.Msg { return common.ShowRunMsg{RunID: id, Pane: common.PaneResults} }
		}
	}
	return nil
}

func roundTenth(v float64) float64 { return float64(int(v*10+0.5)) / 10 }

// stop asks the engine to stop the shown run.
func (m *Monitor) stop() tea.Cmd {
	r := m.book.Get(m.sel)
	switch {
	case r == nil:
		return nil
	case m.c.ReadOnly:
		m.setStatus(common.ReadOnlyMessage, true)
		return nil
	case m.c.Engine.Stop == nil:
		m.setStatus("this workbench cannot stop runs (no engine)", true)
		return nil
	case r.Done():
		m.setStatus(r.Info.ID+" has already ended", true)
		return nil
	}
	stop, id := m.c.Engine.Stop, r.Info.ID
	m.setStatus("stopping "+id+" ...", false)
	return func() tea.Msg { return stoppedMsg{id: id, err: stop(id)} }
}

// Selected returns the ID of the run shown ("" when none).
func (m *Monitor) Selected() string { return m.sel }

// ShortHelp implements help.KeyMap.
func (m *Monitor) ShortHelp() []key.Binding {
	k := &m.keys
	return []key.Binding{k.PrevRun, k.NextRun, k.Stop, k.Smooth, k.Smoother, k.Rougher}
}

// FullHelp implements help.KeyMap.
func (m *Monitor) FullHelp() [][]key.Binding {
	k := &m.keys
	return [][]key.Binding{
		{k.PrevRun, k.NextRun, k.Follow, k.Results},
		{k.Smooth, k.Smoother, k.Rougher, k.Stop},
	}
}

// click shows the run whose label on the strip (the pane's second line) was clicked.
func (m *Monitor) click(msg common.ClickMsg) tea.Cmd {
	if msg.Y != 1 {
		return nil
	}
	_, spans := m.stripLayout()
	for _, sp := range spans {
		if msg.X >= sp.from && msg.X < sp.to {
			m.sel, m.follow = m.book.At(sp.i).Info.ID, false
			return m.ensureHistory()
		}
	}
	return nil
}
