package sessions

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/views/common"
)

// PaneID is the Sessions pane's ID.
const PaneID = "sessions"

// Config configures the Sessions pane and the playback bar.
type Config struct {
	// Dirs are the folders listed: each one's *.json session files and those of its
	// hark-sessions folder (./hark-sessions and the --data roots, say).
	Dirs []string
	// Current is this workbench's own session file (marked in the list); "" when it records none.
	Current string
	// Deck plays opened sessions beside the live runs; nil lists and compares sessions but
	// cannot open them.
	Deck *playback.Deck
	// Speed is the playback speed of sessions played from the list (0: playback.DefaultSpeed).
	Speed float64
	// Location is the time zone dates are shown in; nil is the local one.
	Location *time.Location
}

// ResetRunsMsg asks the root to start the run panes afresh (and the watch of run events): a
// playback went backwards, and what they show is ahead of it.
type ResetRunsMsg struct{}

// Sessions is the Sessions pane.
type Sessions struct {
	c    *common.Common
	cfg  Config
	keys KeyMap
	w, h int

	entries  []entry
	scanned  bool
	scanning bool
	shown    []int // indices into entries that pass the filter
	cursor   int   // index into shown
	offset   int   // first shown row drawn
	selected []string

	filter    string
	filtering bool
	draft     string

	cmp    *comparison // nil in the list
	status string
	isErr  bool
}

var (
	_ common.Component     = (*Sessions)(nil)
	_ common.InputCapturer = (*Sessions)(nil)
)

// scannedMsg carries a scan's entries.
type scannedMsg struct{ entries []entry }

// openedMsg reports a session put on the deck.
type openedMsg struct {
	path string
	run  string // the run to show
	back bool
	play bool
	err  error
}

// New returns the Sessions pane.
func New(c *common.Common, cfg Config) *Sessions {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	return &Sessions{c: c, cfg: cfg, keys: DefaultKeyMap()}
}

// ID implements common.Component.
func (m *Sessions) ID() string { return PaneID }

// Title implements common.Component.
func (m *Sessions) Title() string { return "Sessions" }

// SetSize implements common.Component.
func (m *Sessions) SetSize(w, h int) { m.w, m.h = w, h }

// CapturesInput implements common.InputCapturer: while the filter is typed.
func (m *Sessions) CapturesInput() bool { return m.filtering }

// Init scans the folders.
func (m *Sessions) Init() tea.Cmd { return m.rescan() }

func (m *Sessions) rescan() tea.Cmd {
	if m.scanning {
		return nil
	}
	m.scanning = true
	dirs := slices.Clone(m.cfg.Dirs)
	return func() tea.Msg { return scannedMsg{entries: scan(dirs)} }
}

// Update implements common.Component.
func (m *Sessions) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case scannedMsg:
		m.scanning, m.scanned = false, true
		cur := m.current()
		m.entries = msg.entries
		m.selected = slices.DeleteFunc(m.selected, func(p string) bool { return m.find(p) < 0 })
		m.refilter(cur)
		return m, nil
	case openedMsg:
		if msg.err != nil {
			m.setStatus(fmt.Sprintf("%s: %v", msg.path, msg.err), true)
			return m, nil
		}
		verb := "opened"
		if msg.play {
			verb = "playing"
		}
		m.setStatus(verb+" "+msg.path, false)
		var cmds []tea.Cmd
		if msg.back {
			cmds = append(cmds, func() tea.Msg { return ResetRunsMsg{} })
		}
		if msg.run != "" {
			run := msg.run
			cmds = append(cmds, func() tea.Msg { return common.ShowRunMsg{RunID: run, Pane: common.PaneMonitor} })
		}
		return m, tea.Batch(cmds...)
	case common.RunEventsMsg:
		// A run of this workbench ended: its session file changed.
		for _, ev := range msg.Events {
			if _, ok := ev.(train.RunFinished); ok && m.cfg.Current != "" && m.scanned {
				return m, m.rescan()
			}
		}
	case tea.KeyPressMsg:
		if m.filtering {
			m.filterKey(msg)
			return m, nil
		}
		if m.cmp != nil {
			m.compareKey(msg)
			return m, nil
		}
		return m, m.key(msg)
	case common.ClickMsg:
		return m, m.click(msg)
	}
	return m, nil
}

// click selects the session clicked in the list (drawn from line 2, below the title and the
// header, from the offset the last View used); a click on the one selected opens it, as enter
// does.
func (m *Sessions) click(msg common.ClickMsg) tea.Cmd {
	row := msg.Y - 2
	if m.filtering || m.cmp != nil || row < 0 || row >= m.listRows() {
		return nil
	}
	i := m.offset + row
	if i >= len(m.shown) {
		return nil
	}
	if i == m.cursor {
		return m.open(false)
	}
	m.cursor = i
	return nil
}

func (m *Sessions) setStatus(s string, isErr bool) { m.status, m.isErr = s, isErr }

// find returns the index of the entry of path, -1 when none.
func (m *Sessions) find(path string) int {
	return slices.IndexFunc(m.entries, func(e entry) bool { return e.path == path })
}

// current returns the path under the cursor.
func (m *Sessions) current() string {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return ""
	}
	return m.entries[m.shown[m.cursor]].path
}

// refilter recomputes the shown rows, keeping the cursor on keep when it still shows.
func (m *Sessions) refilter(keep string) {
	m.shown = m.shown[:0]
	for i := range m.entries {
		if m.entries[i].matches(m.filter) {
			m.shown = append(m.shown, i)
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	for i, j := range m.shown {
		if m.entries[j].path == keep {
			m.cursor = i
		}
	}
}

func (m *Sessions) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	page := max(1, m.listRows()-1)
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-page)
	case key.Matches(msg, k.PageDown):
		m.move(page)
	case key.Matches(msg, k.Top):
		m.move(-len(m.shown))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.shown))
	case key.Matches(msg, k.Select):
		m.toggle()
		m.move(1)
	case key.Matches(msg, k.Compare):
		m.compare()
	case key.Matches(msg, k.Open):
		return m.open(false)
	case key.Matches(msg, k.Play):
		return m.open(true)
	case key.Matches(msg, k.Filter):
		m.filtering, m.draft = true, m.filter
	case key.Matches(msg, k.ClearFilter):
		switch {
		case m.filter != "":
			m.filter = ""
			m.refilter(m.current())
		case len(m.selected) > 0:
			m.selected = nil
		}
	case key.Matches(msg, k.Rescan):
		m.setStatus("", false)
		return m.rescan()
	}
	return nil
}

func (m *Sessions) move(d int) {
	m.cursor = max(0, min(len(m.shown)-1, m.cursor+d))
}

// toggle selects or unselects the session under the cursor for comparison.
func (m *Sessions) toggle() {
	p := m.current()
	if p == "" {
		return
	}
	if e := m.entries[m.find(p)]; e.err != nil {
		m.setStatus("cannot compare "+p+": it does not read", true)
		return
	}
	if i := slices.Index(m.selected, p); i >= 0 {
		m.selected = slices.Delete(m.selected, i, i+1)
	} else {
		m.selected = append(m.selected, p)
	}
	m.setStatus("", false)
}

// filterKey edits the filter as it is typed; the list follows each key.
func (m *Sessions) filterKey(msg tea.KeyPressMsg) {
	k := &m.keys
	switch {
	case key.Matches(msg, k.ApplyFilter):
		m.filtering = false
	case key.Matches(msg, k.CancelFilter):
		m.filtering, m.filter = false, ""
	case key.Matches(msg, k.EraseRune):
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	case key.Matches(msg, k.EraseAll):
		m.filter = ""
	default:
		if msg.Text != "" {
			m.filter += msg.Text
		}
	}
	m.refilter(m.current())
}

// open puts the session under the cursor on the deck: at its end (open) or from its start
// (play), and shows its best run in the Monitor.
func (m *Sessions) open(play bool) tea.Cmd {
	p := m.current()
	if p == "" {
		return nil
	}
	e := m.entries[m.find(p)]
	switch {
	case e.err != nil:
		m.setStatus(fmt.Sprintf("cannot open %s: %v", p, e.err), true)
		return nil
	case m.cfg.Deck == nil:
		m.setStatus("this workbench cannot open sessions (no engine to play them on)", true)
		return nil
	case e.sum.Runs == 0:
		m.setStatus(p+" holds no runs to open", true)
		return nil
	}
	deck, s, speed := m.cfg.Deck, e.s, m.cfg.Speed
	prefix := prefixOf(p)
	best := e.sum.BestRun
	return func() tea.Msg {
		pl, back, err := deck.Add(s, playback.Options{AtEnd: !play, Speed: speed, Prefix: prefix})
		if err != nil {
			return openedMsg{path: p, err: err}
		}
		run := ""
		ids := pl.RunIDs()
		for _, id := range ids {
			if strings.HasSuffix(id, "/"+best) {
				run = id
			}
		}
		if play && len(ids) > 0 {
			run = ids[0]
		}
		return openedMsg{path: p, run: run, back: back, play: play}
	}
}

// prefixOf is the run ID prefix of a session opened in the workbench: its file's name, short.
func prefixOf(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if r := []rune(name); len(r) > 16 {
		name = string(r[:16])
	}
	return name + "/"
}

// Selected returns the paths selected for comparison, in the order they were selected.
func (m *Sessions) Selected() []string { return slices.Clone(m.selected) }

// Comparing says whether the comparison is shown.
func (m *Sessions) Comparing() bool { return m.cmp != nil }

// ShortHelp implements help.KeyMap.
func (m *Sessions) ShortHelp() []key.Binding {
	k := &m.keys
	switch {
	case m.filtering:
		return []key.Binding{k.ApplyFilter, k.CancelFilter}
	case m.cmp != nil:
		return []key.Binding{k.Back, k.Series, k.ScrollL, k.ScrollR}
	}
	return []key.Binding{k.Select, k.Compare, k.Open, k.Play, k.Filter}
}

// FullHelp implements help.KeyMap.
func (m *Sessions) FullHelp() [][]key.Binding {
	k := &m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Select, k.Compare, k.Open, k.Play, k.Filter, k.ClearFilter, k.Rescan},
		{k.Back, k.Series, k.ScrollL, k.ScrollR},
	}
}
